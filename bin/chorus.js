#!/usr/bin/env node
// The CLI is TypeScript compiled to dist/ by the `prepare` script (run by npm install).
require("../dist/src/cli.js");
