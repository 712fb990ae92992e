/**
 * Every root operation of the built schema, and a document and minimal valid-looking variables for each: the
 * authorisation matrix and the fuzzer walk the schema itself, so an operation added later cannot be forgotten.
 */
import crypto from "node:crypto";
import {
  GraphQLEnumType,
  GraphQLInputObjectType,
  GraphQLList,
  GraphQLNonNull,
  GraphQLScalarType,
  getNamedType,
  isCompositeType,
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLSchema,
} from "graphql";

export type OperationKind = "query" | "mutation" | "subscription";

export interface RootOperation {
  kind: OperationKind;
  name: string;
  field: GraphQLField<unknown, unknown>;
}

export function rootOperations(schema: GraphQLSchema): RootOperation[] {
  const out: RootOperation[] = [];
  const roots: [OperationKind, ReturnType<GraphQLSchema["getQueryType"]>][] = [
    ["query", schema.getQueryType()],
    ["mutation", schema.getMutationType()],
    ["subscription", schema.getSubscriptionType()],
  ];
  for (const [kind, type] of roots) {
    if (!type) continue;
    for (const field of Object.values(type.getFields())) out.push({ kind, name: field.name, field });
  }
  return out;
}

/**
 * `mutation Op($input: T!, ...) { op(input: $input) { __typename } }`: every argument goes through a variable so
 * generated values travel as JSON, and the selection is the least any return type accepts.
 */
export function documentFor(op: RootOperation, argNames: string[] = op.field.args.map((a) => a.name)): string {
  const args = op.field.args.filter((a) => argNames.includes(a.name));
  const vars = args.map((a) => `$${a.name}: ${String(a.type)}`).join(", ");
  const call = args.length ? `(${args.map((a) => `${a.name}: $${a.name}`).join(", ")})` : "";
  const selection = isCompositeType(getNamedType(op.field.type)) ? " { __typename }" : "";
  return `${op.kind} Op${vars ? `(${vars})` : ""} { ${op.name}${call}${selection} }`;
}

/** Values that pass GraphQL coercion: required fields filled, optional ones left out. */
export function minimalVariables(op: RootOperation, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const vars: Record<string, unknown> = {};
  for (const arg of op.field.args) {
    if (arg.name in overrides) vars[arg.name] = overrides[arg.name];
    else if (isRequired(arg)) vars[arg.name] = minimalValue(arg.type, arg.name);
  }
  return vars;
}

function isRequired(arg: Pick<GraphQLArgument, "type" | "defaultValue">): boolean {
  return arg.type instanceof GraphQLNonNull && arg.defaultValue === undefined;
}

export function minimalValue(type: GraphQLInputType, name = ""): unknown {
  if (type instanceof GraphQLNonNull) return minimalValue(type.ofType, name);
  if (type instanceof GraphQLList) return [minimalValue(type.ofType, name)];
  if (type instanceof GraphQLEnumType) return type.getValues()[0].name;
  if (type instanceof GraphQLInputObjectType) {
    const out: Record<string, unknown> = {};
    for (const f of Object.values(type.getFields())) {
      if (f.type instanceof GraphQLNonNull && f.defaultValue === undefined) out[f.name] = minimalValue(f.type, f.name);
    }
    return out;
  }
  return scalarValue(type as GraphQLScalarType, name);
}

function scalarValue(type: GraphQLScalarType, name: string): unknown {
  switch (type.name) {
    case "ID":
      return crypto.randomUUID();
    case "Int":
      return 1;
    case "Float":
      return 0.5;
    case "Boolean":
      return false;
    case "DateTimeISO":
      return new Date().toISOString();
    case "String":
      // a user reference's parts have a format of their own; any other string gets a short text
      if (name === "authMethod") return "local";
      return `authz-${crypto.randomBytes(3).toString("hex")}`;
    default:
      return "x";
  }
}
