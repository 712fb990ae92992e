/**
 * `chorus import` (spec §8.4 and issue 4): Open-Assistant JSONL into the database, streamed line by line in
 * batches of whole trees. A transaction only ever holds whole trees and a failed batch is retried tree by tree,
 * so a failure never leaves a tree half-imported; memory does not grow with the file.
 *
 * - `backlog` is the reference's import: machine-made trees waiting to be ranked.
 * - `restore` is lossless: ids, authors (as placeholder users), dates, states, review results, ranks, emoji
 *   counts, label averages and events come back as they were, so exporting again reproduces the file.
 */
import crypto from "node:crypto";
import type { DataSource, QueryRunner } from "typeorm";
import { hashApiKey } from "../../server/keys.js";
import { rowsOf } from "../../db/rows.js";
import { searchConfigFor } from "../trees/search.js";
import { TERMINAL_STATES, TreeState } from "../trees/message-tree-state.entity.js";
import { LineError, parseLine, type ParsedLine, type ParsedMessage } from "./import-parse.js";
import { readLines } from "./jsonl-stream.js";

/** The reference's fixed id of the import API client (spec §1.1). */
export const IMPORT_API_CLIENT_ID = "bd8fde8b-1d8e-4e9a-9966-e96d000f8363";

export type ImportMode = "backlog" | "restore";

export interface ImportOptions {
  mode: ImportMode;
  /** Origin recorded on imported trees; restore keeps each tree's own when this is null. */
  origin: string | null;
  /** model_name of messages that name none (backlog). */
  modelName: string | null;
  /** Backlog: the first N imported trees go straight to `ranking`. */
  numActivate: number;
  /** Stop after this many imported trees. */
  maxCount: number | null;
  /** Check every line against the database, then roll every tree back. */
  dryRun: boolean;
  /** Sizes restored trees get, since the format does not carry them (the tree manager's configuration). */
  restoredTreeLimits: { goalTreeSize: number; maxDepth: number; maxChildrenCount: number };
}

export interface ImportProblem {
  line: number;
  reason: string;
}

export interface ImportSummary {
  mode: ImportMode;
  dryRun: boolean;
  lines: number;
  treesImported: number;
  messagesImported: number;
  /** Message-list lines imported as single messages. */
  standaloneMessages: number;
  activated: number;
  /** Trees or messages already in the database (importing a file twice changes nothing). */
  alreadyPresent: number;
  duplicates: { line: number; firstLine: number; id: string }[];
  problems: ImportProblem[];
  /** Problems beyond the ones kept in `problems`. */
  moreProblems: number;
  /** Fields outside what the database stores, by name, with how many times they were dropped. */
  ignoredFields: Record<string, number>;
}

/** Enough to act on; a file of garbage should not fill memory with complaints. */
const MAX_PROBLEMS_KEPT = 1000;

