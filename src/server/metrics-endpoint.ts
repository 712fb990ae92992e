/**
 * Where `/metrics` is served. Metrics tell an outsider how busy the server is, which operations exist and which
 * errors happen, so they are not public on a deployment:
 * - METRICS_PORT set: served on that port only (on HOST), for a scraper inside the network; the public port answers 404;
 * - else METRICS_TOKEN set: served on the public port to `Authorization: Bearer <METRICS_TOKEN>` only (401 otherwise);
 * - else: served on the public port in local mode (no DATABASE_URL, a developer's machine) and not at all (404)
 *   when DATABASE_URL is set.
 */
import http from "node:http";
import crypto from "node:crypto";
import type { Request, Response } from "express";
import type { Config } from "../config/index.js";
import type { Metrics } from "./metrics.js";

export type MetricsExposure = "separate-port" | "token" | "public" | "off";

export function metricsExposure(config: Pick<Config, "metricsPort" | "metricsToken" | "databaseUrl">): MetricsExposure {
  if (config.metricsPort !== undefined) return "separate-port";
  if (config.metricsToken) return "token";
  return config.databaseUrl ? "off" : "public";
}

/** The handler for `/metrics` on the public port, or null when it is not served there. */
export function publicMetricsHandler(config: Config, metrics: Metrics): ((req: Request, res: Response) => Promise<void>) | null {
  const exposure = metricsExposure(config);
  if (exposure === "off" || exposure === "separate-port") return null;
  const expected = config.metricsToken ? crypto.createHash("sha256").update(config.metricsToken).digest() : null;
  return async (req, res) => {
    if (expected) {
      const m = /^Bearer\s+(.+)$/i.exec(req.header("authorization") ?? "");
      const given = crypto
        .createHash("sha256")
        .update(m ? m[1].trim() : "")
        .digest();
      if (!crypto.timingSafeEqual(given, expected)) {
        res.status(401).set("www-authenticate", 'Bearer realm="metrics"').json({ error: "METRICS_TOKEN required" });
        return;
      }
    }
    res.set("content-type", metrics.registry.contentType).send(await metrics.registry.metrics());
  };
}

/** Starts the separate metrics listener when METRICS_PORT is set; resolves to its port and a stop function. */
export async function startMetricsServer(config: Config, metrics: Metrics): Promise<{ port: number; stop(): Promise<void> } | null> {
  if (config.metricsPort === undefined) return null;
  const server = http.createServer((req, res) => {
    if (req.method !== "GET" || (req.url ?? "").split("?")[0] !== "/metrics") {
      res.writeHead(404, { "content-type": "application/json" }).end(JSON.stringify({ error: "not found", see: ["/metrics"] }));
      return;
    }
    metrics.registry.metrics().then(
      (text) => res.writeHead(200, { "content-type": metrics.registry.contentType }).end(text),
      () => res.writeHead(500).end(),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(config.metricsPort, config.host, () => resolve());
  });
  return {
    port: (server.address() as { port: number }).port,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
