import client from "prom-client";

/** Prometheus metrics of one server. Each server has its own registry (tests start several in one process). */
export class Metrics {
  readonly registry = new client.Registry();
  readonly operations: client.Counter<"operation" | "type" | "outcome">;
  readonly durations: client.Histogram<"operation" | "type">;
  readonly errors: client.Counter<"code">;
  readonly openSubscriptions: client.Gauge;
  readonly wsConnections: client.Gauge;
  readonly periodicRuns: client.Counter<"job" | "outcome">;
  readonly periodicDurations: client.Histogram<"job">;
  readonly operationConnections: client.Histogram;
  readonly identityLookups: client.Counter<"outcome">;

  constructor(opts: { defaultMetrics?: boolean; queryCounter?: { count: number } } = {}) {
    const counter = opts.queryCounter;
    if (counter) {
      new client.Counter({
        name: "chorus_db_queries_total",
        help: "SQL statements sent to PostgreSQL.",
        registers: [this.registry],
        collect() {
          this.reset();
          this.inc(counter.count);
        },
      });
    }
    if (opts.defaultMetrics ?? true) client.collectDefaultMetrics({ register: this.registry, prefix: "chorus_process_" });
    this.operations = new client.Counter({
      name: "chorus_graphql_operations_total",
      help: "GraphQL operations by name, type and outcome (ok or error).",
      labelNames: ["operation", "type", "outcome"],
      registers: [this.registry],
    });
    this.durations = new client.Histogram({
      name: "chorus_graphql_operation_duration_seconds",
      help: "Time to execute a GraphQL query or mutation.",
      labelNames: ["operation", "type"],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [this.registry],
    });
    this.errors = new client.Counter({
      name: "chorus_graphql_errors_total",
      help: "GraphQL errors returned, by extensions.code.",
      labelNames: ["code"],
      registers: [this.registry],
    });
    this.openSubscriptions = new client.Gauge({
      name: "chorus_graphql_open_subscriptions",
      help: "Subscriptions currently open over graphql-ws.",
      registers: [this.registry],
    });
    this.wsConnections = new client.Gauge({
      name: "chorus_ws_connections",
      help: "Open graphql-ws connections.",
      registers: [this.registry],
    });
    this.periodicRuns = new client.Counter({
      name: "chorus_periodic_job_runs_total",
      help: "Periodic job runs executed by this process, by job and outcome (ok or error); summed over replicas, one per interval.",
      labelNames: ["job", "outcome"],
      registers: [this.registry],
    });
    this.identityLookups = new client.Counter({
      name: "chorus_identity_lookups_total",
      help: "API-key lookups of requests: hit (from the identity cache, one read of the identity counter) or miss (the rows read).",
      labelNames: ["outcome"],
      registers: [this.registry],
    });
    this.operationConnections = new client.Histogram({
      name: "chorus_operation_db_connections",
      help: "The most database connections one GraphQL operation held at once (DATABASE_CONNECTIONS_PER_OPERATION bounds it).",
      buckets: [1, 2, 3, 4, 5, 8, 10, 16, 32, 64],
      registers: [this.registry],
    });
    this.periodicDurations = new client.Histogram({
      name: "chorus_periodic_job_duration_seconds",
      help: "Time one periodic job run took in this process.",
      labelNames: ["job"],
      buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 30, 120],
      registers: [this.registry],
    });
  }
}

/** Reports the parsed-document cache's estimated heap and size on every scrape. */
export function watchDocumentCache(metrics: Metrics, cache: { bytes: number; size: number }): void {
  new client.Gauge({
    name: "chorus_document_cache_bytes",
    help: "Estimated heap held by the cache of parsed GraphQL documents (DOCUMENT_CACHE_BYTES bounds it).",
    registers: [metrics.registry],
    collect() {
      this.set(cache.bytes);
    },
  });
  new client.Gauge({
    name: "chorus_document_cache_entries",
    help: "Parsed GraphQL documents in the cache.",
    registers: [metrics.registry],
    collect() {
      this.set(cache.size);
    },
  });
}

/** Keeps label cardinality bounded: anonymous operations and odd names collapse. */
export function operationLabel(name: string | null | undefined): string {
  if (!name) return "anonymous";
  return /^[A-Za-z_][A-Za-z0-9_]{0,63}$/.test(name) ? name : "invalid";
}
