/**
 * `chorus import` (spec §8.4 and issue 4): Open-Assistant JSONL into the database, streamed line by line in
 * batches of whole trees. A transaction only ever holds whole trees and a failed batch is retried tree by tree,
 * so a failure never leaves a tree half-imported; memory does not grow with the file.
 *
 * - `backlog` is the reference's import: machine-made trees waiting to be ranked.
 * - `restore` is lossless: ids, authors (as placeholder users), dates, states, review results, ranks, emoji
 *   counts, label averages, events and every field Chorus has no column for come back as they were, so exporting
 *   again reproduces the file; ranking events count as the done ranking tasks they were, so a restored tree in
 *   `ranking` needs exactly the rankings the original still needed.
 *
 * Rows go in with COPY: messages, tree states and labels straight into their tables, events into a per-connection
 * staging table from which set-based INSERTs write reactions, emojis and restored ranking tasks. A dry run runs the
 * very same statements inside one transaction (each batch a savepoint) and rolls it back at the end, so it
 * predicts the real run.
 */
import crypto from "node:crypto";
import type { DataSource, QueryRunner } from "typeorm";
import { hashApiKey } from "../../common/keys.js";
import { rowsOf } from "../../db/rows.js";
import { AscendingUuids } from "../../db/ascending-uuid.js";
import { TERMINAL_STATES, TreeState } from "../trees/message-tree-state.entity.js";
import { RECOMPUTE_ALL } from "../stats/stats-incremental.js";
import { CopyBuffer } from "./copy.js";
import { LineError, parseLine, type ParsedLine, type ParsedMessage } from "./import-parse.js";
import { DEFAULT_MAX_LINE_BYTES, readLines } from "./jsonl-stream.js";

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
  /** Lines longer than this are reported and skipped (default 64 MiB). */
  maxLineBytes?: number;
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
  /** Fields Chorus has no column for, kept as extras and exported back, by name, with how often they came. */
  keptFields: Record<string, number>;
}

/** Enough to act on; a file of garbage should not fill memory with complaints. */
const MAX_PROBLEMS_KEPT = 1000;

