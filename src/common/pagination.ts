import { ClassType, Field, ObjectType } from "type-graphql";
import { ChorusError, ErrorCode, badInput } from "./errors.js";

/**
 * Relay connections: `first`/`after` (and, on lists that page both ways, `last`/`before`), `edges { cursor node }`,
 * `pageInfo`, as the Relay cursor connections specification defines them.
 */
@ObjectType({ description: "Where a page sits in its list.", simpleResolvers: true })
export class PageInfo {
  @Field({ description: "Whether more items follow this page (paging back with `before`: whether any item follows that cursor)." })
  hasNextPage: boolean;

  @Field({
    description:
      "Whether items come before this page (paging forward with `after`: whether any item precedes that cursor; false on lists that page forward only).",
  })
  hasPreviousPage: boolean;

  @Field(() => String, { nullable: true, description: "The first item's cursor: pass as `before` (with `last`) for the page before." })
  startCursor: string | null;

  @Field(() => String, { nullable: true, description: "The last item's cursor: pass as `after` to get the next page." })
  endCursor: string | null;
}

export interface Page<T> {
  nodes: T[];
  hasNextPage: boolean;
  /** Lists that page forward only leave it out (false, as the Relay specification allows). */
  hasPreviousPage?: boolean;
  cursorOf: (node: T) => string;
}

export interface Edge<T> {
  cursor: string;
  node: T;
}
export interface Connection<T> {
  edges: Edge<T>[];
  pageInfo: PageInfo;
}

export function toConnection<T>(page: Page<T>): Connection<T> {
  const edges = page.nodes.map((node) => ({ cursor: page.cursorOf(node), node }));
  return {
    edges,
    pageInfo: {
      hasNextPage: page.hasNextPage,
      hasPreviousPage: page.hasPreviousPage ?? false,
      startCursor: edges.length ? edges[0].cursor : null,
      endCursor: edges.length ? edges[edges.length - 1].cursor : null,
    },
  };
}

/** Which slice of a list a client asked for: `first` items after `after`, or the `last` items before `before`. */
export interface PageRequest {
  direction: "forward" | "backward";
  size: number;
  after: KeysetCursor | null;
  before: KeysetCursor | null;
}

/**
 * Reads Relay's paging arguments. `first` and `last` together are refused (the specification discourages it and
 * the answer would be ambiguous); with neither, the first `defaultSize` items. `after` and `before` may be combined
 * to page within a range.
 */
export function pageRequest(
  args: { first?: number | null; after?: string | null; last?: number | null; before?: string | null },
  limits: { defaultSize: number; maxSize: number },
): PageRequest {
  if (args.first != null && args.last != null) throw badInput("Pass first (with after) or last (with before), not both", { field: "last" });
  const backward = args.last != null;
  const size = backward ? args.last! : (args.first ?? limits.defaultSize);
  if (!Number.isInteger(size) || size < 1 || size > limits.maxSize) {
    throw badInput(`${backward ? "last" : "first"} must be from 1 to ${limits.maxSize}`, { field: backward ? "last" : "first" });
  }
  return {
    direction: backward ? "backward" : "forward",
    size,
    after: args.after ? decodeCursor(args.after) : null,
    before: args.before ? decodeCursor(args.before) : null,
  };
}

/**
 * The SQL of a keyset page over a list ordered by (timestamp, id), ascending or (`desc`) descending: the cursor
 * conditions, the order to read in (reversed when paging back, so LIMIT takes the rows nearest the cursor), and the
 * condition for "an item lies beyond the cursor on the other side", which pageInfo needs. Conditions are built with
 * the caller's `param` (adds a bound parameter, returns its placeholder), so each statement binds only what it uses.
 */
