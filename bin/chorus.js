#!/usr/bin/env node
// The CLI is TypeScript compiled to dist/ by the `prepare` script (run by npm install). It is started explicitly,
// so it runs however this file is reached: npx, npm exec, the node_modules/.bin link, or node bin/chorus.js.
require("../dist/src/cli.js").runCli(process.argv);
