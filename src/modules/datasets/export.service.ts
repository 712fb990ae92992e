/**
 * `chorus export` (spec §8.1–8.2): trees or messages as Open-Assistant JSONL, streamed page by page inside one
 * read-only snapshot, so memory stays constant whatever the database size and the file is consistent.
 */
import type { DataSource, QueryRunner } from "typeorm";
import { TreeState } from "../trees/message-tree-state.entity.js";
import { isUuid } from "../../db/rows.js";
import { Anonymizer, isoDateSql, MESSAGE_EXTRAS_EVENTS, sortRepliesByRank, type ExportMessageNode, type LabelValue, type MessageEvents } from "./format.js";
import { stringifyDeep } from "./deep-json.js";
import { IMPORT_API_CLIENT_ID } from "./import-ids.js";
import { labelWeightSql } from "../labels/label-weight.js";
import type { LineWriter } from "./jsonl-stream.js";
import type { RequestContext } from "../../common/request-context.js";
import { forbidden } from "../../common/errors.js";
import { Role, roleAtLeast } from "../users/role.js";

/** A three-way message filter: only matching (default), any (`--include-*`) or only the opposite (`--*-only`). */
export type Inclusion = "exclude" | "include" | "only";

export interface ExportOptions {
  /** A tree state, or `all`. */
  state: string;
  lang: string | null;
  deleted: Inclusion;
  spam: Inclusion;
  synthetic: Inclusion;
  userId: string | null;
  promptsOnly: boolean;
  exportLabels: boolean;
  exportEvents: boolean;
  limit: number | null;
  anonymizerSeed: string | null;
}

export const DEFAULT_EXPORT_OPTIONS: ExportOptions = {
  state: TreeState.READY_FOR_EXPORT,
  lang: null,
  deleted: "exclude",
  spam: "exclude",
  synthetic: "exclude",
  userId: null,
  promptsOnly: false,
  exportLabels: false,
  exportEvents: false,
  limit: null,
  anonymizerSeed: null,
};

export interface ExportSummary {
  mode: "trees" | "messages";
  trees: number;
  messages: number;
}

/** Rows per round trip: big enough to amortise latency, small enough that a page of trees fits easily. */
const TREE_PAGE = 200;
const MESSAGE_PAGE = 2000;

interface MessageRow {
  id: string;
  parent_id: string | null;
  message_tree_id: string;
  user_id: string | null;
  created: string;
  created_key: string;
  text: string;
  role: "prompter" | "assistant";
  lang: string;
  review_count: number;
  review_result: boolean | null;
  deleted: boolean;
  rank: number | null;
  synthetic: boolean;
  model_name: string | null;
  emojis: Record<string, number> | null;
  extras: Record<string, unknown> | null;
}

/** Builds `AND ...` clauses with numbered parameters. */
class Where {
  readonly params: unknown[] = [];
  private readonly parts: string[] = [];
  add(sql: (p: (v: unknown) => string) => string): this {
    this.parts.push(sql((v) => `$${this.params.push(v)}`));
    return this;
  }
  sql(): string {
    return this.parts.length ? this.parts.map((p) => `AND ${p}`).join(" ") : "";
  }
}

const VALID_STATES = new Set<string>([...Object.values(TreeState), "all"]);

export function validateExportOptions(o: ExportOptions): void {
  if (!VALID_STATES.has(o.state)) throw new Error(`--state must be one of ${[...VALID_STATES].join(", ")}`);
  if (o.userId !== null && o.state !== DEFAULT_EXPORT_OPTIONS.state && o.state !== "all") {
    throw new Error("--state cannot be combined with --user (a user's messages are exported whatever their tree's state)");
  }
  if (o.limit !== null && (!Number.isInteger(o.limit) || o.limit < 1)) throw new Error("--limit must be a positive integer");
  if (o.userId !== null && !isUuid(o.userId)) throw new Error("--user must be a user id (a UUID)");
}

/** Message-list output, as the reference switches to it (spec §8.2). */
export function exportsMessages(o: ExportOptions): boolean {
  return o.userId !== null || o.deleted === "only" || o.spam === "only" || o.synthetic === "only";
}

