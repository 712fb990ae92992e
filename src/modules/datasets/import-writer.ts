/**
 * The statements an import runs to write its rows (import.service.ts decides what goes in which transaction):
 * messages, tree states, labels and events (emojis, reactions, restored ranking tasks) with COPY straight into
 * their tables.
 */
import type { QueryRunner } from "typeorm";
import { rowsOf } from "../../db/rows.js";
import { AscendingUuids } from "../../db/ascending-uuid.js";
import { TERMINAL_STATES, TreeState } from "../trees/message-tree-state.entity.js";
import { RECOMPUTE_ALL } from "../stats/stats-incremental.js";
import { CopyBuffer, copyText } from "./copy.js";
import { eventDate, hasOffset, zonelessDatesSql } from "./event-dates.js";
import { IMPORT_API_CLIENT_ID, LABEL_BASELINE_USER_ID } from "./import-ids.js";
import { LineError, type ParsedLine, type ParsedMessage } from "./import-parse.js";
import type { ImportOptions, ImportProblem } from "./import-types.js";
import type { ImportUsers } from "./import-users.js";

/** A parsed tree line waiting in the current batch. */
export type PendingTree = Extract<ParsedLine, { kind: "tree" }> & { line: number };

/** What writing a batch found: the trees written, the ones already present, those activated, those refused. */
export interface WriteResult {
  imported: PendingTree[];
  present: number;
  activated: number;
  rejected: ImportProblem[];
}

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
export class ImportWriter {
  /** Ids of the rows an import makes up (placeholder labels, restored ranking tasks): ascending, cheap to index. */
  private readonly rowIds = new AscendingUuids();

  constructor(
    private readonly options: ImportOptions,
    private readonly users: ImportUsers,
  ) {}

