/**
 * What the tree state machine's parts (prompt-lottery.ts, auto-moderation.ts, tree-rechecks.ts) drive: a tree's
 * state row and the transitions and checks TreeManager makes on it, each inside the caller's transaction.
 */
import type { EntityManager } from "typeorm";
import type { TreeState } from "./message-tree-state.entity.js";
import type { TreeRule } from "./tree-transitions.js";

/** A row of message_tree_state, as the state machine reads it. */
export interface TreeRow {
  message_tree_id: string;
  goal_tree_size: number;
  max_depth: number;
  max_children_count: number;
  state: TreeState;
  active: boolean;
  won_prompt_lottery_date: Date | null;
  lang: string;
}

/** Implemented by TreeManager. */
export interface TreeSteps {
  /** The tree's state row, locked for the transaction (null when it has none). */
  lockTree(em: EntityManager, treeId: string): Promise<TreeRow | null>;
  /** A change of state, looked up in the transition table under `rule`. */
  enterState(em: EntityManager, tree: TreeRow, state: TreeState, rule: TreeRule): Promise<void>;
  /** T2. */
  checkPromptAccepted(em: EntityManager, tree: TreeRow): Promise<void>;
  /** T4 / T4b. */
  checkConditionForRanking(em: EntityManager, tree: TreeRow): Promise<void>;
  /** T5; whether the tree is ready for scoring. */
  checkConditionForScoring(em: EntityManager, tree: TreeRow): Promise<boolean>;
}