export class DatasetExporter {
  private readonly anonymizer: Anonymizer | null;
  /** The import's system user, which stands for the events a restored file gave no user: exported as null again. */
  private importSystemUserId: string | null = null;

  constructor(
    private readonly ds: DataSource,
    private readonly options: ExportOptions,
  ) {
    validateExportOptions(options);
    this.anonymizer = options.anonymizerSeed === null ? null : new Anonymizer(options.anonymizerSeed);
  }

  /**
   * Writes the file. A full export holds every client's data: the caller must administer the whole system (an
   * ADMIN of a trusted client, or the command line's operator); the HTTP door checks it first and answers 403.
   */
  async run(rc: RequestContext, out: LineWriter, onProgress?: (s: ExportSummary) => void): Promise<ExportSummary> {
    const internal = rc.identity.via === "cli" || rc.identity.via === "system";
    if (!roleAtLeast(rc.role, Role.ADMIN) || !(internal || rc.identity.apiClient?.trusted === true)) {
      throw forbidden("Exports need an admin key of a trusted client");
    }
    const qr = this.ds.createQueryRunner();
    await qr.connect();
    // One snapshot for the whole file: trees being written meanwhile appear whole or not at all.
    await qr.startTransaction("REPEATABLE READ");
    try {
      await qr.query("SET TRANSACTION READ ONLY");
      const system: { id: string }[] = await qr.query(`SELECT id FROM "user" WHERE api_client_id = $1 AND username = 'import' AND auth_method = 'system'`, [
        IMPORT_API_CLIENT_ID,
      ]);
      this.importSystemUserId = system[0]?.id ?? null;
      const summary: ExportSummary = { mode: exportsMessages(this.options) ? "messages" : "trees", trees: 0, messages: 0 };
      if (this.options.userId !== null) await this.exportUserMessages(qr, out, summary, onProgress);
      else await this.exportTreePages(qr, out, summary, onProgress);
      await qr.commitTransaction();
      return summary;
    } catch (e) {
      await qr.rollbackTransaction();
      throw e;
    } finally {
      await qr.release();
    }
  }

  /** The per-message filters every mode shares (spec §8.2), on alias `m`. */
  private messageFilters(where: Where, alias = "m"): Where {
    const o = this.options;
    if (o.deleted === "exclude") where.add(() => `NOT ${alias}.deleted`);
    if (o.deleted === "only") where.add(() => `${alias}.deleted`);
    if (o.spam === "exclude") where.add(() => `${alias}.review_result IS TRUE`);
    if (o.spam === "only") where.add(() => `${alias}.review_result IS FALSE`);
    if (o.synthetic === "only") where.add(() => `${alias}.synthetic`);
    if (o.promptsOnly) where.add(() => `${alias}.parent_id IS NULL`);
    return where;
  }

  /**
   * The next page of trees after `after` (key order), with the tree filters. A page walks the state rows in key order
   * from its bound and probes each tree's root and (OFFSET 0 in both) synthetic messages by index until the page is
   * full: neither can become a merge or a hash join, which would read every row below the bound on each page. On a
   * 100,000-tree database the planner chose a merge anti join for the synthetic check once the message table had
   * grown (filled to 80 %): 1.75 s a page against 19 ms (issue 14); 10-14 ms a page there now, with nested loops
   * turned off too.
   */
  treePageQuery(after: string, pageSize: number): { sql: string; params: unknown[] } {
    const o = this.options;
    const where = new Where().add((p) => `s.message_tree_id > ${p(after)}::uuid`);
    if (o.state !== "all") where.add((p) => `s.state = ${p(o.state)}`);
    if (o.lang !== null) where.add((p) => `r.lang = ${p(o.lang)}`);
    if (o.synthetic === "exclude") {
      where.add(() => `NOT EXISTS (SELECT 1 FROM message x WHERE x.message_tree_id = s.message_tree_id AND x.synthetic OFFSET 0)`);
    }
    // A tree whose root is filtered out is skipped (the reference's "corrupted tree"); filtering here keeps --limit exact.
    if (!exportsMessages(o)) this.messageFilters(where, "r");
    return {
      sql: `SELECT s.message_tree_id AS id, s.state, s.origin, s.extras FROM message_tree_state s
            CROSS JOIN LATERAL (SELECT * FROM message m WHERE m.id = s.message_tree_id OFFSET 0) r
            WHERE true ${where.sql()} ORDER BY s.message_tree_id LIMIT ${pageSize}`,
      params: where.params,
    };
  }

