/** What admins read about workers: the registry's records as GraphQL types, and the per-model pools. */
import type { GenerationQueue } from "../../infra/queue/index.js";
import type { ModelCatalog } from "../chat/models.js";
import type { WorkerInfo, WorkerPool } from "./worker.types.js";
import type { WorkerRecord } from "./sessions/worker-registry.js";

/** Per declared model: its workers, their jobs, its queue and its throughput. */
export async function poolsOf(records: WorkerRecord[], catalog: ModelCatalog, queue: GenerationQueue): Promise<WorkerPool[]> {
  const active = await queue.activeJobs();
  const pools: WorkerPool[] = [];
  for (const model of catalog.ids()) {
    const serving = records.filter((r) => r.models.includes(model));
    pools.push({
      model,
      workers: serving.length,
      capacity: serving.filter((r) => !r.draining).reduce((n, r) => n + r.capacity, 0),
      inFlightJobs: active.filter((j) => j.model === model).length,
      queueDepth: await queue.size(model),
      tokensPerSecond: serving.reduce((n, r) => n + (r.tokensPerSecondByModel[model] ?? 0), 0),
    });
  }
  return pools;
}

export function toWorkerInfo(r: WorkerRecord): WorkerInfo {
  return {
    id: r.id,
    name: r.name,
    models: r.models,
    capacity: r.capacity,
    device: r.device,
    hardwareDescription: r.hardwareDescription,
    protocolVersion: r.protocolVersion,
    canContinue: r.canContinue,
    inFlightJobs: r.inFlightJobs,
    draining: r.draining,
    tokensPerSecond: r.tokensPerSecond,
    connectedAt: new Date(r.connectedAt),
    lastSeenAt: new Date(r.lastSeenAt),
  };
}
