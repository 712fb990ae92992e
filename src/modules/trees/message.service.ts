/**
 * Reads of messages and trees (spec §9.2). A whole tree is one query for its messages and one for its state,
 * whatever its size; lists are keyset pages on (created_date, id) at microsecond precision.
 * Untrusted API clients see only their own client's messages; trusted ones see every client's.
 */
import { preparedQuery } from "../../db/prepared.js";
import type { DataSource } from "typeorm";
import { ChorusError, ErrorCode } from "../../common/errors.js";
import { encodeCursor, keysetPage, keysetSql, SqlParams, type Page, type PageRequest } from "../../common/pagination.js";
import { MessageBranch, MessageNode, MessageRoleEnum, MessageTree, MessageTreeNode, MessageTreeStateNode, type MessagesFilterInput } from "./message.types.js";
import type { TreeState } from "./message-tree-state.entity.js";
import { availableSearchConfigs, searchConfigFor, searchConfigSql, searchConfigsInUse, searchMatchSql } from "./search.js";
import { isUuid } from "../../db/rows.js";

import type { RequestContext } from "../../common/request-context.js";

export interface MessageRow {
  id: string;
  parent_id: string | null;
  message_tree_id: string;
  frontend_message_id: string;
  user_id: string | null;
  text: string;
  lang: string;
  role: string;
  created_date: Date;
  depth: number;
  children_count: number;
  emojis: Record<string, number> | null;
  review_result: boolean | null;
  review_count: number;
  ranking_count: number;
  rank: number | null;
  deleted: boolean;
  edited: boolean;
  synthetic: boolean;
  model_name: string | null;
  api_client_id: string;
  cursor_at?: string;
}

export const MESSAGE_COLUMNS = `m.id, m.parent_id, m.message_tree_id, m.frontend_message_id, m.user_id, m.text, m.lang, m.role, m.created_date,
  m.depth, m.children_count, m.emojis, m.review_result, m.review_count, m.ranking_count, m.rank, m.deleted, m.edited, m.synthetic,
  m.model_name, m.api_client_id`;

export function toMessageNode(r: MessageRow): MessageNode {
  const n = new MessageNode();
  n.id = r.id;
  n.parentId = r.parent_id;
  n.messageTreeId = r.message_tree_id;
  n.frontendMessageId = r.frontend_message_id;
  n.userId = r.user_id;
  n.text = r.text;
  n.lang = r.lang;
  n.role = r.role === "assistant" ? MessageRoleEnum.ASSISTANT : MessageRoleEnum.PROMPTER;
  n.isAssistant = r.role === "assistant";
  n.createdDate = r.created_date;
  n.depth = r.depth;
  n.childrenCount = r.children_count;
  n.emojis = Object.entries(r.emojis ?? {})
    .map(([emoji, count]) => ({ emoji, count }))
    .sort((a, b) => a.emoji.localeCompare(b.emoji));
  n.reviewResult = r.review_result;
  n.reviewCount = r.review_count;
  n.rankingCount = r.ranking_count;
  n.rank = r.rank;
  n.deleted = r.deleted;
  n.edited = r.edited;
  n.synthetic = r.synthetic;
  n.modelName = r.model_name;
  n.apiClientId = r.api_client_id;
  return n;
}

export function messageNotFound(id?: string): ChorusError {
  return new ChorusError(ErrorCode.MESSAGE_NOT_FOUND, id ? `Message ${id} not found` : "Message not found");
}

export class MessageService {
  constructor(private readonly ds: DataSource) {}

  async get(rc: RequestContext, id: string): Promise<MessageNode> {
    const vis = rc.visibility;
    const rows: MessageRow[] = isUuid(id)
      ? await this.ds.query(`SELECT ${MESSAGE_COLUMNS} FROM message m WHERE m.id = $1 AND ($2::uuid IS NULL OR m.api_client_id = $2)`, [id, vis.apiClientId])
      : [];
    if (!rows[0]) throw messageNotFound(id);
    return toMessageNode(rows[0]);
  }

  /** Frontend ids are per client: the caller's own client's message. */
  async getByFrontendId(rc: RequestContext, frontendMessageId: string): Promise<MessageNode> {
    const apiClientId = rc.identity.apiClient!.id;
    const rows: MessageRow[] = await this.ds.query(`SELECT ${MESSAGE_COLUMNS} FROM message m WHERE m.api_client_id = $1 AND m.frontend_message_id = $2`, [
      apiClientId,
      frontendMessageId,
    ]);
    if (!rows[0]) throw messageNotFound(frontendMessageId);
    return toMessageNode(rows[0]);
  }

  async byIds(ids: readonly string[]): Promise<MessageNode[]> {
    const rows = await preparedQuery<MessageRow>(this.ds, `SELECT ${MESSAGE_COLUMNS} FROM message m WHERE m.id = ANY($1::uuid[])`, [ids]);
    return rows.map(toMessageNode);
  }

