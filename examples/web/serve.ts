/**
 * The web example's own server: it serves the page (from its own origin, not the API's) and plays the part of your
 * app's backend: it holds a trusted API key and mints a user token for the visitor (POST /session), so the key
 * never reaches the browser. Sign-in is left out: a real backend mints the token for the user it has signed in.
 *
 *   CHORUS_API_URL=http://localhost:4000/graphql CHORUS_API_KEY=chk_... PORT=8080 node dist/examples/web/serve.js
 *
 * The API must allow the page's origin: CORS_ORIGINS=http://localhost:8080 on the Chorus server.
 */
import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import { ChorusClient, apiUrlFromEnv, requireEnv } from "../lib/chorus.js";
import { CreateUserTokenDocument } from "../../client/generated/graphql.js";

const ROOT = path.resolve(__dirname, "..", "..", "..");
/** URL prefix → folder; only these are served. */
const FOLDERS: Record<string, string> = {
  "/browser/": path.join(ROOT, "dist", "examples", "web", "browser"),
  "/vendor/graphql-ws/": path.join(ROOT, "node_modules", "graphql-ws", "dist"),
};
const TYPES: Record<string, string> = { ".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8" };

const apiUrl = apiUrlFromEnv();
const backend = new ChorusClient({ apiUrl, bearer: requireEnv("CHORUS_API_KEY") });

async function session(req: http.IncomingMessage): Promise<{ apiUrl: string; token: string; expiresAt: string }> {
  let body = "";
  for await (const chunk of req) body += chunk;
  const name = String((JSON.parse(body || "{}") as { name?: unknown }).name ?? "guest").slice(0, 64);
  const { createUserToken } = await backend.request(CreateUserTokenDocument, {
    input: { user: { authMethod: "web", id: name, displayName: name }, ttlSeconds: 900 },
  });
  return { apiUrl, token: createUserToken.token, expiresAt: createUserToken.expiresAt };
}

function file(res: http.ServerResponse, filePath: string): void {
  fs.readFile(filePath, (err, data) => {
    if (err) return void res.writeHead(404).end("not found");
    res.writeHead(200, { "content-type": TYPES[path.extname(filePath)] ?? "application/octet-stream" }).end(data);
  });
}

const server = http.createServer((req, res) => {
  const url = new URL(req.url ?? "/", "http://page");
  if (req.method === "POST" && url.pathname === "/session") {
    session(req).then(
      (s) => res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(s)),
      (err: unknown) => res.writeHead(502, { "content-type": "text/plain" }).end(err instanceof Error ? err.message : String(err)),
    );
    return;
  }
  if (url.pathname === "/") return file(res, path.join(ROOT, "examples", "web", "index.html"));
  for (const [prefix, folder] of Object.entries(FOLDERS)) {
    const target = path.join(folder, url.pathname.slice(prefix.length));
    // Nothing outside the folder (no `..`).
    if (url.pathname.startsWith(prefix) && target.startsWith(folder + path.sep)) return file(res, target);
  }
  res.writeHead(404).end("not found");
});

const port = Number(process.env.PORT ?? 8080);
server.listen(port, process.env.HOST ?? "127.0.0.1", () => {
  const address = server.address() as { port: number };
  console.log(`web example on http://localhost:${address.port}/ (API: ${apiUrl})`);
});
