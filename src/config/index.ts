/**
 * The one place that reads the environment. Every setting is declared once in ./declarations.ts (typed, validated,
 * with a default); this file builds the config object from those declarations. A bad value stops start-up with a
 * message that names the variable and what it accepts (exit code 2 in main.ts and cli.ts).
 */
import { DECLARATIONS } from "./declarations.js";
import type { Env } from "./errors.js";
import { isCompound, isVariable, type Built, type Node } from "./variable.js";

export { ConfigError } from "./errors.js";
export { isPlaceholderSecret, type IntrospectionPolicy, type LogLevel, type TaskRateLimits } from "./declarations.js";
export type { RateLimitSetting } from "./parsers.js";

/** The typed configuration, derived from the declarations: a new declaration is a new field. */
export type Config = Built<typeof DECLARATIONS>;
export type ChatConfig = Config["chat"];
export type StatsConfig = Config["stats"];
export type ArenaConfig = Config["arena"];

function build(node: Node, env: Env): unknown {
  if (isVariable(node)) return node.parse(env, node.name, node.default);
  if (isCompound(node)) return node.build(env);
  return Object.fromEntries(Object.entries(node).map(([key, child]) => [key, build(child, env)]));
}

/** Reads every declared variable in declaration order; the first bad one throws its ConfigError. */
export function loadConfig(env: Env = process.env): Config {
  return build(DECLARATIONS, env) as Config;
}

/** The names of every variable the API reads except the tree manager's (`TREE_MANAGER_VARIABLES`), in declaration order. */
export const CONFIG_VARIABLES: readonly string[] = (() => {
  const names: string[] = [];
  const walk = (node: Node) => {
    if (isVariable(node)) names.push(node.name);
    else if (isCompound(node)) names.push(...node.variables.filter((v) => v.group !== "treeManager").map((v) => v.name));
    else Object.values(node).forEach(walk);
  };
  walk(DECLARATIONS);
  return names;
})();

/** Test and tooling defaults, read here so that no other file touches process.env. */
export function testEnvironment(env: Env = process.env) {
  return {
    databaseUrl: env.DATABASE_URL?.trim() || "postgres://postgres@127.0.0.1:5432/postgres",
    redisUrl: env.REDIS_URL?.trim() || "redis://127.0.0.1:6379",
  };
}
