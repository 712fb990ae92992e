/**
 * Agreement among annotators, beyond the reference: Krippendorff's alpha over task-based reviews of one label,
 * and Kendall's W over the rankings of each parent. Reads only done tasks, so abandoned work never counts.
 */
import type { DataSource } from "typeorm";
import { krippendorffAlpha, type ReliabilityUnit } from "./krippendorff.js";
import { averageKendallW, rankMatrixFromBestFirst } from "./kendall-w.js";
import { LABEL_DESCRIPTIONS, isTextLabelName } from "../consensus/labels.js";
import { badInput } from "../../common/errors.js";
import type { RequestContext } from "../../common/request-context.js";

export interface LabelAgreementResult {
  label: string;
  metric: "nominal" | "interval";
  alpha: number | null;
  items: number;
  raters: number;
  pairableValues: number;
  observedDisagreement: number | null;
  expectedDisagreement: number | null;
}

export interface RankingAgreementResult {
  meanW: number | null;
  parents: number;
  parentsSkipped: number;
  rankings: number;
  perParent: { parentId: string; w: number | null; raters: number; items: number }[];
}

export class AgreementService {
  constructor(private readonly ds: DataSource) {}

  /** For an untrusted moderator (`rc.visibility.apiClientId`) only reviews of that client's messages. */
  async labelAgreement(rc: RequestContext, lang: string | null, label: string, since: Date | null): Promise<LabelAgreementResult> {
    const vis = rc.visibility;
    if (!isTextLabelName(label)) throw badInput(`Unknown label "${label}"`);
    // yes/no and flag labels are categories; likert labels are points on a scale
    const metric = LABEL_DESCRIPTIONS[label].widget === "likert" ? "interval" : "nominal";
    const rows: { message_id: string; user_id: string; value: number }[] = await this.ds.query(
      `SELECT l.message_id, l.user_id, (l.labels->>$1)::float8 AS value
       FROM text_labels l JOIN task t ON t.id = l.task_id JOIN message m ON m.id = l.message_id
       WHERE l.task_id IS NOT NULL AND t.done AND l.labels ? $1 AND ($2::text IS NULL OR m.lang = $2) AND ($3::timestamptz IS NULL OR l.created_date >= $3)
         AND ($4::uuid IS NULL OR m.api_client_id = $4)
       ORDER BY l.message_id, l.user_id`,
      [label, lang, since, vis.apiClientId],
    );
    const byMessage = new Map<string, { raterId: string; value: number }[]>();
    for (const r of rows) {
      const list = byMessage.get(r.message_id) ?? [];
      list.push({ raterId: r.user_id, value: metric === "nominal" ? Math.round(r.value) : r.value });
      byMessage.set(r.message_id, list);
    }
    const units: ReliabilityUnit[] = [...byMessage.values()];
    const result = krippendorffAlpha(units, metric);
    return {
      label,
      metric,
      alpha: result.alpha,
      items: result.units,
      raters: result.raters,
      pairableValues: result.pairableValues,
      observedDisagreement: result.observedDisagreement,
      expectedDisagreement: result.expectedDisagreement,
    };
  }

  /** For an untrusted moderator (`rc.visibility.apiClientId`) only rankings of that client's messages' replies. */
  async rankingAgreement(rc: RequestContext, lang: string | null, since: Date | null): Promise<RankingAgreementResult> {
    const vis = rc.visibility;
    const rows: { parent: string; ids: string[] }[] = await this.ds.query(
      `SELECT r.message_id AS parent, r.payload->'ranked_message_ids' AS ids
       FROM message_reaction r JOIN task t ON t.id = r.task_id JOIN message p ON p.id = r.message_id
       WHERE t.done AND r.payload_type = 'RankingReactionPayload' AND ($1::text IS NULL OR p.lang = $1)
         AND ($2::timestamptz IS NULL OR r.created_date >= $2) AND ($3::uuid IS NULL OR p.api_client_id = $3)
       ORDER BY r.message_id, r.created_date`,
      [lang, since, vis.apiClientId],
    );
    const byParent = new Map<string, string[][]>();
    for (const r of rows) byParent.set(r.parent, [...(byParent.get(r.parent) ?? []), r.ids]);
    const parents = [...byParent.keys()];
    const groups = parents.map((parent) => {
      const ballots = byParent.get(parent)!;
      // rank over the replies every ballot ranked (replies added later appear in later ballots only)
      const common = ballots.reduce<string[]>((acc, b, i) => (i === 0 ? [...b] : acc.filter((id) => b.includes(id))), []);
      return rankMatrixFromBestFirst(
        ballots.map((b) => b.filter((id) => common.includes(id))),
        [...common].sort(),
      ).rankings;
    });
    const avg = averageKendallW(groups);
    return {
      meanW: avg.meanW,
      parents: avg.groupsUsed,
      parentsSkipped: avg.groupsSkipped,
      rankings: rows.length,
      perParent: parents.map((parentId, i) => ({ parentId, w: avg.results[i].w, raters: avg.results[i].raters, items: avg.results[i].items })),
    };
  }
}
