/**
 * fast-check arbitraries built from GraphQL input types: mostly values of the right type but hostile content
 * (huge and empty strings, NUL, lone surrogates, RTL marks, 4-byte emoji, injection strings, negative and huge
 * numbers, wide lists), and now and then a value of the wrong type or a deep nest.
 */
import fc from "fast-check";
import { GraphQLEnumType, GraphQLInputObjectType, GraphQLList, GraphQLNonNull, type GraphQLInputType, type GraphQLScalarType } from "graphql";
import { minimalValue } from "./schema-ops.js";

/** Strings that have broken SQL, JSON, logs or terminals somewhere. */
export const INJECTION_STRINGS = [
  "'; DROP TABLE message; --",
  "' OR '1'='1",
  "1); DELETE FROM api_client; --",
  "\\'; TRUNCATE users; --",
  "$1",
  "%s%s%s%n",
  "{{7*7}}",
  // biome-ignore lint/suspicious/noTemplateCurlyInString: an injection string, on purpose
  "${process.exit()}",
  "<script>alert(1)</script>",
  "../../../../etc/passwd",
  "__proto__",
  "constructor",
  "' UNION SELECT key_hash FROM api_client --",
  '"; SELECT pg_sleep(10); --',
];

export const EDGE_STRINGS = [
  "",
  " ",
  "\u0000",
  "a\u0000b",
  "\uD800",
  "x\uDFFFy",
  "\u202Egnp.exe",
  "\u200F\u200E\u061C",
  "👩‍👩‍👧‍👦",
  "𝕏𝔸𝕄",
  "\uFEFF",
  "\r\n\t",
  "🏳️‍🌈".repeat(50),
  "ß".repeat(300),
];

const bigString = fc.constantFrom(200, 1_000, 10_000, 100_000).map((n) => "x".repeat(n));
const hostileString = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...EDGE_STRINGS, ...INJECTION_STRINGS) },
  { weight: 2, arbitrary: fc.string({ unit: "binary", maxLength: 64 }) },
  { weight: 1, arbitrary: fc.string({ maxLength: 16 }) },
  { weight: 1, arbitrary: bigString },
);

const hostileInt = fc.oneof(fc.integer({ min: -5, max: 5 }), fc.constantFrom(-1, 0, 1, 2_147_483_647, -2_147_483_648, 1_000_000), fc.integer());
/** Numbers a GraphQL Int refuses: they must end as a clean BAD_USER_INPUT. */
const badInt = fc.constantFrom(2_147_483_648, -2_147_483_649, 1.5, 1e300, Number.MAX_SAFE_INTEGER);
const hostileFloat = fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.constantFrom(-1, 0, 1e308, -1e308, 5e-324));

/** Any JSON value, including a 300-level nest and a 5,000-key object. */
export const wrongTypeValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 1, arbitrary: fc.constant(null) },
  { weight: 1, arbitrary: fc.integer({ min: 50, max: 300 }).map((d) => nest(d)) },
  { weight: 1, arbitrary: fc.constant(Object.fromEntries(Array.from({ length: 5_000 }, (_, i) => [`k${i}`, i]))) },
);

function nest(depth: number): unknown {
  let v: unknown = "bottom";
  for (let i = 0; i < depth; i++) v = i % 2 ? [v] : { a: v };
  return v;
}

export interface ArbitraryOptions {
  /** Real ids to mix in (messages, tasks, chats, users), so generated calls reach past "not found". */
  ids: string[];
  /** Now and then a value of the wrong type (or an unknown input field) instead of a right one. */
  wrongTypes?: boolean;
}

export function arbitraryFor(type: GraphQLInputType, opts: ArbitraryOptions, name = "", depth = 0): fc.Arbitrary<unknown> {
  const right = rightTypeFor(type, opts, name, depth);
  if (!opts.wrongTypes) return right;
  return fc.oneof({ weight: 5, arbitrary: right }, { weight: 1, arbitrary: wrongTypeValue });
}

function rightTypeFor(type: GraphQLInputType, opts: ArbitraryOptions, name: string, depth: number): fc.Arbitrary<unknown> {
  if (type instanceof GraphQLNonNull) return rightTypeFor(type.ofType, opts, name, depth);
  if (type instanceof GraphQLList) {
    const item = arbitraryFor(type.ofType, opts, name, depth + 1);
    return fc.oneof(
      { weight: 6, arbitrary: fc.array(item, { maxLength: 6 }) },
      // wide: thousands of one small valid item (generating thousands of hostile ones costs the test, not the server)
      { weight: 1, arbitrary: fc.integer({ min: 500, max: 3_000 }).map((n) => Array.from({ length: n }, () => minimalValue(type.ofType))) },
    );
  }
  if (type instanceof GraphQLEnumType) {
    return fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...type.getValues().map((v) => v.name)) }, { weight: 1, arbitrary: hostileString });
  }
  if (type instanceof GraphQLInputObjectType) {
    if (depth > 4) return fc.constant({});
    const fields = Object.values(type.getFields());
    const model: Record<string, fc.Arbitrary<unknown>> = {};
    for (const f of fields) model[f.name] = arbitraryFor(f.type, opts, f.name, depth + 1);
    const required = fields.filter((f) => f.type instanceof GraphQLNonNull && f.defaultValue === undefined).map((f) => f.name);
    const record = fc.record(model, { requiredKeys: required });
    if (!opts.wrongTypes) return record;
    return fc
      .tuple(record, fc.option(hostileString, { freq: 2 }))
      .map(([obj, extra]) => (extra === null ? obj : { ...(obj as object), [`unknown_${extra.length}`]: extra }));
  }
  return scalarFor(type as GraphQLScalarType, opts, name);
}

function scalarFor(type: GraphQLScalarType, opts: ArbitraryOptions, name: string): fc.Arbitrary<unknown> {
  switch (type.name) {
    case "ID":
      return fc.oneof(
        { weight: 4, arbitrary: opts.ids.length ? fc.constantFrom(...opts.ids) : fc.uuid() },
        { weight: 3, arbitrary: fc.uuid() },
        { weight: 2, arbitrary: hostileString },
      );
    case "Int":
      return fc.oneof({ weight: 8, arbitrary: hostileInt }, { weight: 1, arbitrary: badInt });
    case "Float":
      return hostileFloat;
    case "Boolean":
      return fc.boolean();
    case "DateTimeISO":
      return fc.oneof(
        fc.date({ min: new Date(-8_000_000_000_000_000), max: new Date(8_000_000_000_000_000), noInvalidDate: true }).map((d) => d.toISOString()),
        hostileString,
      );
    case "String":
      if (name === "authMethod") return fc.oneof({ weight: 3, arbitrary: fc.constant("local") }, { weight: 1, arbitrary: hostileString });
      return hostileString;
    default:
      return fc.oneof(hostileString, fc.jsonValue({ maxDepth: 2 }));
  }
}
