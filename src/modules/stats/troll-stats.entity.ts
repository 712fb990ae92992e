import { Column, Entity, Index, PrimaryColumn } from "typeorm";

/**
 * Per author and time frame signals of trouble and the troll score (spec §1.13, §6.5), recomputed with the
 * leaderboards; ranks are not stored (see `trollScore`). The column `lang_mismach` keeps the reference's spelling so exported rows line up.
 */
@Entity("troll_stats")
export class TrollStats {
  @PrimaryColumn({ type: "varchar", length: 16, name: "time_frame" })
  timeFrame: string;

  @PrimaryColumn({ type: "uuid", name: "user_id" })
  userId: string;

  @Column({ type: "timestamptz", name: "base_date", nullable: true })
  baseDate: Date | null;

  @Column({ type: "timestamptz", name: "modified_date", default: () => "now()" })
  modifiedDate: Date;

  /** Ranks are read in board order (score, then id) from this index, made by hand in migration StatsDays. */
  @Index("ix_troll_stats_board", { synchronize: false })
  @Column({ type: "int", name: "troll_score", default: 0 })
  trollScore: number;

  @Column({ type: "int", name: "red_flags", default: 0 }) redFlags: number;
  @Column({ type: "int", default: 0 }) upvotes: number;
  @Column({ type: "int", default: 0 }) downvotes: number;
  @Column({ type: "int", name: "spam_prompts", default: 0 }) spamPrompts: number;
  @Column({ type: "double precision", nullable: true }) quality: number | null;
  @Column({ type: "double precision", nullable: true }) humor: number | null;
  @Column({ type: "double precision", nullable: true }) toxicity: number | null;
  @Column({ type: "double precision", nullable: true }) violence: number | null;
  @Column({ type: "double precision", nullable: true }) helpfulness: number | null;
  @Column({ type: "int", default: 0 }) spam: number;
  @Column({ type: "int", name: "lang_mismach", default: 0 }) langMismach: number;
  @Column({ type: "int", name: "not_appropriate", default: 0 }) notAppropriate: number;
  @Column({ type: "int", default: 0 }) pii: number;
  @Column({ type: "int", name: "hate_speech", default: 0 }) hateSpeech: number;
  @Column({ type: "int", name: "sexual_content", default: 0 }) sexualContent: number;
  @Column({ type: "int", name: "political_content", default: 0 }) politicalContent: number;
}
