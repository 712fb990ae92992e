import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from "typeorm";

/** A unit of work handed to one user (spec §1.5). `payload` is the snapshot the frontend was shown. */
@Entity("task")
@Index("ix_task_user_created", ["userId", "createdDate"])
@Index("ix_task_parent_created", ["parentMessageId", "createdDate"])
@Index("ux_task_client_frontend_id", ["apiClientId", "frontendMessageId"], { unique: true, where: "frontend_message_id IS NOT NULL" })
// The stats recompute of a short window (DAY, WEEK) reads the done tasks created since its start (stats.service.ts).
@Index("ix_task_done_created", ["createdDate"], { where: "done" })
// Scoring reads the rankings of a tree's done tasks (tree-manager.ts, updateRanks; migration ScaleTreeRankings).
@Index("ix_task_tree_done", ["messageTreeId"], { where: "done" })
// The expiry sweep reads the open tasks that expired (task.service.ts); a task's end adds no entry (PoolCountsApart).
@Index("ix_task_expiry", ["expiryDate"], { where: "NOT done" })
export class Task {
  @PrimaryColumn({ type: "uuid" })
  id: string;

  @CreateDateColumn({ type: "timestamptz", name: "created_date" })
  createdDate: Date;

  @Column({ type: "timestamptz", name: "expiry_date", nullable: true })
  expiryDate: Date | null;

  @Column({ type: "uuid", name: "user_id", nullable: true })
  userId: string | null;

  @Column({ type: "varchar", length: 64, name: "payload_type" })
  payloadType: string;

  @Column({ type: "jsonb" })
  payload: Record<string, unknown>;

  @Column({ type: "uuid", name: "api_client_id" })
  apiClientId: string;

  @Column({ type: "boolean", nullable: true })
  ack: boolean | null;

  @Column({ type: "boolean", default: false })
  done: boolean;

  @Column({ type: "boolean", default: false })
  skipped: boolean;

  @Column({ type: "varchar", length: 512, name: "skip_reason", nullable: true })
  skipReason: string | null;

  @Column({ type: "varchar", length: 200, name: "frontend_message_id", nullable: true })
  frontendMessageId: string | null;

  @Column({ type: "uuid", name: "message_tree_id", nullable: true })
  messageTreeId: string | null;

  @Column({ type: "uuid", name: "parent_message_id", nullable: true })
  parentMessageId: string | null;

  @Column({ type: "boolean", default: false })
  collective: boolean;

  /** Digest of the accepted submission, so a client's retry of the same submission is answered, not refused. */
  @Column({ type: "char", length: 64, name: "submission_digest", nullable: true })
  submissionDigest: string | null;
}
