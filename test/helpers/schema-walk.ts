/**
 * Walks the built schema the way an attacker walks the API: from a root field down every field that returns an
 * object, to a given depth. Generated from the schema's types (introspection of the built schema), so a field
 * added later is walked without anyone listing it. Used by the visibility class test.
 */
import {
  getNamedType,
  isAbstractType,
  isCompositeType,
  isNonNullType,
  isObjectType,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLObjectType,
  type GraphQLSchema,
} from "graphql";

/** An object-returning field, named `Type.field`. */
export type Edge = string;

function concreteTypes(schema: GraphQLSchema, type: GraphQLNamedType): readonly GraphQLObjectType[] {
  if (isAbstractType(type)) return schema.getPossibleTypes(type);
  return isObjectType(type) ? [type] : [];
}

function needsArguments(field: GraphQLField<unknown, unknown>): boolean {
  return field.args.some((a) => isNonNullType(a.type) && a.defaultValue === undefined);
}

/** Every object-returning field of every type reachable from `root`'s return type (whatever the depth). */
export function reachableEdges(schema: GraphQLSchema, root: GraphQLField<unknown, unknown>): Set<Edge> {
  const edges = new Set<Edge>();
  const seen = new Set<string>();
  const queue = [...concreteTypes(schema, getNamedType(root.type))];
  while (queue.length) {
    const type = queue.shift()!;
    if (seen.has(type.name)) continue;
    seen.add(type.name);
    for (const field of Object.values(type.getFields())) {
      const named = getNamedType(field.type);
      if (!isCompositeType(named)) continue;
      edges.add(`${type.name}.${field.name}`);
      queue.push(...concreteTypes(schema, named));
    }
  }
  return edges;
}

/** Nested fields that need arguments cannot be walked without a value: the test names them. */
export function edgesNeedingArguments(schema: GraphQLSchema, edges: Iterable<Edge>): Edge[] {
  return [...edges].filter((e) => {
    const [typeName, fieldName] = e.split(".");
    const type = schema.getType(typeName) as GraphQLObjectType;
    return needsArguments(type.getFields()[fieldName]);
  });
}

/**
 * The selection set for a value of `type`: `__typename`, every scalar and enum field, and every object-returning
 * field down to `depth` more levels (unions and interfaces through an inline fragment per possible type).
 * `selected` receives every edge the selection walks.
 */
export function selectionFor(schema: GraphQLSchema, type: GraphQLNamedType, depth: number, selected: Set<Edge>): string {
  const parts: string[] = ["__typename"];
  const types = concreteTypes(schema, type);
  for (const t of types) {
    const fields: string[] = [];
    for (const field of Object.values(t.getFields())) {
      if (needsArguments(field)) continue;
      const named = getNamedType(field.type);
      if (!isCompositeType(named)) {
        fields.push(field.name);
      } else if (depth > 0) {
        selected.add(`${t.name}.${field.name}`);
        fields.push(`${field.name} ${selectionFor(schema, named, depth - 1, selected)}`);
      }
    }
    if (isAbstractType(type)) parts.push(`... on ${t.name} { ${fields.join(" ")} }`);
    else parts.push(...fields);
  }
  return `{ ${parts.join(" ")} }`;
}

/** `query Walk($id: ID!) { message(id: $id) { ...every field to depth... } }` with the given variables' names. */
export function walkDocument(
  schema: GraphQLSchema,
  kind: "query" | "mutation" | "subscription",
  root: GraphQLField<unknown, unknown>,
  variableNames: string[],
  depth: number,
  selected: Set<Edge>,
): string {
  const args = root.args.filter((a) => variableNames.includes(a.name));
  const unknown = variableNames.filter((n) => !root.args.some((a) => a.name === n));
  if (unknown.length) throw new Error(`${root.name} has no argument ${unknown.join(", ")}`);
  const defs = args.map((a) => `$${a.name}: ${String(a.type)}`).join(", ");
  const call = args.length ? `(${args.map((a) => `${a.name}: $${a.name}`).join(", ")})` : "";
  const named = getNamedType(root.type);
  const selection = isCompositeType(named) ? ` ${selectionFor(schema, named, depth, selected)}` : "";
  return `${kind} Walk${defs ? `(${defs})` : ""} { ${root.name}${call}${selection} }`;
}

/** Every string in a value, with the path where it was found (JSON scalars included). */
export function stringsIn(value: unknown, path = ""): { path: string; value: string }[] {
  if (typeof value === "string") return [{ path, value }];
  if (Array.isArray(value)) return value.flatMap((v, i) => stringsIn(v, `${path}[${i}]`));
  if (value && typeof value === "object") {
    return Object.entries(value as Record<string, unknown>).flatMap(([k, v]) => stringsIn(v, path ? `${path}.${k}` : k));
  }
  return [];
}

/** Every object in a value that carries `__typename`, with its path. */
export function typedObjectsIn(value: unknown, path = ""): { path: string; object: Record<string, unknown> }[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => typedObjectsIn(v, `${path}[${i}]`));
  if (!value || typeof value !== "object") return [];
  const o = value as Record<string, unknown>;
  const here = typeof o.__typename === "string" ? [{ path, object: o }] : [];
  return [...here, ...Object.entries(o).flatMap(([k, v]) => typedObjectsIn(v, path ? `${path}.${k}` : k))];
}