  async childrenOf(parentIds: readonly string[]): Promise<MessageNode[]> {
    const rows = await preparedQuery<MessageRow>(
      this.ds,
      `SELECT ${MESSAGE_COLUMNS} FROM message m WHERE m.parent_id = ANY($1::uuid[]) AND NOT m.deleted ORDER BY m.created_date, m.id`,
      [parentIds],
    );
    return rows.map(toMessageNode);
  }

  async treeStates(treeIds: readonly string[]): Promise<MessageTreeStateNode[]> {
    const rows: {
      message_tree_id: string;
      state: TreeState;
      active: boolean;
      goal_tree_size: number;
      max_depth: number;
      max_children_count: number;
      origin: string | null;
      lang: string;
      won_prompt_lottery_date: Date | null;
    }[] = await this.ds.query(`SELECT * FROM message_tree_state WHERE message_tree_id = ANY($1::uuid[])`, [treeIds]);
    return rows.map((r) =>
      Object.assign(new MessageTreeStateNode(), {
        messageTreeId: r.message_tree_id,
        state: r.state,
        active: r.active,
        goalTreeSize: r.goal_tree_size,
        maxDepth: r.max_depth,
        maxChildrenCount: r.max_children_count,
        origin: r.origin,
        lang: r.lang,
        wonPromptLotteryDate: r.won_prompt_lottery_date,
      }),
    );
  }

  /** The tree of any of its messages: flat (by depth, then age) and nested (replies by rank, then age). */
  async tree(rc: RequestContext, messageId: string, opts: { includeSpam: boolean; includeDeleted: boolean }): Promise<MessageTree> {
    const vis = rc.visibility;
    const actingUserId = rc.identity.user?.id ?? null;
    if (!isUuid(messageId)) throw messageNotFound(messageId);
    // The start message (visible to the caller) and its tree's rows in one statement; the acting user's emojis come
    // with the rows, so the per-message field needs no promise or loader.
    const rows = await preparedQuery<MessageRow & { user_emojis: string[] }>(
      this.ds,
      `WITH s AS (SELECT m.message_tree_id FROM message m WHERE m.id = $1 AND ($4::uuid IS NULL OR m.api_client_id = $4))
       SELECT ${MESSAGE_COLUMNS},
              ARRAY(SELECT e.emoji FROM message_emoji e WHERE e.message_id = m.id AND e.user_id = $5::uuid ORDER BY e.emoji) AS user_emojis
       FROM s JOIN message m ON m.message_tree_id = s.message_tree_id
       WHERE ($2::boolean OR NOT m.deleted) AND ($3::boolean OR m.review_result IS DISTINCT FROM false)
         AND ($4::uuid IS NULL OR m.api_client_id = $4)
       ORDER BY m.depth, m.created_date, m.id`,
      [messageId, opts.includeDeleted, opts.includeSpam, vis.apiClientId, actingUserId],
    );
    // No row: the start message is missing or hidden (get says so), or none of its tree's rows is shown.
    const treeId = rows[0]?.message_tree_id ?? (await this.get(rc, messageId)).messageTreeId;
    const messages = rows.map((r) => Object.assign(toMessageNode(r), { actingUserEmojis: r.user_emojis }));
    const [state] = await this.treeStates([treeId]);
    return { id: treeId, state: state ?? null, messages, root: nest(messages, treeId) };
  }

  /** Root → message over accepted live ancestors, the message itself included (spec §9.2). */
  async conversation(rc: RequestContext, messageId: string): Promise<MessageNode[]> {
    const vis = rc.visibility;
    await this.get(rc, messageId);
    const rows: (MessageRow & { up: number })[] = await this.ds.query(
      `WITH RECURSIVE path AS (
         SELECT ${MESSAGE_COLUMNS}, 0 AS up FROM message m WHERE m.id = $1
         UNION ALL SELECT ${MESSAGE_COLUMNS}, path.up + 1 FROM message m JOIN path ON m.id = path.parent_id
       ) SELECT * FROM path ORDER BY up DESC`,
      [messageId],
    );
    if (rows.length === 0 || rows[0].parent_id !== null) {
      throw new ChorusError(ErrorCode.BROKEN_CONVERSATION, "The conversation is broken");
    }
    return rows
      .filter((r) => r.up === 0 || (r.review_result === true && !r.deleted))
      .filter((r) => vis.apiClientId === null || r.api_client_id === vis.apiClientId)
      .map(toMessageNode);
  }

