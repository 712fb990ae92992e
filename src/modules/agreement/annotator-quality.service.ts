/**
 * Quality signals per annotator, for moderators: agreement with the consensus they contributed to (rankings and
 * labels, see annotator-quality.ts), how much they did, and how long their tasks took. Reads only done tasks.
 */
import type { DataSource } from "typeorm";
import { rowsOf } from "../../db/rows.js";
import { labelAgreementByUser, mean, rankingAgreementByUser } from "./annotator-quality.js";

export interface AnnotatorQualityResult {
  userId: string;
  rankingAgreement: number | null;
  rankingsCompared: number;
  labelAgreement: number | null;
  labelsCompared: number;
  tasksDone: number;
  rankings: number;
  labelReviews: number;
  replies: number;
  medianSecondsPerTask: number | null;
}

export class AnnotatorQualityService {
  constructor(private readonly ds: DataSource) {}

  /** The signals of each user in `userIds` (in that order). */
  async ofUsers(userIds: readonly string[]): Promise<AnnotatorQualityResult[]> {
    const ids = [...new Set(userIds)];
    if (ids.length === 0) return [];
    // Every done ballot on the parents these users ranked, and every task-based label on the messages they reviewed:
    // the others' work is the consensus each is compared with.
    const ballots = rowsOf<{ user_id: string; parent: string; ids: string[] }>(
      await this.ds.query(
        `SELECT r.user_id, r.message_id AS parent, r.payload->'ranked_message_ids' AS ids FROM message_reaction r JOIN task t ON t.id = r.task_id
          WHERE t.done AND r.payload_type = 'RankingReactionPayload'
            AND r.message_id IN (SELECT message_id FROM message_reaction WHERE user_id = ANY($1::uuid[]) AND payload_type = 'RankingReactionPayload')`,
        [ids],
      ),
    );
    const labels = rowsOf<{ user_id: string; message_id: string; label: string; value: number }>(
      await this.ds.query(
        `SELECT l.user_id, l.message_id, kv.key AS label, (kv.value #>> '{}')::float8 AS value
           FROM text_labels l JOIN task t ON t.id = l.task_id, jsonb_each(l.labels) kv
          WHERE t.done AND jsonb_typeof(kv.value) = 'number'
            AND l.message_id IN (SELECT message_id FROM text_labels WHERE user_id = ANY($1::uuid[]) AND task_id IS NOT NULL)`,
        [ids],
      ),
    );
    const work = rowsOf<{ user_id: string; kind: string; n: number; median: number | null }>(
      await this.ds.query(
        `WITH done AS (
           SELECT r.user_id, 'ranking' AS kind, extract(epoch FROM r.created_date - t.created_date) AS s
             FROM message_reaction r JOIN task t ON t.id = r.task_id WHERE t.done AND r.user_id = ANY($1::uuid[]) AND r.payload_type = 'RankingReactionPayload'
           UNION ALL
           SELECT l.user_id, 'label', extract(epoch FROM l.created_date - t.created_date)
             FROM text_labels l JOIN task t ON t.id = l.task_id WHERE t.done AND l.user_id = ANY($1::uuid[])
           UNION ALL
           SELECT m.user_id, 'reply', extract(epoch FROM m.created_date - t.created_date)
             FROM message m JOIN task t ON t.id = m.task_id WHERE t.done AND m.user_id = ANY($1::uuid[]))
         SELECT user_id, kind, count(*)::int AS n, NULL::float8 AS median FROM done GROUP BY user_id, kind
         UNION ALL
         SELECT user_id, 'all', count(*)::int, percentile_cont(0.5) WITHIN GROUP (ORDER BY s) FROM done GROUP BY user_id`,
        [ids],
      ),
    );
    const ranking = rankingAgreementByUser(ballots.map((b) => ({ userId: b.user_id, parentId: b.parent, ranked: b.ids })));
    const labelling = labelAgreementByUser(labels.map((l) => ({ userId: l.user_id, messageId: l.message_id, label: l.label, value: l.value })));
    const count = (u: string, kind: string) => work.find((w) => w.user_id === u && w.kind === kind)?.n ?? 0;
    return userIds.map((u) => ({
      userId: u,
      rankingAgreement: mean(ranking.get(u)),
      rankingsCompared: ranking.get(u)?.length ?? 0,
      labelAgreement: mean(labelling.get(u)),
      labelsCompared: labelling.get(u)?.length ?? 0,
      tasksDone: count(u, "all"),
      rankings: count(u, "ranking"),
      labelReviews: count(u, "label"),
      replies: count(u, "reply"),
      medianSecondsPerTask: work.find((w) => w.user_id === u && w.kind === "all")?.median ?? null,
    }));
  }
}