  /** Runs `work` in its own transaction (a savepoint of the dry run's one transaction); commits unless it fails. */
  async inTransaction<T>(qr: QueryRunner, work: () => Promise<T>): Promise<T> {
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

  /**
   * The statements of one batch, inside the caller's transaction: trees already present are skipped, a tree with a
   * message id taken elsewhere is refused, the rest are written. `activated` counts the trees earlier batches
   * activated (backlog `--num-activate`).
   */
  async writeTrees(qr: QueryRunner, batch: PendingTree[], activated: number): Promise<WriteResult> {
    const restore = this.options.mode === "restore";
    const presentRows: { id: string }[] = await qr.query(`SELECT message_tree_id AS id FROM message_tree_state WHERE message_tree_id = ANY($1::uuid[])`, [
      batch.map((t) => t.treeId),
    ]);
    const present = new Set(presentRows.map((r) => r.id));
    const result: WriteResult = { imported: [], present: present.size, activated: 0, rejected: [] };
    const candidates = batch.filter((t) => !present.has(t.treeId));
    if (candidates.length === 0) return result;
    // A message id taken by another tree (in the database or earlier in this batch) refuses its tree, not the batch.
    // The database is asked only for a batch of one tree: in a batch of many, a taken id fails the messages' COPY
    // (their primary key), and the batch is retried tree by tree (import.service.ts), each tree asked here. Looking
    // up every id of every batch cost PostgreSQL about 2 µs a message, for a clash that a file almost never has.
    const taken: { id: string }[] =
      candidates.length === 1 ? await qr.query(`SELECT id FROM message WHERE id = ANY($1::uuid[])`, [candidates[0].messages.map((m) => m.id)]) : [];
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
    // A restore writes its rows in message id order: every index keyed by the message id (the labels' and
    // reactions' message, the restored tasks' parent, the messages' primary key and frontend id) then takes the
    // batch's keys as ascending runs of neighbouring pages instead of random ones (a tenth less PostgreSQL CPU for
    // the label rows). The placeholder label and task ids are made in this order, so their primary keys still only
    // grow. A backlog has no label or event rows, and sorting cost its CLI more than it saved PostgreSQL.
    if (restore) messages.sort((a, b) => (a.m.id < b.m.id ? -1 : a.m.id > b.m.id ? 1 : 0));

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
        const active = activated + i < this.options.numActivate;
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
    // COPY is the one that fills them (the messages' leaves trees without a state row alone: migration
    // PoolRefreshStatedTrees). It comes last: it updates the shared per-language tree counts and places pool rows
    // on slots, both of which wait for the other connection's batch when that batch holds the same rows
    // uncommitted; last, it waits only for that batch's commit, not for the rest of its work. (Messages last, so that the pools are computed once, made restores slower: 3 runs each.)
    await states.send(qr);
    return result;
  }

  /**
   * A message-list line, in its own transaction: a standalone root (backlog, spec §8.4), or in restore a message
   * under an existing parent. Says whether it was already present, and which placeholder users it wrote.
   */
  async writeMessage(qr: QueryRunner, m: ParsedMessage): Promise<{ outcome: "imported" | "present"; newUsers: string[] }> {
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
      if (restore) newUsers.push(...(await this.users.ensurePlaceholderUsers(qr, [m])));
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
    return { outcome, newUsers };
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
        restore ? m.userId : this.users.systemUserId,
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
   * The format carries label averages and counts, not the reviews behind them. A restore writes one free-label
   * row per labelled message, from a placeholder reviewer, holding each label's average in `labels` and how many
   * reviews it stands for in `label_counts` (migration ImportLabelCounts), so the export's average and count come
   * back exactly, and later live labels join the same average as the reviews they stand for would (every label
   * reader weighs a label by its count: labels/label-weight.ts).
   */
  private async insertLabels(qr: QueryRunner, messages: ParsedMessage[]) {
    const rows = new CopyBuffer("text_labels", ["id", "user_id", "api_client_id", "text", "message_id", "labels", "label_counts", "created_date"]);
    const now = new Date().toISOString();
    // Ids are UUIDs and the client's id is fixed: none needs escaping.
    const head = `\t${LABEL_BASELINE_USER_ID}\t${IMPORT_API_CLIENT_ID}\t\t`;
    for (const m of messages) {
      if (!m.labels) continue;
      let values: Record<string, number> | null = null;
      let counts: Record<string, number> | null = null;
      for (const name in m.labels) {
        const v = m.labels[name];
        if (v.value === null || v.count <= 0) continue;
        (values ??= {})[name] = v.value;
        (counts ??= {})[name] = v.count;
      }
      if (values === null) continue;
      rows.addLine(
        this.rowIds.next() +
          head +
          m.id +
          "\t" +
          copyText(JSON.stringify(values)) +
          "\t" +
          copyText(JSON.stringify(counts)) +
          "\t" +
          copyText(m.createdDate ?? now) +
          "\n",
      );
    }
    await rows.send(qr);
  }

  /**
   * Emoji events become message_emoji rows, ratings and rankings message_reaction rows, in file order: an event's
   * date is its message's plus its position in microseconds (event-dates.ts). Each ranking also becomes the done
   * ranking task it was, on its parent, for the ranking-completion check and the consensus count rankings by their
   * done tasks. All three go in with COPY (a staging table and INSERT ... SELECT from it cost PostgreSQL the rows
   * twice); an emoji event repeated by the same user for the same emoji is one row, its first.
   */
  private async insertEvents(qr: QueryRunner, rows: { treeId: string; m: ParsedMessage }[]) {
    const emojis = new CopyBuffer("message_emoji", ["message_id", "user_id", "emoji", "created_date"]);
    const reactions = new CopyBuffer("message_reaction", ["task_id", "user_id", "created_date", "payload_type", "payload", "api_client_id", "message_id"]);
    const tasks = new CopyBuffer("task", [
      "id",
      "created_date",
      "user_id",
      "payload_type",
      "payload",
      "api_client_id",
      "ack",
      "done",
      "message_tree_id",
      "parent_message_id",
    ]);
    const now = new Date().toISOString();
    const zoned = await this.zonelessDates(
      qr,
      rows.filter(({ m }) => m.events.length > 1).map(({ m }) => m.createdDate ?? now),
    );
    for (const { treeId, m } of rows) {
      if (m.events.length === 0) continue;
      const date = m.createdDate ?? now;
      const withOffset = zoned.get(date) ?? date;
      let emojisSeen: Set<string> | null = null;
      m.events.forEach((e, seq) => {
        const created = eventDate(date, withOffset, seq);
        const userId = e.user_id ?? this.users.systemUserId;
        if (e.type === "emoji") {
          // As the table's key compares them: a UUID in capitals is the same user.
          const key = `${userId.toLowerCase()} ${e.emoji}`;
          if (emojisSeen?.has(key)) return;
          (emojisSeen ??= new Set()).add(key);
          emojis.add([m.id, userId, e.emoji, created]);
          return;
        }
        const taskId = this.rowIds.next();
        if (e.type === "rating") {
          const payload = { type: "message_rating", rating: e.rating, ...(e.extras ? { extras: e.extras } : {}) };
          reactions.add([taskId, userId, created, "RatingReactionPayload", JSON.stringify(payload), IMPORT_API_CLIENT_ID, m.id]);
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
        reactions.add([taskId, userId, created, "RankingReactionPayload", JSON.stringify(payload), IMPORT_API_CLIENT_ID, m.id]);
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
        tasks.add([
          taskId,
          created,
          userId,
          assistant ? "RankAssistantRepliesPayload" : "RankPrompterRepliesPayload",
          JSON.stringify(taskPayload),
          IMPORT_API_CLIENT_ID,
          true,
          true,
          treeId,
          m.id,
        ]);
      });
    }
    await emojis.send(qr);
    await reactions.send(qr);
    await tasks.send(qr);
  }

  /** PostgreSQL's UTC reading of the dates without an offset among these (event-dates.ts); usually none. */
  private async zonelessDates(qr: QueryRunner, dates: string[]): Promise<Map<string, string>> {
    const zoneless = [...new Set(dates.filter((d) => !hasOffset(d)))];
    if (zoneless.length === 0) return new Map();
    const rows: { date: string; utc: string }[] = await qr.query(zonelessDatesSql, [zoneless]);
    return new Map(rows.map((r) => [r.date, r.utc]));
  }
}