  async children(rc: RequestContext, messageId: string): Promise<MessageNode[]> {
    const vis = rc.visibility;
    if (!isUuid(messageId)) throw messageNotFound(messageId);
    // The parent's check (it exists and the caller may see it) and its children in one statement.
    const rows = await preparedQuery<MessageRow>(
      this.ds,
      `SELECT ${MESSAGE_COLUMNS} FROM message m
       WHERE m.parent_id = $1 AND NOT m.deleted AND ($2::uuid IS NULL OR m.api_client_id = $2)
         AND EXISTS (SELECT 1 FROM message p WHERE p.id = $1 AND ($2::uuid IS NULL OR p.api_client_id = $2))
       ORDER BY m.created_date, m.id`,
      [messageId, vis.apiClientId],
    );
    // No row: the parent is missing or hidden (get says so), or it has no live child the caller may see.
    if (rows.length === 0) await this.get(rc, messageId);
    return rows.map(toMessageNode);
  }

  /** The whole subtree below a message, flat, deleted and unreviewed messages included (spec §9.2). */
  async descendants(rc: RequestContext, messageId: string): Promise<MessageNode[]> {
    const vis = rc.visibility;
    await this.get(rc, messageId);
    const rows: MessageRow[] = await this.ds.query(
      `WITH RECURSIVE sub AS (
         SELECT ${MESSAGE_COLUMNS} FROM message m WHERE m.parent_id = $1
         UNION ALL SELECT ${MESSAGE_COLUMNS} FROM message m JOIN sub ON m.parent_id = sub.id
       ) SELECT * FROM sub WHERE ($2::uuid IS NULL OR api_client_id = $2) ORDER BY depth, created_date, id`,
      [messageId, vis.apiClientId],
    );
    return rows.map(toMessageNode);
  }

  /**
   * Per tree, the longest conversation (spec §9.2 `longest_conversation_in_tree`): the longest path from the root
   * down accepted, live messages the caller may see, root first; the oldest of equally deep ones. Empty when the
   * root itself is not accepted (yet), deleted or not visible. Two statements for any number of trees.
   */
  async longestConversations(rc: RequestContext, treeIds: readonly string[]): Promise<Map<string, MessageNode[]>> {
    const vis = rc.visibility;
    const paths: { message_tree_id: string; ids: string[] }[] = await this.ds.query(
      `WITH RECURSIVE path AS (
         SELECT m.id, m.message_tree_id, m.created_date, ARRAY[m.id] AS ids FROM message m
          WHERE m.id = ANY($1::uuid[]) AND m.parent_id IS NULL AND m.review_result AND NOT m.deleted AND ($2::uuid IS NULL OR m.api_client_id = $2)
         UNION ALL
         SELECT c.id, c.message_tree_id, c.created_date, p.ids || c.id FROM message c JOIN path p ON c.parent_id = p.id
          WHERE c.review_result AND NOT c.deleted AND ($2::uuid IS NULL OR c.api_client_id = $2)
       )
       SELECT DISTINCT ON (message_tree_id) message_tree_id, ids::text[] AS ids FROM path
        ORDER BY message_tree_id, cardinality(ids) DESC, created_date, id`,
      [treeIds, vis.apiClientId],
    );
    const messages = new Map((await this.byIds(paths.flatMap((p) => p.ids))).map((m) => [m.id, m]));
    const byTree = new Map(paths.map((p) => [p.message_tree_id, p.ids.map((id) => messages.get(id)!)]));
    return new Map(treeIds.map((id) => [id, byTree.get(id) ?? []]));
  }

  /**
   * Per tree, the widest branching (spec §9.2 `max_children_in_tree`): the accepted, live message the caller may
   * see with the most replies (`childrenCount`, which for an untrusted caller counts the replies it may see; the
   * shallowest, then oldest, of equals) with its accepted, live replies. Null when the tree has no such message.
   * Two statements for any number of trees.
   */
  async widestBranches(rc: RequestContext, treeIds: readonly string[]): Promise<Map<string, MessageBranch | null>> {
    const vis = rc.visibility;
    const widest: MessageRow[] = await this.ds.query(
      `SELECT DISTINCT ON (m.message_tree_id) ${MESSAGE_COLUMNS} FROM message m
        WHERE m.message_tree_id = ANY($1::uuid[]) AND m.review_result AND NOT m.deleted AND ($2::uuid IS NULL OR m.api_client_id = $2)
        ORDER BY m.message_tree_id,
          CASE WHEN $2::uuid IS NULL THEN m.children_count
               ELSE (SELECT count(*) FROM message c WHERE c.parent_id = m.id AND NOT c.deleted AND c.api_client_id = $2) END DESC,
          m.depth, m.created_date, m.id`,
      [treeIds, vis.apiClientId],
    );
    const replies: MessageRow[] = widest.length
      ? await this.ds.query(
          `SELECT ${MESSAGE_COLUMNS} FROM message m
            WHERE m.parent_id = ANY($1::uuid[]) AND m.review_result AND NOT m.deleted AND ($2::uuid IS NULL OR m.api_client_id = $2)
            ORDER BY m.rank NULLS LAST, m.created_date, m.id`,
          [widest.map((w) => w.id), vis.apiClientId],
        )
      : [];
    const byTree = new Map(
      widest.map((w) => [w.message_tree_id, { message: toMessageNode(w), replies: replies.filter((r) => r.parent_id === w.id).map(toMessageNode) }]),
    );
    return new Map(treeIds.map((id) => [id, byTree.get(id) ?? null]));
  }

