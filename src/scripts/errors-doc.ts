/**
 * docs/errors.md, rendered from the code: every `ErrorCode` with its Open-Assistant number, what it means
 * (`ERROR_CATALOGUE`) and its HTTP status (`REQUEST_ERROR_STATUS`). `npm run docs:errors` writes it; a test checks
 * that the committed file is what this renders.
 */
import fs from "node:fs";
import path from "node:path";
import { ErrorCode, OA_ERROR_NUMBERS } from "../common/errors.js";
import { ERROR_CATALOGUE } from "../common/error-catalogue.js";
import { requestErrorStatus } from "../server/http-status.js";

export const ERRORS_DOC = path.join(__dirname, "..", "..", "..", "docs", "errors.md");

const SOURCE_TITLES = {
  chorus: "Raised by Chorus",
  apollo: "Raised by Apollo Server (the document and the request)",
  reference: "Named for the Open-Assistant reference's numbers only (never raised)",
} as const;

export function renderErrorsDoc(): string {
  const out: string[] = [
    "# Error codes",
    "",
    "<!-- Generated from src/common/errors.ts, src/common/error-catalogue.ts and src/server/http-status.ts by",
    "     `npm run docs:errors` (part of `npm run generate`); a test fails when this file is stale. Do not edit. -->",
    "",
    "Every error a client meets, over HTTP or graphql-ws, carries `extensions.code`, one of the codes below; errors the",
    "Open-Assistant reference names also carry its number in `extensions.oaErrorCode`. The code is the contract: match",
    "on it, never on the message.",
    "",
    "## HTTP status codes",
    "",
    "`POST /graphql` (and `GET` for queries) follows the GraphQL-over-HTTP specification, the same way for",
    "`Accept: application/json` and `Accept: application/graphql-response+json`:",
    "",
    "- **200** for every request that was executed: the response has `data` (possibly `null` or partial) and any",
    "  errors its fields raised, whatever their code (`TASK_NOT_FOUND`, `RATE_LIMITED`, `FORBIDDEN`, ...). Apollo",
    "  Client, urql and Relay read those errors as GraphQL errors, with the data beside them.",
    "- **4xx** for a request that fails before execution (no `data`): the status of its code in the table's HTTP",
    "  column (401 for `UNAUTHENTICATED`, 403 for `USER_DISABLED` and `FORBIDDEN`, 413 for `PAYLOAD_TOO_LARGE`, 429 for",
    "  `RATE_LIMITED`, 400 for every other code: a malformed `x-chorus-user` header, an over-long user name, a document",
    "  that does not parse or validate, a body that is not JSON, the depth and complexity limits).",
    "- **5xx** only for the server's own state: 503 `SERVICE_UNAVAILABLE` (starting, or its database unreachable) and",
    "  500 `INTERNAL_SERVER_ERROR`. Bad input is never 5xx.",
    "",
    "Over graphql-ws there is no status: errors arrive in the `next` or `error` message with the same codes, and a",
    "socket whose identity is refused is closed with 4401 (`UNAUTHENTICATED`) or 4403 (`USER_DISABLED`, `FORBIDDEN`);",
    "one whose identity could not be checked with 4503 (`SERVICE_UNAVAILABLE`: starting, or the database busy or",
    "unreachable; graphql-ws clients retry it) or 4500 (`INTERNAL_SERVER_ERROR`).",
    "",
  ];
  for (const source of ["chorus", "apollo", "reference"] as const) {
    out.push(
      `## ${SOURCE_TITLES[source]}`,
      "",
      "| code | OA number | HTTP status if it stops the request before execution (executed: 200) | when |",
      "|---|---|---|---|",
    );
    for (const code of Object.values(ErrorCode)) {
      const entry = ERROR_CATALOGUE[code];
      if (entry.source !== source) continue;
      const number = OA_ERROR_NUMBERS[code];
      out.push(`| \`${code}\` | ${number ?? ""} | ${requestErrorStatus(code)} | ${entry.when.replace(/\|/g, "\\|")} |`);
    }
    out.push("");
  }
  return out.join("\n");
}

if (require.main === module) {
  fs.writeFileSync(ERRORS_DOC, renderErrorsDoc());
  console.log(`wrote ${ERRORS_DOC}`);
}