  private async exportTreePages(qr: QueryRunner, out: LineWriter, summary: ExportSummary, onProgress?: (s: ExportSummary) => void) {
    const o = this.options;
    let after = "00000000-0000-0000-0000-000000000000";
    let remaining = o.limit ?? Number.POSITIVE_INFINITY;
    while (remaining > 0) {
      const page = this.treePageQuery(after, Math.min(TREE_PAGE, remaining));
      const trees: TreeRow[] = await qr.query(page.sql, page.params);
      if (trees.length === 0) break;
      after = trees[trees.length - 1].id;
      remaining -= trees.length;

      const mw = this.messageFilters(new Where().add((p) => `m.message_tree_id = ANY(${p(trees.map((t) => t.id))}::uuid[])`));
      const rows: MessageRow[] = await qr.query(
        `${this.selectMessages()} WHERE true ${mw.sql()} ORDER BY m.message_tree_id, m.depth, m.created_date, m.id`,
        mw.params,
      );
      const { labels, events } = await this.extras(
        qr,
        rows.map((r) => r.id),
      );

      if (summary.mode === "messages") {
        for (const row of rows) await out.write(JSON.stringify(this.node(row, labels, events, false)));
        summary.messages += rows.length;
        summary.trees += trees.length;
      } else {
        const byTree = new Map<string, MessageRow[]>();
        for (const row of rows) {
          const list = byTree.get(row.message_tree_id);
          if (list) list.push(row);
          else byTree.set(row.message_tree_id, [row]);
        }
        for (const t of trees) {
          const tree = this.buildTree(t, byTree.get(t.id) ?? [], labels, events);
          if (!tree) continue;
          // Trees are data and may be thousands of levels deep, past what JSON.stringify's recursion reaches.
          await out.write(stringifyDeep(tree.tree));
          summary.trees += 1;
          summary.messages += tree.messages;
        }
      }
      onProgress?.(summary);
    }
  }

  private async exportUserMessages(qr: QueryRunner, out: LineWriter, summary: ExportSummary, onProgress?: (s: ExportSummary) => void) {
    const o = this.options;
    let after: { created: string; id: string } | null = null;
    let remaining = o.limit ?? Number.POSITIVE_INFINITY;
    while (remaining > 0) {
      const where = this.messageFilters(new Where().add((p) => `m.user_id = ${p(o.userId)}::uuid`));
      if (o.lang !== null) where.add((p) => `m.lang = ${p(o.lang)}`);
      if (o.synthetic === "exclude") where.add(() => `NOT m.synthetic`);
      if (after) {
        const a = after;
        where.add((p) => `(m.created_date, m.id) > (${p(a.created)}::timestamptz, ${p(a.id)}::uuid)`);
      }
      const rows: MessageRow[] = await qr.query(
        `${this.selectMessages()} WHERE true ${where.sql()} ORDER BY m.created_date, m.id LIMIT ${Math.min(MESSAGE_PAGE, remaining)}`,
        where.params,
      );
      if (rows.length === 0) break;
      const last = rows[rows.length - 1];
      after = { created: last.created_key, id: last.id };
      remaining -= rows.length;
      const { labels, events } = await this.extras(
        qr,
        rows.map((r) => r.id),
      );
      for (const row of rows) await out.write(JSON.stringify(this.node(row, labels, events, false)));
      summary.messages += rows.length;
      onProgress?.(summary);
    }
  }

  private selectMessages(): string {
    return `SELECT m.id, m.parent_id, m.message_tree_id, m.user_id, ${isoDateSql("m.created_date")} AS created,
      m.created_date::text AS created_key, m.text, m.role, m.lang, m.review_count, m.review_result, m.deleted, m.rank,
      m.synthetic, m.model_name, m.emojis, m.extras FROM message m`;
  }