/** A UUID derived from a name, so rows a restore writes get the same ids every time (idempotent re-imports). */
function nameUuid(name: string): string {
  const h = crypto.createHash("sha256").update(name).digest();
  h[6] = (h[6] & 0x0f) | 0x50;
  h[8] = (h[8] & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString("hex");
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

function labelBaselineUserId(position: number): string {
  return nameUuid(`chorus:label-baseline-user:${position}`);
}

function reasonOf(e: unknown): string {
  return e instanceof LineError ? e.message : `rejected by the database: ${(e as Error).message}`;
}

/** A parsed tree line waiting in the current batch. */
type PendingTree = Extract<ParsedLine, { kind: "tree" }> & { line: number };

const MAX_KNOWN_USERS = 50_000;

/** Trees and messages per batch: large enough to amortise round trips, small enough to stay a few MB. */
const BATCH_TREES = 250;
const BATCH_MESSAGES = 5000;

/** States a tree only reaches after winning the prompt lottery. */
const GREW_STATES: ReadonlySet<TreeState> = new Set([
  TreeState.GROWING,
  TreeState.RANKING,
  TreeState.READY_FOR_SCORING,
  TreeState.READY_FOR_EXPORT,
  TreeState.SCORING_FAILED,
]);

/** Rolls a dry-run tree back after all its statements ran. */
class DryRun extends Error {}

export class DatasetImporter {
  private readonly summary: ImportSummary;
  private searchConfigs: Set<string> | null = null;
  private systemUserId: string | null = null;
  /** Users known to exist (committed), so placeholders are not written again and again. */
  private readonly knownUsers = new Set<string>();
  private labelBaselineUsers = 0;

  constructor(
    private readonly ds: DataSource,
    private readonly options: ImportOptions,
  ) {
    this.summary = {
      mode: options.mode,
      dryRun: options.dryRun,
      lines: 0,
      treesImported: 0,
      messagesImported: 0,
      standaloneMessages: 0,
      activated: 0,
      alreadyPresent: 0,
      duplicates: [],
      problems: [],
      moreProblems: 0,
      ignoredFields: {},
    };
  }

  async run(file: string, onProgress?: (s: ImportSummary) => void): Promise<ImportSummary> {
    const qr = this.ds.createQueryRunner();
    await qr.connect();
    // PostgreSQL spends most of an import's CPU (mostly to_tsvector of every text), on one backend per
    // connection: a second connection writing the next batch meanwhile puts the second core to work. Batches hold
    // disjoint whole trees, so they commute; a --max-count or --num-activate import stays on one connection,
    // because how many trees it writes or activates depends on what the earlier batches found.
    const concurrent = this.options.maxCount === null && (this.options.mode === "restore" || this.options.numActivate === 0);
    const runners: QueryRunner[] = [qr];
    const inFlight: Promise<void>[] = [];
    const drain = async () => {
      // Every write settles before anything fails, so no query runner is released while in use.
      const results = await Promise.allSettled(inFlight.splice(0));
      const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
      if (failed) throw failed.reason;
    };
    try {
      // Every transaction still commits whole trees; not waiting for the WAL flush of each commit is what makes
      // them cheap. A crash loses at most the last trees, which a re-run imports (it skips trees present).
      await qr.query(`SET synchronous_commit TO off`);
      if (concurrent) {
        const second = this.ds.createQueryRunner();
        await second.connect();
        runners.push(second);
        await second.query(`SET synchronous_commit TO off`);
      }
      await this.prepare(qr);
      const firstLineOf = new Map<string, number>();
      let batch: PendingTree[] = [];
      let batchMessages = 0;
      const idle = [...runners];
      const flush = async () => {
        if (batch.length === 0) return;
        const trees = batch;
        batch = [];
        batchMessages = 0;
        if (this.needsLabelBaselineUsers(trees.flatMap((t) => t.messages))) {
          // Rare (once per larger label count): the reviewers must be committed before any batch uses them.
          await drain();
          idle.splice(0, idle.length, ...runners);
          await this.ensureLabelBaselineUsers(qr, trees.flatMap((t) => t.messages));
        }
        while (idle.length === 0) await Promise.race(inFlight);
        const runner = idle.shift()!;
        const write = this.writeBatch(runner, trees).then(() => {
          idle.push(runner);
          const at = inFlight.indexOf(write);
          if (at >= 0) inFlight.splice(at, 1);
          onProgress?.(this.summary);
        });
        // Kept until drained so a failure is reported, never left unhandled.
        write.catch(() => undefined);
        inFlight.push(write);
      };
      /** Waits for every batch written so far (before a message line, a count check, and at the end). */
      const settle = async () => {
        await flush();
        await drain();
        idle.splice(0, idle.length, ...runners);
      };
      const room = () => (this.options.maxCount === null ? Infinity : this.options.maxCount - this.summary.treesImported - this.summary.standaloneMessages);
      for await (const [lineNo, line] of readLines(file)) {
        if (room() - batch.length <= 0) {
          await settle();
          if (room() <= 0) break;
        }
        if (line.trim() === "") continue;
        this.summary.lines += 1;
        let parsed;
        try {
          parsed = parseLine(line);
        } catch (e) {
          if (!(e instanceof LineError)) throw e;
          this.problem(lineNo, e.message);
          continue;
        }
        const id = parsed.kind === "tree" ? parsed.treeId : parsed.message.id;
        const first = firstLineOf.get(id);
        if (first !== undefined) {
          this.summary.duplicates.push({ line: lineNo, firstLine: first, id });
          continue;
        }
        firstLineOf.set(id, lineNo);
        for (const f of parsed.ignoredFields) this.summary.ignoredFields[f] = (this.summary.ignoredFields[f] ?? 0) + 1;
        if (parsed.kind === "tree") {
          if (this.options.mode === "restore" && parsed.state === null) {
            this.problem(lineNo, "tree_state missing (a restore keeps each tree's state)");
            continue;
          }
          batch.push({ line: lineNo, ...parsed });
          batchMessages += parsed.messages.length;
          if (batch.length >= BATCH_TREES || batchMessages >= BATCH_MESSAGES) await flush();
          continue;
        }
        // A message line may answer a message of a queued tree: write the queue first.
        await settle();
        onProgress?.(this.summary);
        try {
          await this.ensureLabelBaselineUsers(qr, [parsed.message]);
          if ((await this.importMessage(qr, parsed.message)) === "present") this.summary.alreadyPresent += 1;
        } catch (e) {
          this.problem(lineNo, reasonOf(e));
        }
      }
      await settle();
      onProgress?.(this.summary);
      // A bulk load leaves the planner's statistics stale, and the next export would pick slow plans.
      if (!this.options.dryRun && this.summary.messagesImported > 0) {
        await qr.query(`ANALYZE message, message_tree_state, text_labels, message_emoji, message_reaction, "user"`);
      }
      return this.summary;
    } finally {
      await Promise.allSettled(inFlight);
      // The connections go back to a pool that others may share: leave them as they were.
      for (const r of runners) {
        await r.query(`RESET synchronous_commit`).catch(() => undefined);
        await r.release();
      }
    }
  }

  /**
   * Writes a batch of trees in one transaction, every statement covering the whole batch (round trips, not rows,
   * are what an import spends its time on). If the batch fails, each tree is retried in its own transaction, so
   * the good trees land, the bad one is reported with its line, and no tree is ever half-written.
   */
  private async writeBatch(qr: QueryRunner, batch: PendingTree[]) {
    try {
      const result = await this.inTransaction(qr, () => this.writeTrees(qr, batch));
      this.recordWritten(result);
    } catch (e) {
      if (batch.length === 1) {
        this.problem(batch[0].line, reasonOf(e));
        return;
      }
      for (const tree of batch) {
        try {
          this.recordWritten(await this.inTransaction(qr, () => this.writeTrees(qr, [tree])));
        } catch (err) {
          this.problem(tree.line, reasonOf(err));
        }
      }
    }
  }

  private recordWritten(result: { imported: PendingTree[]; present: number; activated: number; newUsers: string[] }) {
    this.summary.treesImported += result.imported.length;
    for (const t of result.imported) this.summary.messagesImported += t.messages.length;
    this.summary.alreadyPresent += result.present;
    this.summary.activated += result.activated;
    if (!this.options.dryRun) this.rememberUsers(result.newUsers);
  }

  /** The cache only saves round trips (inserts are ON CONFLICT DO NOTHING), so it is emptied rather than let grow. */
  private rememberUsers(ids: string[]) {
    if (this.knownUsers.size + ids.length > MAX_KNOWN_USERS) {
      this.knownUsers.clear();
      if (this.systemUserId) this.knownUsers.add(this.systemUserId);
    }
    for (const u of ids) this.knownUsers.add(u);
  }

  private async writeTrees(qr: QueryRunner, batch: PendingTree[]) {
    const restore = this.options.mode === "restore";
    const presentRows: { id: string }[] = await qr.query(`SELECT message_tree_id AS id FROM message_tree_state WHERE message_tree_id = ANY($1::uuid[])`, [
      batch.map((t) => t.treeId),
    ]);
    const present = new Set(presentRows.map((r) => r.id));
    const trees = batch.filter((t) => !present.has(t.treeId));
    const result = { imported: trees, present: present.size, activated: 0, newUsers: [] as string[] };
    if (trees.length === 0) return result;
    const messages = trees.flatMap((t) => t.messages.map((m) => ({ treeId: t.treeId, m })));
    const clash: { id: string }[] = await qr.query(`SELECT id FROM message WHERE id = ANY($1::uuid[]) LIMIT 1`, [messages.map((x) => x.m.id)]);
    if (clash.length > 0) throw new LineError(`message ${clash[0].id} already exists outside this tree`);

    if (restore) result.newUsers = await this.ensurePlaceholderUsers(qr, messages.map((x) => x.m));
    await this.insertMessages(qr, messages);

    const origins = trees.map((t) => this.options.origin ?? t.origin);
    const langs = trees.map((t) => t.messages[0].lang ?? "en");
    if (restore) {
      const limits = this.options.restoredTreeLimits;
      const states = trees.map((t) => t.state as TreeState);
      await qr.query(
        `INSERT INTO message_tree_state (message_tree_id, goal_tree_size, max_depth, max_children_count, state, active, origin, won_prompt_lottery_date, lang)
         SELECT u.id, $2, $3, $4, u.state, u.active, u.origin, CASE WHEN u.grew THEN COALESCE(u.root_created::timestamptz, now()) END, u.lang
         FROM unnest($1::uuid[], $5::text[], $6::boolean[], $7::text[], $8::boolean[], $9::text[], $10::text[]) AS u(id, state, active, origin, grew, root_created, lang)`,
        [
          trees.map((t) => t.treeId),
          limits.goalTreeSize,
          limits.maxDepth,
          limits.maxChildrenCount,
          states,
          states.map((s) => !TERMINAL_STATES.has(s)),
          origins,
          // A tree that ever grew won the prompt lottery; un-halting it later resumes growing (spec §3.2 T9).
          trees.map((t, i) => t.messages.length > 1 || GREW_STATES.has(states[i])),
          trees.map((t) => t.messages[0].createdDate),
          langs,
        ],
      );
      await this.insertLabels(qr, messages.map((x) => x.m));
      await this.insertEvents(qr, messages.map((x) => x.m));
    } else {
      const activate = trees.map((_, i) => this.summary.activated + i < this.options.numActivate);
      await qr.query(
        `INSERT INTO message_tree_state (message_tree_id, goal_tree_size, max_depth, max_children_count, state, active, origin, lang)
         SELECT u.id, 0, 0, 0, CASE WHEN u.active THEN $5 ELSE $6 END, u.active, u.origin, u.lang
         FROM unnest($1::uuid[], $2::boolean[], $3::text[], $4::text[]) AS u(id, active, origin, lang)`,
        [trees.map((t) => t.treeId), activate, origins, langs, TreeState.RANKING, TreeState.BACKLOG_RANKING],
      );
      result.activated = activate.filter(Boolean).length;
    }
    return result;
  }

  private problem(line: number, reason: string) {
    if (this.summary.problems.length < MAX_PROBLEMS_KEPT) this.summary.problems.push({ line, reason });
    else this.summary.moreProblems += 1;
  }

  /** The import API client and its system user `import` (spec §1.1–1.2), created once. */
  private async prepare(qr: QueryRunner) {
    const configs: { cfgname: string }[] = await qr.query(`SELECT cfgname FROM pg_ts_config`);
    this.searchConfigs = new Set(configs.map((r) => r.cfgname));
    if (this.options.dryRun) {
      // Nothing may be written: use the system user if it exists, else a stand-in that is rolled back with each tree.
      const found: { id: string }[] = await qr.query(
        `SELECT id FROM "user" WHERE api_client_id = $1 AND username = 'import' AND auth_method = 'system'`,
        [IMPORT_API_CLIENT_ID],
      );
      this.systemUserId = found[0]?.id ?? nameUuid("chorus:import-system-user");
      return;
    }
    // The key is a random secret nobody is told: the client owns imported rows but can never log in.
    await qr.query(
      `INSERT INTO api_client (id, name, key_hash, key_prefix, kind, trusted, role, frontend_type, enabled)
       VALUES ($1, 'import', $2, 'import', 'CLIENT', false, 'USER', 'import', false) ON CONFLICT (id) DO NOTHING`,
      [IMPORT_API_CLIENT_ID, hashApiKey(crypto.randomBytes(32).toString("hex"))],
    );
    await qr.query(
      `INSERT INTO "user" (id, username, auth_method, display_name, api_client_id, show_on_leaderboard, tos_acceptance_date)
       VALUES ($1, 'import', 'system', '__system__/import', $2, false, now()) ON CONFLICT DO NOTHING`,
      [nameUuid("chorus:import-system-user"), IMPORT_API_CLIENT_ID],
    );
    const rows: { id: string }[] = await qr.query(
      `SELECT id FROM "user" WHERE api_client_id = $1 AND username = 'import' AND auth_method = 'system'`,
      [IMPORT_API_CLIENT_ID],
    );
    this.systemUserId = rows[0].id;
    this.knownUsers.add(this.systemUserId);
  }

  /** Runs `work` in its own transaction; commits unless this is a dry run. */
  private async inTransaction<T>(qr: QueryRunner, work: () => Promise<T>): Promise<T> {
    await qr.startTransaction();
    let result: T;
    try {
      result = await work();
      if (this.options.dryRun) throw new DryRun();
      await qr.commitTransaction();
    } catch (e) {
      await qr.rollbackTransaction();
      if (e instanceof DryRun) return result!;
      throw e;
    }
    return result;
  }

  /** A message-list line: a standalone root (backlog, spec §8.4), or in restore a message under an existing parent. */
  private async importMessage(qr: QueryRunner, m: ParsedMessage): Promise<"imported" | "present"> {
    const restore = this.options.mode === "restore";
    const newUsers: string[] = [];
    const outcome = await this.inTransaction(qr, async () => {
      const present: unknown[] = await qr.query(`SELECT 1 FROM message WHERE id = $1`, [m.id]);
      if (present.length > 0) return "present" as const;
      let treeId = m.id;
      let depth = 0;
      const parentId = restore ? m.parentId : null;
      if (parentId !== null) {
        const parent = rowsOf<{ depth: number; message_tree_id: string }>(await qr.query(
          `UPDATE message SET children_count = children_count + 1 WHERE id = $1 RETURNING depth, message_tree_id`,
          [parentId],
        ));
        if (parent.length === 0) throw new LineError(`parent ${parentId} of message ${m.id} does not exist`);
        treeId = parent[0].message_tree_id;
        depth = parent[0].depth + 1;
      }
      if (m.treeId !== null && restore && m.treeId !== treeId) throw new LineError(`message ${m.id}: message_tree_id ${m.treeId} is not its parent's tree ${treeId}`);
      if (restore) newUsers.push(...(await this.ensurePlaceholderUsers(qr, [m])));
      await this.insertMessages(qr, [{ treeId, m: { ...m, parentId, depth, childrenCount: 0 } }]);
      if (restore) {
        await this.insertLabels(qr, [m]);
        await this.insertEvents(qr, [m]);
      }
      return "imported" as const;
    });
    if (outcome === "imported") {
      this.summary.standaloneMessages += 1;
      this.summary.messagesImported += 1;
      if (!this.options.dryRun) this.rememberUsers(newUsers);
    }
    return outcome;
  }

  /** Authors and event users of restored messages become disabled-login users of the import client, same ids. */
  private async ensurePlaceholderUsers(qr: QueryRunner, messages: ParsedMessage[]): Promise<string[]> {
    const ids = new Set<string>();
    for (const m of messages) {
      if (m.userId) ids.add(m.userId);
      for (const e of m.events) if (e.user_id) ids.add(e.user_id);
    }
    // Sorted: two batches in flight that share a new user then lock its key in the same order (no deadlock).
    const missing = [...ids].filter((id) => !this.knownUsers.has(id)).sort();
    if (missing.length === 0) return [];
    await qr.query(
      `INSERT INTO "user" (id, username, auth_method, display_name, api_client_id)
       SELECT u, u::text, 'import', 'imported user ' || left(u::text, 8), $2 FROM unnest($1::uuid[]) AS u
       ON CONFLICT DO NOTHING`,
      [missing, IMPORT_API_CLIENT_ID],
    );
    return missing;
  }

  private async insertMessages(qr: QueryRunner, rows: { treeId: string; m: ParsedMessage }[]) {
    const restore = this.options.mode === "restore";
    const messages = rows.map((r) => r.m);
    const col = <T>(f: (m: ParsedMessage) => T) => messages.map(f);
    await qr.query(
      `INSERT INTO message (id, parent_id, message_tree_id, user_id, role, api_client_id, frontend_message_id, created_date, text, lang,
         depth, children_count, deleted, review_count, review_result, rank, synthetic, model_name, emojis, search_vector)
       SELECT u.id, u.parent_id, u.tree_id, u.user_id, u.role, $3::uuid, u.id::text, COALESCE(u.created::timestamptz, now()), u.text, u.lang,
         u.depth, u.children, u.deleted, u.review_count, u.review_result, u.rank, u.synthetic, u.model_name,
         COALESCE(u.emojis::jsonb, '{}'::jsonb), to_tsvector(u.cfg::regconfig, u.text)
       FROM unnest($1::uuid[], $2::uuid[], $4::uuid[], $5::uuid[], $6::text[], $7::text[], $8::text[], $9::text[], $10::int[], $11::int[], $12::boolean[],
         $13::int[], $14::boolean[], $15::int[], $16::boolean[], $17::text[], $18::text[], $19::text[])
         AS u(id, tree_id, parent_id, user_id, role, created, text, lang, depth, children, deleted, review_count, review_result, rank, synthetic, model_name, emojis, cfg)`,
      [
        col((m) => m.id),
        rows.map((r) => r.treeId),
        IMPORT_API_CLIENT_ID,
        col((m) => m.parentId),
        col((m) => (restore ? m.userId : this.systemUserId)),
        col((m) => m.role),
        col((m) => m.createdDate),
        col((m) => m.text),
        col((m) => m.lang ?? "en"),
        col((m) => m.depth),
        col((m) => m.childrenCount),
        col((m) => m.deleted ?? false),
        col((m) => m.reviewCount ?? 0),
        // Backlog trees are machine-made and taken as reviewed (spec §8.4); a restore keeps the verdict.
        col((m) => (restore ? m.reviewResult : true)),
        col((m) => (restore ? m.rank : null)),
        col((m) => m.synthetic ?? !restore),
        col((m) => m.modelName ?? (restore ? null : this.options.modelName)),
        col((m) => (restore && m.emojis ? JSON.stringify(m.emojis) : null)),
        col((m) => searchConfigFor(m.lang ?? "en", this.searchConfigs ?? undefined)),
      ],
    );
  }

  /**
   * The format carries label averages and counts, not the reviews behind them. A restore writes, per message,
   * `count` free-label rows from placeholder reviewers, each holding the average, so the export's average and
   * count come back exactly, and later live labels join the same average as the reviews they stand for would.
   */
  private async insertLabels(qr: QueryRunner, messages: ParsedMessage[]) {
    const ids: string[] = [];
    const users: string[] = [];
    const messageIds: string[] = [];
    const labels: string[] = [];
    const created: (string | null)[] = [];
    for (const m of messages) {
      if (!m.labels) continue;
      const entries = Object.entries(m.labels).filter(([, v]) => v.value !== null && v.count > 0);
      const rows = Math.max(0, ...entries.map(([, v]) => v.count));
      for (let i = 0; i < rows; i++) {
        ids.push(nameUuid(`chorus:label-baseline:${m.id}:${i}`));
        users.push(labelBaselineUserId(i));
        messageIds.push(m.id);
        labels.push(JSON.stringify(Object.fromEntries(entries.filter(([, v]) => v.count > i).map(([k, v]) => [k, v.value]))));
        created.push(m.createdDate);
      }
    }
    if (ids.length === 0) return;
    await qr.query(
      `INSERT INTO text_labels (id, user_id, api_client_id, text, message_id, labels, created_date)
       SELECT u.id, u.user_id, $6, '', u.message_id, u.labels::jsonb, COALESCE(u.created::timestamptz, now())
       FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::text[], $5::text[]) AS u(id, user_id, message_id, labels, created)`,
      [ids, users, messageIds, labels, created, IMPORT_API_CLIENT_ID],
    );
  }

  /**
   * Placeholder reviewers, one per position (a user has one free-label row per message), created and committed
   * before a batch so that a batch rolled back never leaves rows pointing at reviewers that do not exist.
   */
  private labelBaselineUsersNeeded(messages: ParsedMessage[]): number {
    let needed = 0;
    for (const m of messages) for (const v of Object.values(m.labels ?? {})) needed = Math.max(needed, v.count);
    return needed;
  }

  private needsLabelBaselineUsers(messages: ParsedMessage[]): boolean {
    return this.options.mode === "restore" && !this.options.dryRun && this.labelBaselineUsersNeeded(messages) > this.labelBaselineUsers;
  }

  private async ensureLabelBaselineUsers(qr: QueryRunner, messages: ParsedMessage[]) {
    if (!this.needsLabelBaselineUsers(messages)) return;
    const needed = this.labelBaselineUsersNeeded(messages);
    const positions = Array.from({ length: needed }, (_, i) => i);
    await qr.query(
      `INSERT INTO "user" (id, username, auth_method, display_name, api_client_id, show_on_leaderboard, tos_acceptance_date)
       SELECT u.id, 'label-baseline-' || u.i, 'system', '__system__/label-baseline-' || u.i, $3, false, now()
       FROM unnest($1::uuid[], $2::int[]) AS u(id, i) ON CONFLICT DO NOTHING`,
      [positions.map(labelBaselineUserId), positions, IMPORT_API_CLIENT_ID],
    );
    this.labelBaselineUsers = needed;
  }

  /** Emoji events become message_emoji rows, ratings and rankings message_reaction rows, in file order. */
  private async insertEvents(qr: QueryRunner, messages: ParsedMessage[]) {
    const emoji = { message: [] as string[], user: [] as (string | null)[], emoji: [] as string[], created: [] as (string | null)[], seq: [] as number[] };
    const reaction = {
      task: [] as string[], user: [] as (string | null)[], created: [] as (string | null)[], seq: [] as number[],
      type: [] as string[], payload: [] as string[], message: [] as string[],
    };
    for (const m of messages) {
      m.events.forEach((e, i) => {
        const userId = e.user_id ?? this.systemUserId;
        if (e.type === "emoji") {
          emoji.message.push(m.id);
          emoji.user.push(userId);
          emoji.emoji.push(e.emoji);
          emoji.created.push(m.createdDate);
          emoji.seq.push(i);
          return;
        }
        const payload =
          e.type === "rating"
            ? { type: "message_rating", rating: e.rating }
            : {
                type: "message_ranking",
                ranking: e.ranking,
                ranked_message_ids: e.ranked_message_ids,
                ranking_parent_id: e.ranking_parent_id,
                message_tree_id: e.message_tree_id,
                not_rankable: e.not_rankable ?? null,
              };
        reaction.task.push(nameUuid(`chorus:restored-event:${m.id}:${i}`));
        reaction.user.push(userId);
        reaction.created.push(m.createdDate);
        reaction.seq.push(i);
        reaction.type.push(e.type === "rating" ? "RatingReactionPayload" : "RankingReactionPayload");
        reaction.payload.push(JSON.stringify(payload));
        reaction.message.push(m.id);
      });
    }
    // Event order is kept through created_date: the message's date plus the event's position in microseconds.
    if (emoji.message.length > 0) {
      await qr.query(
        `INSERT INTO message_emoji (message_id, user_id, emoji, created_date)
         SELECT u.message_id, u.user_id, u.emoji, COALESCE(u.created::timestamptz, now()) + u.seq * interval '1 microsecond'
         FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::int[]) AS u(message_id, user_id, emoji, created, seq)
         ON CONFLICT DO NOTHING`,
        [emoji.message, emoji.user, emoji.emoji, emoji.created, emoji.seq],
      );
    }
    if (reaction.task.length > 0) {
      await qr.query(
        `INSERT INTO message_reaction (task_id, user_id, created_date, payload_type, payload, api_client_id, message_id)
         SELECT u.task_id, u.user_id, COALESCE(u.created::timestamptz, now()) + u.seq * interval '1 microsecond', u.payload_type, u.payload::jsonb, $8, u.message_id
         FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::int[], $5::text[], $6::text[], $7::uuid[]) AS u(task_id, user_id, created, seq, payload_type, payload, message_id)
         ON CONFLICT DO NOTHING`,
        [reaction.task, reaction.user, reaction.created, reaction.seq, reaction.type, reaction.payload, reaction.message, IMPORT_API_CLIENT_ID],
      );
    }
  }
}
