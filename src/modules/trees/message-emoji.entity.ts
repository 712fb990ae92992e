import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from "typeorm";

/** One emoji of one user on one message (spec §1.8); the aggregate lives in message.emojis. */
@Entity("message_emoji")
@Index("ix_message_emoji_user_message", ["userId", "messageId"])
export class MessageEmoji {
  @PrimaryColumn({ type: "uuid", name: "message_id" })
  messageId: string;

  @PrimaryColumn({ type: "uuid", name: "user_id" })
  userId: string;

  @PrimaryColumn({ type: "varchar", length: 128 })
  emoji: string;

  @CreateDateColumn({ type: "timestamptz", name: "created_date" })
  createdDate: Date;
}

/** A message flagged by a red_flag emoji or a report, for the moderators' queue (spec §1.9). */
@Entity("flagged_message")
export class FlaggedMessage {
  @PrimaryColumn({ type: "uuid", name: "message_id" })
  messageId: string;

  @Index("ix_flagged_message_processed")
  @Column({ type: "boolean", default: false })
  processed: boolean;

  @Index("ix_flagged_message_created")
  @Column({ type: "timestamptz", name: "created_date", default: () => "now()" })
  createdDate: Date;
}

/** Every version of an edited message (spec §1.10); ids are UUIDv7, so they sort by time. */
@Entity("message_revision")
export class MessageRevision {
  @PrimaryColumn({ type: "uuid" })
  id: string;

  @Column({ type: "text" })
  text: string;

  @Index("ix_message_revision_message")
  @Column({ type: "uuid", name: "message_id" })
  messageId: string;

  @Column({ type: "uuid", name: "user_id", nullable: true })
  userId: string | null;

  @Column({ type: "timestamptz", name: "created_date" })
  createdDate: Date;
}

/**
 * Append-only event log written in the same transaction as the event (spec §1.11, §9.4). Task events name the
 * contributor in `user_id`; moderation events name the moderator there and what they acted on in `target_id`
 * (a message, tree or user id), so the audit trail can be read by actor and by target.
 */
@Entity("journal")
@Index("ix_journal_target", ["targetId"])
@Index("ix_journal_message", ["messageId"])
@Index("ix_journal_event_type", ["eventType", "id"])
export class Journal {
  @PrimaryColumn({ type: "uuid" })
  id: string;

  @Index("ix_journal_created")
  @Column({ type: "timestamptz", name: "created_date", default: () => "now()" })
  createdDate: Date;

  @Index("ix_journal_user")
  @Column({ type: "uuid", name: "user_id", nullable: true })
  userId: string | null;

  @Column({ type: "uuid", name: "message_id", nullable: true })
  messageId: string | null;

  @Column({ type: "uuid", name: "api_client_id", nullable: true })
  apiClientId: string | null;

  /** What a moderation action acted on; null for task events (their message is `message_id`). */
  @Column({ type: "uuid", name: "target_id", nullable: true })
  targetId: string | null;

  @Column({ type: "varchar", length: 200, name: "event_type" })
  eventType: string;

  @Column({ type: "jsonb", name: "event_payload" })
  eventPayload: Record<string, unknown>;
}