  /**
   * Keyset page of messages in (created_date, id) order (newest first with `desc`), either way (Relay's
   * first/after and last/before); `search` reads the query in each message's language (see search.ts).
   */
  async list(rc: RequestContext, filter: MessagesFilterInput, req: PageRequest): Promise<Page<MessageNode>> {
    const vis = rc.visibility;
    const params = new SqlParams();
    const p = params.add;
    const where: string[] = [];
    const clientScope = vis.apiClientId ?? filter.apiClientId ?? null;
    if (clientScope) where.push(`m.api_client_id = ${p(clientScope)}`);
    if (filter.userId) where.push(`m.user_id = ${p(filter.userId)}::uuid`);
    if (filter.lang) where.push(`m.lang = ${p(filter.lang)}`);
    if (filter.onlyRoots) where.push(`m.parent_id IS NULL`);
    if (!filter.includeDeleted) where.push(`NOT m.deleted`);
    if (filter.since) where.push(`m.created_date >= ${p(filter.since)}`);
    if (filter.until) where.push(`m.created_date < ${p(filter.until)}`);
    if (filter.search) {
      const configs = await availableSearchConfigs(this.ds);
      const query = p(filter.search);
      if (filter.lang) {
        // Messages of one language: their vectors were all made with that language's configuration.
        where.push(searchMatchSql(`websearch_to_tsquery(${p(searchConfigFor(filter.lang, configs))}::regconfig, ${query})`, configs));
      } else {
        // Each message's vector was made with its own language's configuration, so the query is read the same way
        // per message ("jumping" finds "jump" in English). The first condition, the query read in every
        // configuration at once, is a constant the GIN index can answer; the second keeps only real matches.
        const everyLanguage = searchConfigsInUse(configs).map((c) => `websearch_to_tsquery('${c}'::regconfig, ${query})`);
        where.push(searchMatchSql(`(${everyLanguage.join(" || ")})`, configs));
        where.push(searchMatchSql(`websearch_to_tsquery(${searchConfigSql("m.lang", configs)}, ${query})`, configs));
      }
    }
    const keyset = keysetSql(req, { at: "m.created_date", id: "m.id", desc: filter.desc });
    const filters = new SqlParams(params.values);
    const clause = (conditions: string[]) => (conditions.length ? "WHERE " + conditions.join(" AND ") : "");
    const rows: MessageRow[] = await this.ds.query(
      `SELECT ${MESSAGE_COLUMNS}, to_char(m.created_date AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS cursor_at
       FROM message m ${clause([...where, ...keyset.conditions(p)])}
       ORDER BY ${keyset.orderBy} LIMIT ${keyset.limit}`,
      params.values,
    );
    const cursors = new Map<string, string>();
    const nodes = rows.map((r) => {
      cursors.set(r.id, encodeCursor({ at: r.cursor_at!, id: r.id }));
      return toMessageNode(r);
    });
    return keysetPage(
      nodes,
      req,
      (n) => cursors.get(n.id)!,
      async () => {
        const sql = `SELECT EXISTS (SELECT 1 FROM message m ${clause([...where, keyset.beyond(filters.add)])}) AS found`;
        const [{ found }] = await this.ds.query(sql, filters.values);
        return found as boolean;
      },
    );
  }
}

/** Nests a flat tree: replies ordered by rank (nulls last), then creation. */
function nest(messages: MessageNode[], rootId: string): MessageTreeNode | null {
  const nodes = new Map<string, MessageTreeNode>(messages.map((m) => [m.id, { message: m, replies: [] }]));
  for (const m of messages) {
    if (m.parentId && nodes.has(m.parentId)) nodes.get(m.parentId)!.replies.push(nodes.get(m.id)!);
  }
  for (const node of nodes.values()) {
    node.replies.sort(
      (a, b) =>
        (a.message.rank ?? Number.MAX_SAFE_INTEGER) - (b.message.rank ?? Number.MAX_SAFE_INTEGER) ||
        a.message.createdDate.getTime() - b.message.createdDate.getTime() ||
        a.message.id.localeCompare(b.message.id),
    );
  }
  return nodes.get(rootId) ?? null;
}
