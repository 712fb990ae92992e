/** Writes schema/schema.graphql from the code (sorted). `npm run schema:emit`; a test checks it is current. */
import "reflect-metadata";
import fs from "node:fs";
import path from "node:path";
import { getSchema, printSortedSchema } from "../server/schema.js";

export const SCHEMA_FILE = path.join(__dirname, "..", "..", "..", "schema", "schema.graphql");

async function main() {
  const sdl = printSortedSchema(await getSchema());
  fs.writeFileSync(SCHEMA_FILE, sdl);
  console.log(`wrote ${SCHEMA_FILE} (${sdl.length} bytes)`);
}

if (require.main === module) {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
