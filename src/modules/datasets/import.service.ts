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
 * Rows go in with COPY straight into their tables: messages, tree states, labels, and the events' emojis, reactions
 * and restored ranking tasks. A dry run runs the
 * very same statements inside one transaction (each batch a savepoint) and rolls it back at the end, so it
 * predicts the real run.
 *
 * This file runs the import: it reads the file, batches trees, keeps the summary and its line-numbered problems,
 * and drives the two connections. The statements of a batch are in import-writer.ts, the users an import writes
 * (its system user, placeholder authors, the label baseline reviewer) in import-users.ts.
 */
import type { DataSource, QueryRunner } from "typeorm";
import { LineError, parseLine, type ParsedMessage } from "./import-parse.js";
import type { ImportOptions, ImportSummary } from "./import-types.js";
import { ImportUsers } from "./import-users.js";
import { ImportWriter, type PendingTree, type WriteResult } from "./import-writer.js";
import { DEFAULT_MAX_LINE_BYTES, readLines } from "./jsonl-stream.js";

/** Enough to act on; a file of garbage should not fill memory with complaints. */
const MAX_PROBLEMS_KEPT = 1000;

/** How a line's problem reads: a LineError says it itself, anything else came from the database. */
function reasonOf(e: unknown): string {
  return e instanceof LineError ? e.message : `rejected by the database: ${(e as Error).message}`;
}

/** Trees and messages per batch: large enough to amortise round trips, small enough to stay a few MB. */
const BATCH_TREES = 250;
const BATCH_MESSAGES = 5000;

export class DatasetImporter {
  private readonly summary: ImportSummary;
  private readonly users: ImportUsers;
  private readonly writer: ImportWriter;

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
    this.users = new ImportUsers(options.mode);
    this.writer = new ImportWriter(options, this.users);
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
      await this.users.prepare(qr);
      const firstLineOf = new Map<string, number>();
      let batch: PendingTree[] = [];
      let batchMessages = 0;
      const idle = [...runners];
      const flush = async () => {
        if (batch.length === 0) return;
        const trees = batch;
        batch = [];
        batchMessages = 0;
        if (this.users.needsLabelBaselineUser(trees.flatMap((t) => t.messages))) {
          // Once, at the first labelled message: the reviewer must be committed before any batch uses it.
          await drain();
          idle.splice(0, idle.length, ...runners);
          await this.users.ensureLabelBaselineUser(
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
          await this.users.ensureLabelBaselineUser(qr, [parsed.message]);
          if ((await this.importMessage(qr, parsed.message)) === "present") this.summary.alreadyPresent += 1;
        } catch (e) {
          this.problem(lineNo, reasonOf(e));
        }
      }
      await settle();
      onProgress?.(this.summary);
      if (dry) await qr.rollbackTransaction();
      // A bulk load leaves the planner's statistics stale, and the next export would pick slow plans. The wide
      // columns nothing filters on (texts, label and emoji objects, extras, task and reaction payloads) are left
      // out: sampling them cost more than the rest together (the payloads alone were 60 % of the tasks' and
      // reactions' ANALYZE, about a third of the whole; autovacuum's own ANALYZE covers them later).
      if (!dry && this.summary.messagesImported > 0) {
        await qr.query(
          `ANALYZE message (id, parent_id, message_tree_id, task_id, user_id, role, api_client_id, frontend_message_id, created_date, lang,
             depth, children_count, deleted, search_vector, review_count, review_result, ranking_count, rank, synthetic, edited, model_name),
           text_labels (id, user_id, created_date, api_client_id, message_id, task_id),
           message_tree_state, message_emoji,
           message_reaction (task_id, user_id, created_date, payload_type, api_client_id, message_id),
           task (id, created_date, expiry_date, user_id, payload_type, api_client_id, ack, done, skipped, skip_reason, frontend_message_id,
             message_tree_id, parent_message_id, collective, submission_digest),
           "user"`,
        );
      }
      return this.summary;
    } finally {
      await Promise.allSettled(inFlight);
      if (qr.isTransactionActive) await qr.rollbackTransaction().catch(() => undefined);
      // The connections go back to a pool that others may share: leave them as they were.
      for (const r of runners) {
        await r.query(`RESET synchronous_commit`).catch(() => undefined);
        await r.release();
      }
    }
  }

  /** Session settings for a bulk load on this connection (reset when it goes back to the pool). */
  private async tune(qr: QueryRunner) {
    // Every transaction still commits whole trees; not waiting for the WAL flush of each commit is what makes
    // them cheap. A crash loses at most the last trees, which a re-run imports (it skips trees present).
    await qr.query(`SET synchronous_commit TO off`);
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
    const users = this.options.mode === "restore" ? this.users.missingPlaceholderUsers(batch.flatMap((t) => t.messages)) : [];
    if (users.length > 0) {
      await this.writer.inTransaction(qr, () => this.users.insertPlaceholderUsers(qr, users));
      this.users.rememberUsers(users);
    }
    try {
      const result = await this.writer.inTransaction(qr, () => this.writer.writeTrees(qr, batch, this.summary.activated));
      this.recordWritten(result);
    } catch (e) {
      if (batch.length === 1) {
        this.problem(batch[0].line, reasonOf(e));
        return;
      }
      for (const tree of batch) {
        try {
          this.recordWritten(await this.writer.inTransaction(qr, () => this.writer.writeTrees(qr, [tree], this.summary.activated)));
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

  private problem(line: number, reason: string) {
    if (this.summary.problems.length < MAX_PROBLEMS_KEPT) this.summary.problems.push({ line, reason });
    else this.summary.moreProblems += 1;
  }

  /** A message-list line, written in its own transaction (import-writer.ts), counted once it is in. */
  private async importMessage(qr: QueryRunner, m: ParsedMessage): Promise<"imported" | "present"> {
    const { outcome, newUsers } = await this.writer.writeMessage(qr, m);
    if (outcome === "imported") {
      this.summary.standaloneMessages += 1;
      this.summary.messagesImported += 1;
      this.users.rememberUsers(newUsers);
    }
    return outcome;
  }
}
