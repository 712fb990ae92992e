import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from "typeorm";

/** A ranking (or legacy rating) result: one per task and user (spec §1.7). `message_id` = the ranking parent. */
@Entity("message_reaction")
@Index("ix_message_reaction_message", ["messageId"])
export class MessageReaction {
  @PrimaryColumn({ type: "uuid", name: "task_id" })
  taskId: string;

  @PrimaryColumn({ type: "uuid", name: "user_id" })
  userId: string;

  @Index("ix_message_reaction_created")
  @CreateDateColumn({ type: "timestamptz", name: "created_date" })
  createdDate: Date;

  @Column({ type: "varchar", length: 64, name: "payload_type" })
  payloadType: string;

  @Column({ type: "jsonb" })
  payload: RankingReactionPayload | Record<string, unknown>;

  @Column({ type: "uuid", name: "api_client_id" })
  apiClientId: string;

  @Column({ type: "uuid", name: "message_id", nullable: true })
  messageId: string | null;
}

export interface RankingReactionPayload {
  type: "message_ranking";
  ranking: number[];
  ranked_message_ids: string[];
  ranking_parent_id: string;
  message_tree_id: string;
  not_rankable: boolean | null;
}