  /** Labels and events of a page's messages, fetched in two queries rather than per message. */
  private async extras(qr: QueryRunner, ids: string[]) {
    const labels = new Map<string, Record<string, LabelValue>>();
    const events = new Map<string, MessageEvents>();
    if (ids.length === 0) return { labels, events };
    if (this.options.exportLabels) {
      // jsonb numbers are numerics: averaging them as numeric gives back exactly a restored average. A label counts
      // once per review it stands for (label-weight.ts: a restored row carries its reviews' count).
      const rows: { message_id: string; name: string; value: string | null; count: number }[] = await qr.query(
        `SELECT l.message_id, e.key AS name, (sum((e.value #>> '{}')::numeric * w.n) / sum(w.n))::text AS value, sum(w.n)::int AS count
         FROM text_labels l CROSS JOIN LATERAL jsonb_each(l.labels) e CROSS JOIN LATERAL (SELECT ${labelWeightSql("l", "e.key")} AS n) w
         WHERE l.message_id = ANY($1::uuid[]) AND jsonb_typeof(e.value) = 'number'
         GROUP BY l.message_id, e.key ORDER BY l.message_id, e.key`,
        [ids],
      );
      for (const r of rows) {
        if (r.value === null) continue;
        const m = labels.get(r.message_id) ?? {};
        m[r.name] = { value: Number(r.value), count: r.count };
        labels.set(r.message_id, m);
      }
    }
    if (this.options.exportEvents) {
      const emojiRows: { message_id: string; user_id: string; emoji: string }[] = await qr.query(
        `SELECT message_id, user_id, emoji FROM message_emoji WHERE message_id = ANY($1::uuid[]) ORDER BY message_id, created_date, user_id, emoji`,
        [ids],
      );
      for (const r of emojiRows) {
        const e = events.get(r.message_id) ?? {};
        (e.emoji ??= []).push({ type: "emoji", user_id: this.eventUser(r.user_id), emoji: r.emoji });
        events.set(r.message_id, e);
      }
      const reactionRows: { message_id: string; user_id: string; payload: Record<string, unknown> }[] = await qr.query(
        `SELECT message_id, user_id, payload FROM message_reaction WHERE message_id = ANY($1::uuid[]) ORDER BY message_id, created_date, task_id`,
        [ids],
      );
      for (const r of reactionRows) {
        const e = events.get(r.message_id) ?? {};
        const p = r.payload;
        const extras = (p.extras ?? {}) as Record<string, unknown>;
        if (p.type === "message_rating") {
          (e.rating ??= []).push({ type: "rating", user_id: this.eventUser(r.user_id), rating: p.rating as number, ...extras });
        } else if (p.type === "message_ranking") {
          const a = this.anonymizer;
          (e.ranking ??= []).push({
            type: "ranking",
            user_id: this.eventUser(r.user_id),
            ranking: p.ranking as number[],
            ranked_message_ids: (p.ranked_message_ids as string[]).map((id) => (a ? a.anonymize("message", id) : id)),
            ranking_parent_id: a ? a.anonymize("message", p.ranking_parent_id as string) : (p.ranking_parent_id as string),
            message_tree_id: a ? a.anonymize("message_tree", p.message_tree_id as string) : (p.message_tree_id as string),
            ...(p.not_rankable === true ? { not_rankable: true } : {}),
            ...extras,
          });
        } else continue;
        events.set(r.message_id, e);
      }
    }
    return { labels, events };
  }

  /** A user id as written: pseudonymised with a seed. */
  private anonUser(id: string): string {
    return this.anonymizer ? this.anonymizer.anonymize("user", id) : id;
  }

  /** An event's user: the import's system user stands for an event a restored file gave no user, written as null. */
  private eventUser(id: string | null): string | null {
    return id === null || id === this.importSystemUserId ? null : this.anonUser(id);
  }

  private anonMessage(id: string): string {
    return this.anonymizer ? this.anonymizer.anonymize("message", id) : id;
  }