/** A UUID derived from a name, so the rows every import shares (system and baseline users) have fixed ids. */
function nameUuid(name: string): string {
  const h = crypto.createHash("sha256").update(name).digest();
  h[6] = (h[6] & 0x0f) | 0x50;
  h[8] = (h[8] & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString("hex");
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

const baselineUserIds: string[] = [];
function labelBaselineUserId(position: number): string {
  for (let i = baselineUserIds.length; i <= position; i++) baselineUserIds.push(nameUuid(`chorus:label-baseline-user:${i}`));
  return baselineUserIds[position];
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

/** The columns of `message` an import writes, in the order of its COPY rows. */
const MESSAGE_COLUMNS = [
  "id",
  "parent_id",
  "message_tree_id",
  "user_id",
  "role",
  "api_client_id",
  "frontend_message_id",
  "created_date",
  "text",
  "lang",
  "depth",
  "children_count",
  "deleted",
  "review_count",
  "review_result",
  "rank",
  "synthetic",
  "model_name",
  "emojis",
  "ranking_count",
  "extras",
] as const;
/** Staging for events, one per connection: COPY fills it, set-based INSERTs empty it into their tables. */
const CREATE_STAGING = `
  CREATE TEMP TABLE IF NOT EXISTS import_event (
    message_id uuid, user_id uuid, created timestamptz, seq int, kind text, emoji varchar(128), task_id uuid,
    payload jsonb, tree_id uuid, task_type varchar(64), task_payload jsonb)`;
const STAGING_EVENT_COLUMNS = [
  "message_id",
  "user_id",
  "created",
  "seq",
  "kind",
  "emoji",
  "task_id",
  "payload",
  "tree_id",
  "task_type",
  "task_payload",
] as const;

export class DatasetImporter {
  private readonly summary: ImportSummary;
  /** Users known to exist, so placeholders are not written again and again. */
  private readonly knownUsers = new Set<string>();
  private labelBaselineUsers = 0;
  private systemUserId = "";
  /** Ids of the rows an import makes up (placeholder labels, restored ranking tasks): ascending, cheap to index. */
  private readonly rowIds = new AscendingUuids();

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
      keptFields: {},
    };
  }

  async run(file: string, onProgress?: (s: ImportSummary) => void): Promise<ImportSummary> {
    const qr = this.ds.createQueryRunner();
    await qr.connect();
    // PostgreSQL spends most of an import's CPU (to_tsvector of every text, index upkeep), on one backend per
    // connection: a second connection writing the next batch meanwhile puts the second core to work. Batches hold
    // disjoint whole trees, so they commute; a --max-count or --num-activate import stays on one connection,
    // because how many trees it writes or activates depends on what the earlier batches found, and so does a dry
    // run, whose one transaction must see every earlier batch as the real run would.
    const dry = this.options.dryRun;
    const concurrent = !dry && this.options.maxCount === null && (this.options.mode === "restore" || this.options.numActivate === 0);
    const runners: QueryRunner[] = [qr];
    const inFlight: Promise<void>[] = [];
    const drain = async () => {
      // Every write settles before anything fails, so no query runner is released while in use.
      const results = await Promise.allSettled(inFlight.splice(0));
      const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
      if (failed) throw failed.reason;
    };
    try {
      if (concurrent) {
        const second = this.ds.createQueryRunner();
        await second.connect();
        runners.push(second);
      }
      for (const r of runners) await this.tune(r);
      // The dry run's one transaction: everything below runs in it, each batch in a savepoint, and it is rolled back.
      if (dry) await qr.startTransaction();
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
          await this.ensureLabelBaselineUsers(
            qr,
            trees.flatMap((t) => t.messages),
          );
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
      for await (const fileLine of readLines(file, this.options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES)) {
        const lineNo = fileLine.number;
        if (room() - batch.length <= 0) {
          await settle();
          if (room() <= 0) break;
        }
        if ("problem" in fileLine) {
          this.summary.lines += 1;
          this.problem(lineNo, fileLine.problem);
          continue;
        }
        const line = fileLine.text;
        if (line.trim() === "") continue;
        this.summary.lines += 1;
        let parsed: ReturnType<typeof parseLine>;
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
        for (const f of parsed.keptFields) this.summary.keptFields[f] = (this.summary.keptFields[f] ?? 0) + 1;
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
      if (dry) await qr.rollbackTransaction();
      // A bulk load leaves the planner's statistics stale, and the next export would pick slow plans. The wide
      // columns nothing filters on (texts, label and emoji objects, extras) are left out: sampling them cost more
      // than the rest together.
      if (!dry && this.summary.messagesImported > 0) {
        await qr.query(
          `ANALYZE message (id, parent_id, message_tree_id, task_id, user_id, role, api_client_id, frontend_message_id, created_date, lang,
             depth, children_count, deleted, search_vector, review_count, review_result, ranking_count, rank, synthetic, edited, model_name),
           text_labels (id, user_id, created_date, api_client_id, message_id, task_id),
           message_tree_state, message_emoji, message_reaction, task, "user"`,
        );
      }
      return this.summary;
    } finally {
      await Promise.allSettled(inFlight);
      if (qr.isTransactionActive) await qr.rollbackTransaction().catch(() => undefined);
      // The connections go back to a pool that others may share: leave them as they were.
      for (const r of runners) {
        await r.query(`RESET synchronous_commit; DROP TABLE IF EXISTS import_event`).catch(() => undefined);
        await r.release();
      }
    }
  }

  /** Session settings for a bulk load on this connection (reset when it goes back to the pool). */
  private async tune(qr: QueryRunner) {
    // Every transaction still commits whole trees; not waiting for the WAL flush of each commit is what makes
    // them cheap. A crash loses at most the last trees, which a re-run imports (it skips trees present).
    await qr.query(`SET synchronous_commit TO off`);
    // Outside any transaction, so that a dry run's rolled-back savepoint cannot take them away.
    await qr.query(CREATE_STAGING);
  }

  /**
   * Writes a batch of trees in one transaction, every statement covering the whole batch (round trips, not rows,
   * are what an import spends its time on). If the batch fails, each tree is retried in its own transaction, so
   * the good trees land, the bad one is reported with its line, and no tree is ever half-written.
   */
  private async writeBatch(qr: QueryRunner, batch: PendingTree[]) {
    // Placeholder users are committed before the batch's transaction, in a statement of their own: the two
    // connections' batches share authors, and a user inserted inside one batch's transaction held the other's
    // insert of the same user until that whole batch committed (the waits took 38 % of a 3,000-tree restore's
    // statement time). They are users with no content of their own, like the label baseline users; every tree
    // still lands whole or not at all.
    const users = this.options.mode === "restore" ? this.missingPlaceholderUsers(batch.flatMap((t) => t.messages)) : [];
    if (users.length > 0) {
      await this.inTransaction(qr, () => this.insertPlaceholderUsers(qr, users));
      this.rememberUsers(users);
    }
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

  private recordWritten(result: WriteResult) {
    this.summary.treesImported += result.imported.length;
    for (const t of result.imported) this.summary.messagesImported += t.messages.length;
    this.summary.alreadyPresent += result.present;
    this.summary.activated += result.activated;
    for (const r of result.rejected) this.problem(r.line, r.reason);
  }

  /** The cache only saves round trips (inserts are ON CONFLICT DO NOTHING), so it is emptied rather than let grow. */
  private rememberUsers(ids: string[]) {
    if (this.knownUsers.size + ids.length > MAX_KNOWN_USERS) {
      this.knownUsers.clear();
      this.knownUsers.add(this.systemUserId);
    }
    for (const u of ids) this.knownUsers.add(u);
  }

  private async writeTrees(qr: QueryRunner, batch: PendingTree[]): Promise<WriteResult> {
    const restore = this.options.mode === "restore";
    const presentRows: { id: string }[] = await qr.query(`SELECT message_tree_id AS id FROM message_tree_state WHERE message_tree_id = ANY($1::uuid[])`, [
      batch.map((t) => t.treeId),
    ]);
    const present = new Set(presentRows.map((r) => r.id));
    const result: WriteResult = { imported: [], present: present.size, activated: 0, rejected: [] };
    const candidates = batch.filter((t) => !present.has(t.treeId));
    if (candidates.length === 0) return result;
    // A message id taken by another tree (in the database or earlier in this batch) refuses its tree, not the batch.
    const taken: { id: string }[] = await qr.query(`SELECT id FROM message WHERE id = ANY($1::uuid[])`, [
      candidates.flatMap((t) => t.messages.map((m) => m.id)),
    ]);
    const takenIds = new Set(taken.map((r) => r.id));
    const trees: PendingTree[] = [];
    for (const t of candidates) {
      const clash = t.messages.find((m) => takenIds.has(m.id));
      if (clash) {
        result.rejected.push({ line: t.line, reason: `message ${clash.id} already exists outside this tree` });
        continue;
      }
      for (const m of t.messages) takenIds.add(m.id);
      trees.push(t);
    }
    result.imported = trees;
    if (trees.length === 0) return result;
    const messages = trees.flatMap((t) => t.messages.map((m) => ({ treeId: t.treeId, m })));

    await this.insertMessages(qr, messages);
    const states = new CopyBuffer("message_tree_state", [
      "message_tree_id",
      "goal_tree_size",
      "max_depth",
      "max_children_count",
      "state",
      "active",
      "origin",
      "won_prompt_lottery_date",
      "lang",
      "extras",
    ]);
    const now = new Date().toISOString();
    trees.forEach((t, i) => {
      const origin = this.options.origin ?? t.origin;
      const lang = t.messages[0].lang ?? "en";
      const extras = t.extras ? JSON.stringify(t.extras) : null;
      if (restore) {
        const limits = this.options.restoredTreeLimits;
        const state = t.state as TreeState;
        // A tree that ever grew won the prompt lottery; un-halting it later resumes growing (spec §3.2 T9).
        const grew = t.messages.length > 1 || GREW_STATES.has(state);
        states.add([
          t.treeId,
          limits.goalTreeSize,
          limits.maxDepth,
          limits.maxChildrenCount,
          state,
          !TERMINAL_STATES.has(state),
          origin,
          grew ? (t.messages[0].createdDate ?? now) : null,
          lang,
          extras,
        ]);
      } else {
        const active = this.summary.activated + i < this.options.numActivate;
        if (active) result.activated += 1;
        states.add([t.treeId, 0, 0, 0, active ? TreeState.RANKING : TreeState.BACKLOG_RANKING, active, origin, null, lang, extras]);
      }
    });
    if (restore) {
      await this.insertLabels(
        qr,
        messages.map((x) => x.m),
      );
      await this.insertEvents(qr, messages);
    }
    // The task lottery's candidate pools follow these rows by themselves: the triggers of the TaskPools migration
    // rebuild the pools of every tree a statement touches, in this transaction (COPY included); the tree states'
    // COPY is the one that fills them (the messages' finds no state rows yet). It comes last: it updates the shared
    // per-language tree counts and places pool rows on slots, both of which wait for the other connection's batch
    // when that batch holds the same rows uncommitted; last, it waits only for that batch's commit, not for the
    // rest of its work. (Messages last, so that the pools are computed once, made restores slower: 3 runs each.)
    await states.send(qr);
    return result;
  }

  private problem(line: number, reason: string) {
    if (this.summary.problems.length < MAX_PROBLEMS_KEPT) this.summary.problems.push({ line, reason });
    else this.summary.moreProblems += 1;
  }

  /** The import API client and its system user `import` (spec §1.1–1.2), created once (in a dry run, rolled back). */
  private async prepare(qr: QueryRunner) {
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
    const rows: { id: string }[] = await qr.query(`SELECT id FROM "user" WHERE api_client_id = $1 AND username = 'import' AND auth_method = 'system'`, [
      IMPORT_API_CLIENT_ID,
    ]);
    this.systemUserId = rows[0].id;
    this.knownUsers.add(this.systemUserId);
  }

  /** Runs `work` in its own transaction (a savepoint of the dry run's one transaction); commits unless it fails. */
  private async inTransaction<T>(qr: QueryRunner, work: () => Promise<T>): Promise<T> {
    await qr.startTransaction();
    try {
      // The leaderboards' change triggers mark nobody for these rows; one mark asks their next runs for a full
      // recompute instead (migration StatsDirty), so an import appends 4 marks per batch, not 4 per author.
      await qr.query(`SELECT set_config('chorus.stats_marks', 'bulk', true), stats_mark_dirty(ARRAY[$1]::uuid[])`, [RECOMPUTE_ALL]);
      const result = await work();
      await qr.commitTransaction();
      return result;
    } catch (e) {
      await qr.rollbackTransaction();
      throw e;
    }
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
        const parent = rowsOf<{ depth: number; message_tree_id: string }>(
          await qr.query(`UPDATE message SET children_count = children_count + 1 WHERE id = $1 RETURNING depth, message_tree_id`, [parentId]),
        );
        if (parent.length === 0) throw new LineError(`parent ${parentId} of message ${m.id} does not exist`);
        treeId = parent[0].message_tree_id;
        depth = parent[0].depth + 1;
      }
      if (m.treeId !== null && restore && m.treeId !== treeId)
        throw new LineError(`message ${m.id}: message_tree_id ${m.treeId} is not its parent's tree ${treeId}`);
      if (restore) newUsers.push(...(await this.ensurePlaceholderUsers(qr, [m])));
      const row = { treeId, m: { ...m, parentId, depth, childrenCount: 0 } };
      await this.insertMessages(qr, [row]);
      if (restore) {
        await this.insertLabels(qr, [m]);
        await this.insertEvents(qr, [row]);
        // Its parent's rankings that listed it (the parent's events came with an earlier line).
        await qr.query(
          `UPDATE message c SET ranking_count = (
             SELECT count(*) FROM message_reaction r
             WHERE r.message_id = c.parent_id AND r.payload_type = 'RankingReactionPayload' AND r.payload->'ranked_message_ids' ? c.id::text)
           WHERE c.id = $1 AND c.parent_id IS NOT NULL`,
          [m.id],
        );
      }
      return "imported" as const;
    });
    if (outcome === "imported") {
      this.summary.standaloneMessages += 1;
      this.summary.messagesImported += 1;
      this.rememberUsers(newUsers);
    }
    return outcome;
  }

  /** Authors and event users of restored messages become disabled-login users of the import client, same ids. */
  private async ensurePlaceholderUsers(qr: QueryRunner, messages: ParsedMessage[]): Promise<string[]> {
    const missing = this.missingPlaceholderUsers(messages);
    if (missing.length > 0) await this.insertPlaceholderUsers(qr, missing);
    return missing;
  }

  /** The authors and event users of these messages not known to exist yet, sorted. */
  private missingPlaceholderUsers(messages: ParsedMessage[]): string[] {
    const ids = new Set<string>();
    for (const m of messages) {
      if (m.userId) ids.add(m.userId);
      for (const e of m.events) if (e.user_id) ids.add(e.user_id);
    }
    // Sorted: two batches in flight that share a new user then lock its key in the same order (no deadlock).
    return [...ids].filter((id) => !this.knownUsers.has(id)).sort();
  }

  private async insertPlaceholderUsers(qr: QueryRunner, missing: string[]): Promise<void> {
    await qr.query(
      `INSERT INTO "user" (id, username, auth_method, display_name, api_client_id)
       SELECT u, u::text, 'import', 'imported user ' || left(u::text, 8), $2 FROM unnest($1::uuid[]) AS u
       ON CONFLICT DO NOTHING`,
      [missing, IMPORT_API_CLIENT_ID],
    );
  }

  /**
   * Messages straight into `message` with one COPY (a staging table and an INSERT ... SELECT from it cost
   * PostgreSQL the rows twice). Their search vectors are left null: making them (to_tsvector) cost PostgreSQL
   * more than everything else an import does, so the server's `search-vectors` job builds them after the load,
   * and search reads the text of a message without one meanwhile (trees/search.ts).
   */
  private async insertMessages(qr: QueryRunner, rows: { treeId: string; m: ParsedMessage }[]) {
    const restore = this.options.mode === "restore";
    const copy = new CopyBuffer("message", MESSAGE_COLUMNS);
    const now = new Date().toISOString();
    for (const { treeId, m } of rows) {
      copy.add([
        m.id,
        m.parentId,
        treeId,
        restore ? m.userId : this.systemUserId,
        m.role,
        IMPORT_API_CLIENT_ID,
        // The id as PostgreSQL prints a uuid (the file may write it in capitals).
        m.id.toLowerCase(),
        m.createdDate ?? now,
        m.text,
        m.lang ?? "en",
        m.depth,
        m.childrenCount,
        m.deleted ?? false,
        m.reviewCount ?? 0,
        // Backlog trees are machine-made and taken as reviewed (spec §8.4); a restore keeps the verdict.
        restore ? m.reviewResult : true,
        restore ? m.rank : null,
        m.synthetic ?? !restore,
        m.modelName ?? (restore ? null : this.options.modelName),
        restore && m.emojis ? JSON.stringify(m.emojis) : "{}",
        restore ? m.rankingCount : 0,
        m.extras ? JSON.stringify(m.extras) : null,
      ]);
    }
    await copy.send(qr);
  }

  /**
   * The format carries label averages and counts, not the reviews behind them. A restore writes, per message,
   * `count` free-label rows from placeholder reviewers, each holding the average, so the export's average and
   * count come back exactly, and later live labels join the same average as the reviews they stand for would.
   */
  private async insertLabels(qr: QueryRunner, messages: ParsedMessage[]) {
    const rows = new CopyBuffer("text_labels", ["id", "user_id", "api_client_id", "text", "message_id", "labels", "created_date"]);
    const now = new Date().toISOString();
    for (const m of messages) {
      if (!m.labels) continue;
      const entries = Object.entries(m.labels).filter(([, v]) => v.value !== null && v.count > 0);
      const count = Math.max(0, ...entries.map(([, v]) => v.count));
      // Row i holds the labels counted more than i times: a set that only shrinks, so its JSON is rebuilt only then.
      let json = "";
      let size = -1;
      for (let i = 0; i < count; i++) {
        const present = entries.filter(([, v]) => v.count > i);
        if (present.length !== size) {
          json = JSON.stringify(Object.fromEntries(present.map(([k, v]) => [k, v.value])));
          size = present.length;
        }
        rows.add([this.rowIds.next(), labelBaselineUserId(i), IMPORT_API_CLIENT_ID, "", m.id, json, m.createdDate ?? now]);
      }
    }
    await rows.send(qr);
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
    return this.options.mode === "restore" && this.labelBaselineUsersNeeded(messages) > this.labelBaselineUsers;
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

  /**
   * Emoji events become message_emoji rows, ratings and rankings message_reaction rows, in file order. Each
   * ranking also becomes the done ranking task it was, on its parent, for the ranking-completion check and the
   * consensus count rankings by their done tasks.
   */
  private async insertEvents(qr: QueryRunner, rows: { treeId: string; m: ParsedMessage }[]) {
    const staged = new CopyBuffer("import_event", STAGING_EVENT_COLUMNS);
    const now = new Date().toISOString();
    for (const { treeId, m } of rows) {
      m.events.forEach((e, seq) => {
        const created = m.createdDate ?? now;
        const userId = e.user_id ?? this.systemUserId;
        if (e.type === "emoji") {
          staged.add([m.id, userId, created, seq, "emoji", e.emoji, null, null, null, null, null]);
          return;
        }
        const taskId = this.rowIds.next();
        if (e.type === "rating") {
          const payload = { type: "message_rating", rating: e.rating, ...(e.extras ? { extras: e.extras } : {}) };
          staged.add([m.id, userId, created, seq, "RatingReactionPayload", null, taskId, JSON.stringify(payload), null, null, null]);
          return;
        }
        const payload = {
          type: "message_ranking",
          ranking: e.ranking,
          ranked_message_ids: e.ranked_message_ids,
          ranking_parent_id: e.ranking_parent_id,
          message_tree_id: e.message_tree_id,
          not_rankable: e.not_rankable ?? null,
          ...(e.extras ? { extras: e.extras } : {}),
        };
        // The task's replies in the order they were shown: `ranking[k]` is the shown position of the k-th best.
        const shown: { id: string }[] = new Array(e.ranked_message_ids.length);
        const permutation = e.ranking.length === shown.length && new Set(e.ranking).size === shown.length && e.ranking.every((p) => p >= 0 && p < shown.length);
        e.ranked_message_ids.forEach((id, k) => (shown[permutation ? e.ranking[k] : k] = { id }));
        const assistant = m.role === "prompter";
        const taskPayload = {
          type: assistant ? "rank_assistant_replies" : "rank_prompter_replies",
          conversation: [],
          replies: [],
          reply_messages: shown,
          message_tree_id: treeId,
          ranking_parent_id: m.id,
          reveal_synthetic: false,
          restored: true,
        };
        staged.add([
          m.id,
          userId,
          created,
          seq,
          "RankingReactionPayload",
          null,
          taskId,
          JSON.stringify(payload),
          treeId,
          assistant ? "RankAssistantRepliesPayload" : "RankPrompterRepliesPayload",
          JSON.stringify(taskPayload),
        ]);
      });
    }
    if (staged.rows === 0) return;
    await staged.send(qr);
    // Event order is kept through created_date: the message's date plus the event's position in microseconds.
    await qr.query(
      `INSERT INTO message_emoji (message_id, user_id, emoji, created_date)
       SELECT message_id, user_id, emoji, created + seq * interval '1 microsecond' FROM import_event WHERE kind = 'emoji'
       ON CONFLICT DO NOTHING;
       INSERT INTO message_reaction (task_id, user_id, created_date, payload_type, payload, api_client_id, message_id)
       SELECT task_id, user_id, created + seq * interval '1 microsecond', kind, payload, '${IMPORT_API_CLIENT_ID}', message_id
       FROM import_event WHERE kind <> 'emoji';
       INSERT INTO task (id, created_date, user_id, payload_type, payload, api_client_id, ack, done, message_tree_id, parent_message_id)
       SELECT task_id, created + seq * interval '1 microsecond', user_id, task_type, task_payload, '${IMPORT_API_CLIENT_ID}', true, true, tree_id, message_id
       FROM import_event WHERE kind = 'RankingReactionPayload';
       TRUNCATE import_event`,
    );
  }
}

interface WriteResult {
  imported: PendingTree[];
  present: number;
  activated: number;
  rejected: ImportProblem[];
}
