import { Column, Entity, Index, PrimaryColumn } from "typeorm";

/**
 * Per user and time frame counters and leader score (spec §1.12), recomputed by the stats jobs. Ranks are not
 * stored: reads number the visible rows in board order (score, then id) from `ix_user_stats_board`.
 */
@Entity("user_stats")
export class UserStats {
  @PrimaryColumn({ type: "varchar", length: 16, name: "time_frame" })
  timeFrame: string;

  @PrimaryColumn({ type: "uuid", name: "user_id" })
  userId: string;

  @Column({ type: "timestamptz", name: "base_date", nullable: true })
  baseDate: Date | null;

  @Column({ type: "timestamptz", name: "modified_date", default: () => "now()" })
  modifiedDate: Date;

  @Column({ type: "int", name: "leader_score", default: 0 })
  leaderScore: number;

  /**
   * Shown on the leaderboard as of the row's recompute (shown, enabled, not deleted): only these are ranked. The
   * index is made by hand in migration StatsDays (TypeORM cannot express its descending score).
   */
  @Index("ix_user_stats_board", { synchronize: false })
  @Column({ type: "boolean", default: false })
  visible: boolean;

  @Column({ type: "int", default: 0 }) prompts: number;
  @Column({ type: "int", name: "replies_assistant", default: 0 }) repliesAssistant: number;
  @Column({ type: "int", name: "replies_prompter", default: 0 }) repliesPrompter: number;
  @Column({ type: "int", name: "labels_simple", default: 0 }) labelsSimple: number;
  @Column({ type: "int", name: "labels_full", default: 0 }) labelsFull: number;
  @Column({ type: "int", name: "rankings_total", default: 0 }) rankingsTotal: number;
  @Column({ type: "int", name: "rankings_good", default: 0 }) rankingsGood: number;
  @Column({ type: "int", name: "accepted_prompts", default: 0 }) acceptedPrompts: number;
  @Column({ type: "int", name: "accepted_replies_assistant", default: 0 }) acceptedRepliesAssistant: number;
  @Column({ type: "int", name: "accepted_replies_prompter", default: 0 }) acceptedRepliesPrompter: number;
  @Column({ type: "int", name: "reply_ranked_1", default: 0 }) replyRanked1: number;
  @Column({ type: "int", name: "reply_ranked_2", default: 0 }) replyRanked2: number;
  @Column({ type: "int", name: "reply_ranked_3", default: 0 }) replyRanked3: number;
}
