import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from "typeorm";

export type MessageRole = "prompter" | "assistant";

/** One message of a conversation tree (the root is the initial prompt; message_tree_id = root id). */
@Entity("message")
@Index("ux_message_client_frontend_id", ["apiClientId", "frontendMessageId"], { unique: true })
@Index("ix_message_tree", ["messageTreeId"])
@Index("ix_message_parent", ["parentId"])
@Index("ix_message_user_created", ["userId", "createdDate"])
@Index("ix_message_created_id", ["createdDate", "id"])
export class Message {
  @PrimaryColumn({ type: "uuid" })
  id: string;

  @Column({ type: "uuid", name: "parent_id", nullable: true })
  parentId: string | null;

  @Column({ type: "uuid", name: "message_tree_id" })
  messageTreeId: string;

  /** Partial: looked up by task only for messages written for a task; imported and restored ones have none. */
  @Index("ix_message_task", { where: "task_id IS NOT NULL" })
  @Column({ type: "uuid", name: "task_id", nullable: true })
  taskId: string | null;

  @Column({ type: "uuid", name: "user_id", nullable: true })
  userId: string | null;

  @Column({ type: "varchar", length: 16 })
  role: MessageRole;

  @Column({ type: "uuid", name: "api_client_id" })
  apiClientId: string;

  @Column({ type: "varchar", length: 200, name: "frontend_message_id" })
  frontendMessageId: string;

  @CreateDateColumn({ type: "timestamptz", name: "created_date" })
  createdDate: Date;

  @Column({ type: "text" })
  text: string;

  @Column({ type: "varchar", length: 32, default: "en" })
  lang: string;

  @Column({ type: "int", default: 0 })
  depth: number;

  @Column({ type: "int", name: "children_count", default: 0 })
  childrenCount: number;

  @Column({ type: "boolean", default: false })
  deleted: boolean;

  /**
   * Made with the text-search configuration of the language: in the same statement that writes the text, or, for
   * imported messages, by the `search-vectors` job after the load (null until then; search reads the text meanwhile).
   */
  // A GIN index of the built vectors created by hand in the migrations (TypeORM cannot express `USING gin`; partial
  // on `search_vector IS NOT NULL` since ImportLabelCounts), and a partial index of the
  // messages still waiting for their vector.
  @Index("ix_message_search_vector", { synchronize: false })
  @Index("ix_message_search_pending", { synchronize: false })
  @Column({ type: "tsvector", name: "search_vector", nullable: true, select: false })
  searchVector: string | null;

  @Column({ type: "int", name: "review_count", default: 0 })
  reviewCount: number;

  @Column({ type: "boolean", name: "review_result", nullable: true })
  reviewResult: boolean | null;

  @Column({ type: "int", name: "ranking_count", default: 0 })
  rankingCount: number;

  @Column({ type: "int", nullable: true })
  rank: number | null;

  @Column({ type: "boolean", default: false })
  synthetic: boolean;

  @Column({ type: "boolean", default: false })
  edited: boolean;

  @Column({ type: "varchar", length: 1024, name: "model_name", nullable: true })
  modelName: string | null;

  /** Aggregate emoji counts, `{code: count}`, including the hidden `_skip_*` markers. */
  @Column({ type: "jsonb", default: () => "'{}'" })
  emojis: Record<string, number>;

  /** Fields of an imported message that have no column (oasst2's `detoxify`, ...), written back on export. */
  @Column({ type: "json", nullable: true, select: false })
  extras: Record<string, unknown> | null;
}
