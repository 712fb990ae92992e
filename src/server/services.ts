import type { DataSource } from "typeorm";
import type { Logger } from "pino";
import type { Redis } from "ioredis";
import type { Config } from "../config.js";
import { ApiClientService } from "../modules/api-clients/api-client.service.js";
import { UserService } from "../modules/users/user.service.js";
import { UserTokenSigner } from "./user-token.js";
import type { PubSubHandle } from "../infra/pubsub.js";
import type { Metrics } from "./metrics.js";

/** The long-lived services of one server process, reachable from every request's context. */
export interface AppServices {
  config: Config;
  log: Logger;
  ds: DataSource;
  redis: Redis | null;
  pubSub: PubSubHandle;
  metrics: Metrics;
  apiClients: ApiClientService;
  users: UserService;
  startedAt: Date;
  /** The user-token signer; available once the database is reachable (the secret may live there). */
  tokens(): UserTokenSigner;
  isReady(): boolean;
}

export function createServices(
  base: Pick<AppServices, "config" | "log" | "ds" | "redis" | "pubSub" | "metrics">,
  state: { ready: () => boolean; signer: () => UserTokenSigner },
): AppServices {
  return {
    ...base,
    apiClients: new ApiClientService(base.ds),
    users: new UserService(base.ds),
    startedAt: new Date(),
    tokens: state.signer,
    isReady: state.ready,
  };
}
