/** /readyz's report: whether the database and Redis answer, and whether the server is shutting down. */
import type { AppServices } from "./services.js";

export interface Readiness {
  ready: boolean;
  database: "ok" | "down" | "starting";
  redis: "ok" | "down" | "not configured";
}

export async function readiness(app: AppServices, stopping: boolean): Promise<Readiness & { stopping?: boolean }> {
  let database: Readiness["database"] = "starting";
  if (app.isReady()) {
    try {
      await withTimeout(app.ds.query("SELECT 1"), 2000);
      database = "ok";
    } catch {
      database = "down";
    }
  }
  let redis: Readiness["redis"] = "not configured";
  if (app.redis) {
    try {
      await withTimeout(app.redis.ping(), 2000);
      redis = "ok";
    } catch {
      redis = "down";
    }
  }
  const ready = !stopping && database === "ok" && redis !== "down";
  return stopping ? { ready, database, redis, stopping } : { ready, database, redis };
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error("timeout")), ms);
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      (e) => {
        clearTimeout(t);
        reject(e);
      },
    );
  });
}