  /**
   * Kept fields as written: ids the format defines (a node's `message_tree_id`) are pseudonymised like the rest,
   * and so are the users of kept events; the other fields are written as they came.
   */
  private keptFields(extras: Record<string, unknown> | null): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    if (!extras) return out;
    for (const [k, v] of Object.entries(extras)) {
      if (k === MESSAGE_EXTRAS_EVENTS) continue;
      out[k] = this.anonymizer && k === "message_tree_id" && typeof v === "string" ? this.anonMessage(v) : v;
    }
    return out;
  }

  /** Events that are not rows (kinds without a table, emoji events with keys of their own), after the rows' ones. */
  private keptEvents(extras: Record<string, unknown> | null, into: MessageEvents | undefined): MessageEvents | undefined {
    const kept = extras?.[MESSAGE_EXTRAS_EVENTS] as Record<string, Record<string, unknown>[]> | undefined;
    if (!kept) return into;
    const out: MessageEvents = { ...(into ?? {}) };
    for (const [kind, list] of Object.entries(kept)) {
      const mapped = list.map((e) => (this.anonymizer && typeof e.user_id === "string" ? { ...e, user_id: this.anonUser(e.user_id) } : e));
      out[kind] = [...(out[kind] ?? []), ...mapped];
    }
    return out;
  }

  /** One node with the reference's field order (`None` fields omitted), then the fields kept from an import. */
  private node(r: MessageRow, labels: Map<string, Record<string, LabelValue>>, events: Map<string, MessageEvents>, withReplies: boolean): ExportMessageNode {
    const node: ExportMessageNode = {
      message_id: this.anonMessage(r.id),
      ...(r.parent_id !== null ? { parent_id: this.anonMessage(r.parent_id) } : {}),
      ...(r.user_id !== null ? { user_id: this.anonUser(r.user_id) } : {}),
      created_date: r.created,
      text: r.text,
      role: r.role,
      lang: r.lang,
      review_count: r.review_count,
      // The reference publishes a verdict only once it is final: accepted, or rejected after more than two reviews.
      ...(r.review_result === true || (r.review_result !== null && r.review_count > 2) ? { review_result: r.review_result } : {}),
      deleted: r.deleted,
      ...(r.rank !== null ? { rank: r.rank } : {}),
      synthetic: r.synthetic,
      ...(r.model_name !== null ? { model_name: r.model_name } : {}),
      // The column is never null here (default {}), so an empty object stands for the reference's None.
      ...(r.emojis && Object.keys(r.emojis).length > 0 ? { emojis: r.emojis } : {}),
      ...(withReplies ? { replies: [] } : {}),
    };
    const l = labels.get(r.id);
    if (l && Object.keys(l).length > 0) node.labels = l;
    const e = this.options.exportEvents ? this.keptEvents(r.extras, events.get(r.id)) : undefined;
    if (e && Object.keys(e).length > 0) node.events = e;
    return Object.assign(node, this.keptFields(r.extras));
  }

  /** Nests a tree's rows; rows whose parent was filtered out vanish with their subtree, as in the reference. */
  private buildTree(
    t: TreeRow,
    rows: MessageRow[],
    labels: Map<string, Record<string, LabelValue>>,
    events: Map<string, MessageEvents>,
  ): { tree: Record<string, unknown>; messages: number } | null {
    const withReplies = !this.options.promptsOnly;
    const nodes = new Map<string, ExportMessageNode>();
    let root: ExportMessageNode | null = null;
    let count = 0;
    // Rows come by depth, so a parent is always placed before its children.
    for (const r of rows) {
      const node = this.node(r, labels, events, withReplies);
      if (r.parent_id === null) {
        if (r.id !== t.id) continue;
        root = node;
      } else {
        const parent = nodes.get(r.parent_id);
        if (!parent || !withReplies) continue;
        parent.replies!.push(node);
      }
      nodes.set(r.id, node);
      count += 1;
    }
    if (!root) return null;
    if (withReplies) for (const n of nodes.values()) n.replies = sortRepliesByRank(n.replies!);
    return {
      tree: {
        // Spec §8.2 QUIRK fixed: the reference left the tree id in clear, which is the root's id and so undid
        // the anonymisation of every prompt; it is now the root's pseudonym, keeping tree id = root id.
        message_tree_id: this.anonMessage(t.id),
        tree_state: t.state,
        prompt: root,
        ...(t.origin !== null ? { origin: t.origin } : {}),
        ...(t.extras ?? {}),
      },
      messages: count,
    };
  }
}

interface TreeRow {
  id: string;
  state: string;
  origin: string | null;
  extras: Record<string, unknown> | null;
}
