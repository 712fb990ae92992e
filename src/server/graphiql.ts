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
    router.get(`/${name}`, (_req, res) => res.sendFile(file, { maxAge: "1d", headers: { "x-content-type-options": "nosniff" } }));
  }
  router.get("/setup.js", (_req, res) => res.type("application/javascript").set("x-content-type-options", "nosniff").send(SETUP_SCRIPT));
  router.get("/page.css", (_req, res) => res.type("text/css").set("x-content-type-options", "nosniff").send(PAGE_CSS));
  return router;
}

/**
 * The page and its script are served as files so that the page can carry a strict Content-Security-Policy: scripts
 * from this origin only (no inline script, no eval), no frames, no form posts, connections to this origin only.
 * Styles allow 'unsafe-inline' because GraphiQL's editor styles its elements at run time.
 */
export const GRAPHIQL_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join("; ");

/** Headers sent with the IDE's page. */
export const GRAPHIQL_HEADERS: Record<string, string> = {
  "content-security-policy": GRAPHIQL_CSP,
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
};

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

/**
 * The IDE's setup script, served as a file (the CSP allows no inline script). The first load must show the docs and a
 * query that runs: no placeholder header (an invalid key makes every request, introspection included, answer 401),
 * and an example that needs no key.
 */
const SETUP_SCRIPT = `
// Add your key in the Headers tab: {"Authorization": "Bearer chk_..."} (and optionally "x-chorus-user": "local:alice").
(function () {
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
})();
`;

const PAGE_CSS = "body { margin: 0; height: 100vh; } #graphiql { height: 100vh; }\n";

export function graphiqlPage(): string {
  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8" />
  <title>Chorus GraphQL IDE</title>
  <meta name="viewport" content="width=device-width, initial-scale=1" />
  <link rel="stylesheet" href="/graphiql-assets/graphiql.css" />
  <link rel="stylesheet" href="/graphiql-assets/page.css" />
</head>
<body>
  <div id="graphiql">Loading the GraphQL IDE...</div>
  <script src="/graphiql-assets/react.js"></script>
  <script src="/graphiql-assets/react-dom.js"></script>
  <script src="/graphiql-assets/graphql-ws.js"></script>
  <script src="/graphiql-assets/graphiql.js"></script>
  <script src="/graphiql-assets/setup.js"></script>
</body>
</html>`;
}
