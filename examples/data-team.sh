#!/usr/bin/env bash
# Data teams: import a dataset with the CLI, then export it back over HTTP.
#
#   DATABASE_URL=postgres://... CHORUS_API_URL=http://localhost:4000/graphql CHORUS_API_KEY=chk_... \
#     examples/data-team.sh trees.jsonl export.jsonl
#
# The CLI works on the database directly (DATABASE_URL, or the embedded database of CHORUS_DATA_DIR when unset, as
# `npm start` uses); the export goes through the API with an ADMIN key of a trusted client.
set -euo pipefail
in=$(realpath "${1:?usage: examples/data-team.sh <trees.jsonl> [export.jsonl]}")
out=$(realpath -m "${2:-export.jsonl}")
cd "$(dirname "$0")/.."   # the project: npx chorus and dist/ are there

# 1. What the import would do, writing nothing (every statement runs, then rolls back).
npx chorus import "$in" --mode restore --dry-run
# 2. The import itself: --mode restore keeps every field, states and ranking progress.
npx chorus import "$in" --mode restore
# 3. Everything back out, over HTTP, with the CLI export's options as query parameters.
node dist/examples/data-export.js --out "$out" \
  --query 'state=all&include-deleted=true&include-spam=true&include-synthetic=true&export-labels=true&export-events=true'
