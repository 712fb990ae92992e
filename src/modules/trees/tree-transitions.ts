/**
 * Every state change a tree may make (spec §3.2, T1–T11), as one table. The tree manager's `enterState` and its
 * set-based updates look each change up here before writing it, so a change the table does not list is a bug that
 * fails loudly (an internal error, the transaction rolls back) instead of a tree quietly left in a state no rule
 * leads to. Where each rule is decided: docs/architecture.md ("Where each rule lives").
 */
import { TreeState } from "./message-tree-state.entity.js";

/** The spec's name of a transition (its row in §3.2's table); `LOTTERY` is the prompt lottery of §3.3. */
export type TreeRule = "T2" | "T3" | "T3b" | "T3c" | "T4" | "T4b" | "T5" | "T6" | "T6b" | "T7" | "T8" | "T8b" | "T9" | "T10" | "LOTTERY";

const S = TreeState;
const ANY: readonly TreeState[] = Object.values(TreeState);

export interface TreeTransition {
  rule: TreeRule;
  from: readonly TreeState[];
  to: TreeState;
  /** What makes it happen. */
  when: string;
}

/**
 * T1 (creation in `initial_prompt_review`) and T11 (an import writes `ranking` or `backlog_ranking`) create trees
 * rather than move them, so they are not rows here.
 */
export const TREE_TRANSITIONS: readonly TreeTransition[] = [
  { rule: "T2", from: [S.INITIAL_PROMPT_REVIEW], to: S.PROMPT_LOTTERY_WAITING, when: "the root was accepted by review" },
  // The reference applies T3 in any state (QUIRK); Chorus leaves aborted and halted trees alone (task-submissions.ts).
  { rule: "T3", from: ANY, to: S.ABORTED_LOW_GRADE, when: "the root was rejected by review" },
  { rule: "T3b", from: ANY, to: S.ABORTED_LOW_GRADE, when: "auto-moderation: the prompt was red-flagged too often" },
  { rule: "T3c", from: [S.BACKLOG_RANKING], to: S.ABORTED_LOW_GRADE, when: "backlog activation found nothing to rank" },
  { rule: "LOTTERY", from: [S.PROMPT_LOTTERY_WAITING], to: S.GROWING, when: "the prompt won the prompt lottery" },
  { rule: "T4", from: [S.GROWING], to: S.RANKING, when: "enough accepted live messages and none awaiting review" },
  { rule: "T4b", from: [S.GROWING], to: S.HALTED_BY_MODERATOR, when: "every message of the tree was deleted" },
  {
    rule: "T5",
    from: [S.RANKING, S.READY_FOR_SCORING, S.SCORING_FAILED],
    to: S.READY_FOR_SCORING,
    when: "every rankable parent has its rankings",
  },
  { rule: "T6", from: [S.READY_FOR_SCORING], to: S.READY_FOR_EXPORT, when: "the consensus ranking was applied" },
  { rule: "T6b", from: [S.READY_FOR_SCORING], to: S.SCORING_FAILED, when: "the consensus ranking failed" },
  { rule: "T7", from: [S.SCORING_FAILED], to: S.RANKING, when: "a retried scoring found rankings missing" },
  { rule: "T8", from: ANY, to: S.HALTED_BY_MODERATOR, when: "a moderator halted it, or auto-moderation (skipped too often)" },
  { rule: "T8b", from: [S.PROMPT_LOTTERY_WAITING], to: S.HALTED_BY_MODERATOR, when: "the prompt's author was disabled or deleted" },
  { rule: "T9", from: ANY, to: S.GROWING, when: "resumed after a halt, having won the prompt lottery before" },
  { rule: "T9", from: ANY, to: S.INITIAL_PROMPT_REVIEW, when: "resumed after a halt, not having won the prompt lottery" },
  { rule: "T10", from: [S.BACKLOG_RANKING], to: S.RANKING, when: "another tree of its language left the active set" },
];

export class TreeTransitionError extends Error {}

/** The table's row for this change, or a thrown TreeTransitionError when no rule allows it. */
export function transitionFor(rule: TreeRule, from: TreeState, to: TreeState): TreeTransition {
  const row = TREE_TRANSITIONS.find((t) => t.rule === rule && t.to === to && t.from.includes(from));
  if (!row) throw new TreeTransitionError(`tree state change ${from} → ${to} is not rule ${rule} of the transition table`);
  return row;
}

/** The states a rule moves trees out of, for set-based updates (`WHERE state = ANY(...)`). */
export function sourcesOf(rule: TreeRule, to: TreeState): TreeState[] {
  const rows = TREE_TRANSITIONS.filter((t) => t.rule === rule && t.to === to);
  if (rows.length === 0) throw new TreeTransitionError(`no rule ${rule} leads to ${to}`);
  return [...new Set(rows.flatMap((t) => t.from))];
}