export function keysetSql(req: PageRequest, key: { at: string; id: string; desc: boolean }) {
  const tuple = `(${key.at}, ${key.id})`;
  const cursor = (c: KeysetCursor, param: (v: unknown) => string) => `(${param(c.at)}::timestamptz, ${param(c.id)}::uuid)`;
  // In list order, "after" is greater for an ascending list and smaller for a descending one.
  const later = key.desc ? "<" : ">";
  const earlier = key.desc ? ">" : "<";
  const readDesc = req.direction === "forward" ? key.desc : !key.desc;
  const dir = readDesc ? "DESC" : "ASC";
  return {
    conditions(param: (v: unknown) => string): string[] {
      const out: string[] = [];
      if (req.after) out.push(`${tuple} ${later} ${cursor(req.after, param)}`);
      if (req.before) out.push(`${tuple} ${earlier} ${cursor(req.before, param)}`);
      return out;
    },
    orderBy: `${key.at} ${dir}, ${key.id} ${dir}`,
    /** The reading direction of both key columns, for query builders that take one column at a time. */
    direction: dir as "ASC" | "DESC",
    limit: req.size + 1,
    /** Paging forward from `after`: anything at or before it? Paging back from `before`: at or after it? */
    beyond(param: (v: unknown) => string): string {
      return req.direction === "forward" ? `${tuple} ${earlier}= ${cursor(req.after!, param)}` : `${tuple} ${later}= ${cursor(req.before!, param)}`;
    },
  };
}

/** Bound parameters for raw SQL: `add` appends one and returns its placeholder; `from` continues another list. */
export class SqlParams {
  readonly values: unknown[];
  constructor(values: unknown[] = []) {
    this.values = [...values];
  }
  readonly add = (value: unknown): string => {
    this.values.push(value);
    return `$${this.values.length}`;
  };
}

/**
 * Turns the rows read by `keysetSql` (at most size + 1, in reading order) into a page in list order. `beyondExists`
 * answers whether an item lies on the other side of the cursor (asked only when there is such a cursor).
 */
export async function keysetPage<T>(rows: T[], req: PageRequest, cursorOf: (node: T) => string, beyondExists: () => Promise<boolean>): Promise<Page<T>> {
  const more = rows.length > req.size;
  const nodes = rows.slice(0, req.size);
  const hasBeyond = (req.direction === "forward" ? req.after : req.before) ? await beyondExists() : false;
  if (req.direction === "forward") return { nodes, hasNextPage: more, hasPreviousPage: hasBeyond, cursorOf };
  return { nodes: nodes.reverse(), hasNextPage: hasBeyond, hasPreviousPage: more, cursorOf };
}

/** Builds `XxxConnection` and `XxxEdge` object types for a node type. */
export function ConnectionType<T extends object>(node: ClassType<T>, name: string) {
  @ObjectType(`${name}Edge`, { description: `One ${name} in a page.`, simpleResolvers: true })
  class EdgeType {
    @Field({ description: "Opaque cursor of this item." })
    cursor: string;

    @Field(() => node, { description: `The ${name}.` })
    node: T;
  }

  @ObjectType(`${name}Connection`, { description: `A page of ${name} items.`, simpleResolvers: true })
  class ConnectionClass {
    @Field(() => [EdgeType], { description: "The items of this page, in order." })
    edges: EdgeType[];

    @Field(() => PageInfo, { description: "Paging information." })
    pageInfo: PageInfo;
  }
  return ConnectionClass;
}

export interface KeysetCursor {
  at: string;
  id: string;
}

export function encodeCursor(cursor: KeysetCursor): string {
  return Buffer.from(JSON.stringify([cursor.at, cursor.id]), "utf8").toString("base64url");
}

export function decodeCursor(value: string): KeysetCursor {
  try {
    const [at, id] = JSON.parse(Buffer.from(value, "base64url").toString("utf8")) as unknown[];
    if (typeof at === "string" && typeof id === "string" && !Number.isNaN(Date.parse(at))) return { at, id };
  } catch {
    // fall through to the typed error
  }
  throw new ChorusError(ErrorCode.INVALID_CURSOR_VALUE, "The cursor is not valid");
}
