import { Column, Entity, Index, PrimaryColumn } from "typeorm";

/** Tree states of spec §3.1. */
export enum TreeState {
  INITIAL_PROMPT_REVIEW = "initial_prompt_review",
  PROMPT_LOTTERY_WAITING = "prompt_lottery_waiting",
  GROWING = "growing",
  RANKING = "ranking",
  READY_FOR_SCORING = "ready_for_scoring",
  READY_FOR_EXPORT = "ready_for_export",
  SCORING_FAILED = "scoring_failed",
  ABORTED_LOW_GRADE = "aborted_low_grade",
  HALTED_BY_MODERATOR = "halted_by_moderator",
  BACKLOG_RANKING = "backlog_ranking",
}

export const TERMINAL_STATES: ReadonlySet<TreeState> = new Set([
  TreeState.READY_FOR_EXPORT,
  TreeState.ABORTED_LOW_GRADE,
  TreeState.SCORING_FAILED,
  TreeState.HALTED_BY_MODERATOR,
  TreeState.BACKLOG_RANKING,
  TreeState.PROMPT_LOTTERY_WAITING,
]);

/** One row per tree: where it is in its life (spec §1.4). */
@Entity("message_tree_state")
@Index("ix_tree_state_state_lang", ["state", "lang"])
export class MessageTreeState {
  @PrimaryColumn({ type: "uuid", name: "message_tree_id" })
  messageTreeId: string;

  @Column({ type: "int", name: "goal_tree_size" })
  goalTreeSize: number;

  @Column({ type: "int", name: "max_depth" })
  maxDepth: number;

  @Column({ type: "int", name: "max_children_count" })
  maxChildrenCount: number;

  @Column({ type: "varchar", length: 128 })
  state: TreeState;

  @Index("ix_tree_state_active")
  @Column({ type: "boolean" })
  active: boolean;

  @Column({ type: "varchar", length: 1024, nullable: true })
  origin: string | null;

  @Column({ type: "timestamptz", name: "won_prompt_lottery_date", nullable: true })
  wonPromptLotteryDate: Date | null;

  @Column({ type: "varchar", length: 32 })
  lang: string;

  /** Fields of an imported tree line that have no column, written back on export. */
  @Column({ type: "json", nullable: true, select: false })
  extras: Record<string, unknown> | null;
}
