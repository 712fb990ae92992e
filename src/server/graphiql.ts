/**
 * The GraphQL IDE at GET /graphql for browsers, served entirely from local npm packages (GraphiQL 3 with
 * React 18 UMD builds and graphql-ws' UMD client), so it works without internet access.
 */
import path from "node:path";
import express, { type Router } from "express";

const ASSETS: Record<string, string> = {
  "react.js": "react/umd/react.production.min.js",
  "react-dom.js": "react-dom/umd/react-dom.production.min.js",
  "graphiql.js": "graphiql/graphiql.min.js",
  "graphiql.css": "graphiql/graphiql.min.css",
  "graphql-ws.js": "graphql-ws/umd/graphql-ws.min.js",
};

function resolveAsset(spec: string): string {
  const [pkg, ...rest] = spec.split("/");
  const pkgJson = require.resolve(`${pkg}/package.json`);
  return path.join(path.dirname(pkgJson), ...rest);
}

export function graphiqlAssets(): Router {
  const router = express.Router();
  for (const [name, spec] of Object.entries(ASSETS)) {
    const file = resolveAsset(spec);
    router.get(`/${name}`, (_req, res) => res.sendFile(file, { maxAge: "1d" }));
  }
  return router;
}

/** The IDE's first query: runs without a key, and says how to go further. */
export const DEFAULT_QUERY = `# Welcome to Chorus. This query needs no key: run it with the play button (or Ctrl-Enter).
# The Docs (book icon, top left) describe every type and field.
#
# For everything else, put an API key in the Headers tab below (npm start prints a development key):
#   {"Authorization": "Bearer chk_...", "x-chorus-user": "local:alice"}
# then try:  { viewer { via role apiClient { name trusted } } }
{
  publicSettings {
    projectName
    version
    maxQueryDepth
    maxQueryComplexity
  }
}
`;

export function graphiqlPage(): string {
  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8" />
  <title>Chorus GraphQL IDE</title>
  <meta name="viewport" content="width=device-width, initial-scale=1" />
  <link rel="stylesheet" href="/graphiql-assets/graphiql.css" />
  <style>body { margin: 0; height: 100vh; } #graphiql { height: 100vh; }</style>
</head>
<body>
  <div id="graphiql">Loading the GraphQL IDE...</div>
  <script src="/graphiql-assets/react.js"></script>
  <script src="/graphiql-assets/react-dom.js"></script>
  <script src="/graphiql-assets/graphql-ws.js"></script>
  <script src="/graphiql-assets/graphiql.js"></script>
  <script>
    // The first load must show the docs and a query that runs: no placeholder header (an invalid key makes every
    // request, introspection included, answer 401), and an example that needs no key. Add your key in the
    // Headers tab: {"Authorization": "Bearer chk_..."} (and optionally "x-chorus-user": "local:alice").
    var httpUrl = window.location.origin + "/graphql";
    var wsUrl = httpUrl.replace(/^http/, "ws");
    var storedHeaders = function () {
      try { return JSON.parse(localStorage.getItem("graphiql:headers") || "{}") || {}; } catch (e) { return {}; }
    };
    // Earlier versions stored a placeholder key; drop it rather than fail every request with it.
    if (/<your API key>/.test(localStorage.getItem("graphiql:headers") || "")) localStorage.removeItem("graphiql:headers");
    var fetcher = GraphiQL.createFetcher({
      url: httpUrl,
      wsClient: graphqlWs.createClient({
        url: wsUrl,
        lazy: true,
        connectionParams: function () {
          var h = storedHeaders();
          return { authorization: h.Authorization || h.authorization, user: h["x-chorus-user"], userName: h["x-chorus-user-name"] };
        }
      })
    });
    ReactDOM.createRoot(document.getElementById("graphiql")).render(
      React.createElement(GraphiQL, {
        fetcher: fetcher,
        shouldPersistHeaders: true,
        defaultEditorToolsVisibility: "headers",
        defaultQuery: ${JSON.stringify(DEFAULT_QUERY)}
      })
    );
  </script>
</body>
</html>`;
}
