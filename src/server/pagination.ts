import { ClassType, Field, ObjectType } from "type-graphql";
import { ChorusError, ErrorCode } from "./errors.js";

/** Relay connections: `first`/`after`, `edges { cursor node }`, `pageInfo`. */
@ObjectType({ description: "Where a page sits in its list.", simpleResolvers: true })
export class PageInfo {
  @Field({ description: "Whether more items follow this page." })
  hasNextPage: boolean;

  @Field(() => String, { nullable: true, description: "Pass as `after` to get the next page." })
  endCursor: string | null;
}

export interface Page<T> {
  nodes: T[];
  hasNextPage: boolean;
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
  return { edges, pageInfo: { hasNextPage: page.hasNextPage, endCursor: edges.length ? edges[edges.length - 1].cursor : null } };
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
