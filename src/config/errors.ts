/**
 * The error a bad setting throws. It lives apart from the loader so that every reader of a setting (the declarations,
 * the tree-manager table, the embedded database's port check) can throw it without importing the loader: the old
 * `config.ts ⇄ consensus/tree-config.ts` cycle came from exactly that.
 */
export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`Invalid configuration: ${variable} ${message}`);
    this.name = "ConfigError";
  }
}

/** The environment, or any record standing in for it (tests, docker/.env.example). */
export type Env = Record<string, string | undefined>;
