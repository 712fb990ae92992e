/** What `chorus import` is asked to do (its options) and what it reports back (its summary and problems). */

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
