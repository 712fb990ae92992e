/**
 * What users say about answers: votes, reports (with the moderators' resolution) and draft choices (the ranking
 * signal the data side exports, spec §1.1 message_evaluation).
 */
import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, Unique } from "typeorm";
import { Field, ID, Int, ObjectType, registerEnumType } from "type-graphql";
import { Chat, ChatMessage } from "../chat.entity.js";
import { User } from "../../users/user.entity.js";

@ObjectType({ description: "A user's +1 or -1 on an answer; one per user and message, changeable." })
@Entity("chat_message_vote")
@Unique("uq_chat_message_vote", ["messageId", "userId"])
export class ChatMessageVote {
  @PrimaryColumn({ type: "uuid" })
  id: string;

  @Field(() => ID, { description: "The answer voted on." })
  @Column({ type: "uuid", name: "message_id" })
  messageId: string;

  @ManyToOne(() => ChatMessage, { onDelete: "CASCADE" })
  @JoinColumn({ name: "message_id" })
  message?: ChatMessage;

  @Index("ix_chat_message_vote_chat")
  @Column({ type: "uuid", name: "chat_id" })
  chatId: string;

  @ManyToOne(() => Chat, { onDelete: "CASCADE" })
  @JoinColumn({ name: "chat_id" })
  chat?: Chat;

  @Field(() => ID, { description: "Who voted." })
  @Column({ type: "uuid", name: "user_id" })
  userId: string;

  @ManyToOne(() => User, { onDelete: "CASCADE" })
  @JoinColumn({ name: "user_id" })
  user?: User;

  @Field(() => Int, { description: "+1 or -1." })
  @Column({ type: "smallint" })
  score: number;

  @Field(() => Date, { description: "When the vote was last set." })
  @Column({ type: "timestamptz", name: "updated_at", default: () => "now()" })
  updatedAt: Date;
}

export enum ChatReportType {
  SPAM = "SPAM",
  OFFENSIVE = "OFFENSIVE",
  FEEDBACK = "FEEDBACK",
}
registerEnumType(ChatReportType, { name: "ChatReportType", description: "Why an answer is reported: SPAM, OFFENSIVE or FEEDBACK." });

@ObjectType({ description: "A report on an answer, and how a moderator resolved it." })
@Entity("chat_report")
@Index("ix_chat_report_open", ["resolvedAt", "id"])
// One open report per user and answer: a repeated report returns the open one instead of adding a row.
@Index("uq_chat_report_open_per_user", ["messageId", "userId"], { unique: true, where: `"resolved_at" IS NULL` })
export class ChatReport {
  @Field(() => ID, { description: "The report's id (a UUIDv7)." })
  @PrimaryColumn({ type: "uuid" })
  id: string;

  @Field(() => ID, { description: "The reported answer." })
  @Index("ix_chat_report_message")
  @Column({ type: "uuid", name: "message_id" })
  messageId: string;

  @ManyToOne(() => ChatMessage, { onDelete: "CASCADE" })
  @JoinColumn({ name: "message_id" })
  message?: ChatMessage;

  @Field(() => ID, { description: "The chat of the answer." })
  @Index("ix_chat_report_chat")
  @Column({ type: "uuid", name: "chat_id" })
  chatId: string;

  @ManyToOne(() => Chat, { onDelete: "CASCADE" })
  @JoinColumn({ name: "chat_id" })
  chat?: Chat;

  @Field(() => ID, { description: "Who reported it." })
  @Column({ type: "uuid", name: "user_id" })
  userId: string;

  @ManyToOne(() => User, { onDelete: "CASCADE" })
  @JoinColumn({ name: "user_id" })
  user?: User;

  @Field(() => ChatReportType, { description: "SPAM, OFFENSIVE or FEEDBACK." })
  @Column({ type: "varchar", length: 16, name: "report_type" })
  reportType: ChatReportType;

  @Field({ description: "The reporter's words." })
  @Column({ type: "text" })
  reason: string;

  @Field(() => Date, { description: "When it was reported." })
  @CreateDateColumn({ type: "timestamptz", name: "created_at" })
  createdAt: Date;

  @Field(() => Date, { nullable: true, description: "When a moderator resolved it; null while it is in the queue." })
  @Column({ type: "timestamptz", name: "resolved_at", nullable: true })
  resolvedAt: Date | null;

  @Field(() => ID, { nullable: true, description: "The moderator (user) who resolved it, when a user did." })
  @Column({ type: "uuid", name: "resolved_by_user_id", nullable: true })
  resolvedByUserId: string | null;

  @Field(() => String, { nullable: true, description: "What the moderator decided, in their words." })
  @Column({ type: "text", nullable: true })
  resolution: string | null;
}

@ObjectType({ description: "Which of several drafts (sibling answers to one prompt) the user preferred: a ranking event." })
@Entity("chat_draft_choice")
@Unique("uq_chat_draft_choice_prompt", ["promptId", "userId"])
export class ChatDraftChoice {
  @Field(() => ID, { description: "The choice's id (a UUIDv7)." })
  @PrimaryColumn({ type: "uuid" })
  id: string;

  @Field(() => ID, { description: "The chat." })
  @Index("ix_chat_draft_choice_chat")
  @Column({ type: "uuid", name: "chat_id" })
  chatId: string;

  @ManyToOne(() => Chat, { onDelete: "CASCADE" })
  @JoinColumn({ name: "chat_id" })
  chat?: Chat;

  @Field(() => ID, { description: "Who chose." })
  @Column({ type: "uuid", name: "user_id" })
  userId: string;

  @ManyToOne(() => User, { onDelete: "CASCADE" })
  @JoinColumn({ name: "user_id" })
  user?: User;

  @Field(() => ID, { description: "The prompt the drafts answer." })
  @Column({ type: "uuid", name: "prompt_id" })
  promptId: string;

  @ManyToOne(() => ChatMessage, { onDelete: "CASCADE" })
  @JoinColumn({ name: "prompt_id" })
  prompt?: ChatMessage;

  @Field(() => ID, { description: "The preferred answer." })
  @Column({ type: "uuid", name: "selected_message_id" })
  selectedMessageId: string;

  @Field(() => [ID], { description: "The other complete drafts, which lost to the selected one." })
  @Column({ type: "jsonb", name: "inferior_message_ids" })
  inferiorMessageIds: string[];

  @Field(() => Date, { description: "When the choice was (last) made." })
  @Column({ type: "timestamptz", name: "created_at", default: () => "now()" })
  createdAt: Date;
}
