import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from "typeorm";

/**
 * Labels one user gave one message (spec §1.6). Task-based reviews have `id = task_id`; free labels and
 * reports have a random id and no task. One review per user per message, one free label row per user per message.
 */
@Entity("text_labels")
@Index("ux_text_labels_review", ["userId", "messageId"], { unique: true, where: "task_id IS NOT NULL" })
@Index("ux_text_labels_free", ["userId", "messageId"], { unique: true, where: "task_id IS NULL" })
@Index("ix_text_labels_message", ["messageId"])
export class TextLabels {
  @PrimaryColumn({ type: "uuid" })
  id: string;

  @Column({ type: "uuid", name: "user_id" })
  userId: string;

  /** Partial: only reviews' dates are looked up (label agreement); free labels and restored rows skip it. */
  @Index("ix_text_labels_created", { where: "task_id IS NOT NULL" })
  @CreateDateColumn({ type: "timestamptz", name: "created_date" })
  createdDate: Date;

  @Column({ type: "uuid", name: "api_client_id" })
  apiClientId: string;

  @Column({ type: "text", default: "" })
  text: string;

  @Column({ type: "uuid", name: "message_id", nullable: true })
  messageId: string | null;

  @Column({ type: "jsonb" })
  labels: Record<string, number>;

  /**
   * How many reviews each label of this row stands for, on the one row a restore writes per labelled message (the
   * export format keeps a label's average and count, not its reviews); null on a live row, where each label counts
   * once. Readers that average or count labels weigh each by `coalesce((label_counts->>name)::int, 1)`.
   */
  @Column({ type: "jsonb", name: "label_counts", nullable: true })
  labelCounts: Record<string, number> | null;

  @Column({ type: "uuid", name: "task_id", nullable: true })
  taskId: string | null;
}
