import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from "typeorm";
import { Field, Float, ID, Int, ObjectType, registerEnumType } from "type-graphql";
import { User } from "../users/user.entity.js";

/** Who wrote a chat message: the person (prompter) or the model (assistant). */
export enum ChatRole {
  PROMPTER = "PROMPTER",
  ASSISTANT = "ASSISTANT",
}
registerEnumType(ChatRole, { name: "ChatRole", description: "Who wrote a chat message." });

/**
 * Where a message is in its life. Prompter messages are COMPLETE at once; assistant messages go
 * PENDING → IN_PROGRESS → COMPLETE | CANCELLED | TIMEOUT | FAILED, and every one of the last four is terminal
 * (the reference left cancelled and timed-out messages "unfinished" for ever, spec §1.2).
 */
export enum ChatMessageState {
  PENDING = "PENDING",
  IN_PROGRESS = "IN_PROGRESS",
  COMPLETE = "COMPLETE",
  CANCELLED = "CANCELLED",
  TIMEOUT = "TIMEOUT",
  FAILED = "FAILED",
}
registerEnumType(ChatMessageState, {
  name: "ChatMessageState",
  description: "PENDING (queued) → IN_PROGRESS (a worker generates) → COMPLETE, CANCELLED, TIMEOUT or FAILED.",
});

export const TERMINAL_STATES: readonly ChatMessageState[] = [
  ChatMessageState.COMPLETE,
  ChatMessageState.CANCELLED,
  ChatMessageState.TIMEOUT,
  ChatMessageState.FAILED,
];

export function isTerminal(state: ChatMessageState): boolean {
  return TERMINAL_STATES.includes(state);
}

@ObjectType({ description: "The sampling parameters a generation used (null: the model's default)." })
export class ChatSampling {
  @Field(() => Int, { description: "Most tokens to generate." })
  maxNewTokens: number;

  @Field(() => Float, { description: "Sampling temperature; 0 is greedy." })
  temperature: number;

  @Field(() => Float, { description: "Nucleus sampling mass, in (0, 1]." })
  topP: number;

  @Field(() => Int, { nullable: true, description: "Keep only the k most likely tokens (null: no limit)." })
  topK?: number | null;

  @Field(() => Float, { nullable: true, description: "Penalty for repeated tokens (1 = off)." })
  repetitionPenalty?: number | null;

  @Field(() => Float, { description: "Seed of the random choices, drawn once per message so a retry samples alike." })
  seed: number;
}

@ObjectType({ description: "A conversation of one user with models: a tree of prompts and answers." })
@Entity("chat")
@Index("ix_chat_user_created", ["userId", "createdAt", "id"])
export class Chat {
  @Field(() => ID, { description: "The chat's id (a UUIDv7, so ids sort by creation time)." })
  @PrimaryColumn({ type: "uuid" })
  id: string;

  @Field(() => ID, { description: "The user who owns the chat." })
  @Column({ type: "uuid", name: "user_id" })
  userId: string;

  @ManyToOne(() => User, { onDelete: "CASCADE" })
  @JoinColumn({ name: "user_id" })
  user?: User;

  @Field(() => String, { nullable: true, description: "Title; set from the first prompt when still empty (at most 100 characters)." })
  @Column({ type: "varchar", length: 100, nullable: true })
  title: string | null;

  @Field({ description: "Hidden chats are left out of `chats` unless asked for." })
  @Column({ type: "boolean", default: false })
  hidden: boolean;

  @Field({ description: "Whether the owner allows this chat to be exported as training data." })
  @Column({ type: "boolean", name: "allow_data_use", default: true })
  allowDataUse: boolean;

  @Field(() => String, { nullable: true, description: "Instructions sent to the model before the conversation." })
  @Column({ type: "text", name: "system_prompt", nullable: true })
  systemPrompt: string | null;

  @Field(() => ID, { nullable: true, description: "The leaf the client last showed; stored for the client, never used by the server." })
  @Column({ type: "uuid", name: "active_thread_tail_message_id", nullable: true })
  activeThreadTailMessageId: string | null;

  @Field(() => Date, { description: "When the chat was created." })
  @CreateDateColumn({ type: "timestamptz", name: "created_at" })
  createdAt: Date;

  @Field(() => Date, { description: "When a prompt was last added or the chat last changed." })
  @Column({ type: "timestamptz", name: "modified_at", default: () => "now()" })
  modifiedAt: Date;
}

@ObjectType({ description: "One message of a chat: a prompt, or a model's answer and how it was generated." })
@Entity("chat_message")
@Index("ix_chat_message_chat", ["chatId", "createdAt"])
@Index("ix_chat_message_state", ["state", "createdAt"])
export class ChatMessage {
  @Field(() => ID, { description: "The message's id (a UUIDv7)." })
  @PrimaryColumn({ type: "uuid" })
  id: string;

  @Field(() => ID, { description: "The chat this message belongs to." })
  @Column({ type: "uuid", name: "chat_id" })
  chatId: string;

  @ManyToOne(() => Chat, { onDelete: "CASCADE" })
  @JoinColumn({ name: "chat_id" })
  chat?: Chat;

  @Field(() => ID, { nullable: true, description: "The message this one answers; null for the chat's first prompt." })
  @Column({ type: "uuid", name: "parent_id", nullable: true })
  parentId: string | null;

  @Field(() => ChatRole, { description: "PROMPTER or ASSISTANT." })
  @Column({ type: "varchar", length: 16 })
  role: ChatRole;

  @Field(() => ChatMessageState, { description: "Where the message is in its life." })
  @Column({ type: "varchar", length: 16 })
  state: ChatMessageState;

  @Field({ description: "The prompt, or the generated text (empty until the generation ends; stream `generation` for the text so far)." })
  @Column({ type: "text", default: "" })
  text: string;

  /** Shown through ChatMessageFieldResolver, which hides it in a blind battle (src/modules/arena/blindness.ts). */
  @Column({ type: "varchar", length: 128, nullable: true })
  model: string | null;

  @Column({ type: "jsonb", nullable: true })
  sampling: ChatSampling | null;

  @Column({ type: "varchar", length: 256, name: "worker_name", nullable: true })
  workerName: string | null;

  @Field(() => Date, { description: "When the message was created (for answers: sent to the queue)." })
  @CreateDateColumn({ type: "timestamptz", name: "created_at" })
  createdAt: Date;

  @Field(() => Date, { nullable: true, description: "When a worker started generating." })
  @Column({ type: "timestamptz", name: "work_begin_at", nullable: true })
  workBeginAt: Date | null;

  @Field(() => Date, { nullable: true, description: "When the generation ended, however it ended." })
  @Column({ type: "timestamptz", name: "work_end_at", nullable: true })
  workEndAt: Date | null;

  @Field(() => String, { nullable: true, description: "Why generation stopped: stop (end of answer), length (token limit) or cancelled." })
  @Column({ type: "varchar", length: 32, name: "finish_reason", nullable: true })
  finishReason: string | null;

  @Field(() => Int, { nullable: true, description: "Tokens generated." })
  @Column({ type: "int", name: "token_count", nullable: true })
  tokenCount: number | null;

  @Column({ type: "text", nullable: true })
  error: string | null;

  @Field(() => Date, { nullable: true, description: "When continueGeneration last asked to extend this answer; null if never." })
  @Column({ type: "timestamptz", name: "continued_at", nullable: true })
  continuedAt: Date | null;

  /**
   * Which of the message's event streams is current: 0 for the first generation, +1 per continuation (a finished
   * stream cannot take more events, so a continuation opens the next one).
   */
  @Column({ type: "int", name: "stream_segment", default: 0 })
  streamSegment: number;

  /** Added to the current stream's seqs, so a continuation's events number on after the earlier ones. */
  @Column({ type: "int", name: "seq_offset", default: 0 })
  seqOffset: number;

  /** The (offset-free) seq of the current stream's last event, stored when it ended, for when the stream expired. */
  @Column({ type: "int", name: "stream_last_seq", default: 0 })
  streamLastSeq: number;

  /**
   * The queue hand-out (its job id) that runs the answer while IN_PROGRESS: a hand-out that ends resets the row only
   * while it still names that hand-out, so it never undoes the claim of a worker that took the job over.
   */
  @Column({ type: "varchar", length: 64, name: "hand_out_id", nullable: true })
  handOutId: string | null;

  /** Set by cancelGeneration while a worker runs the job; the worker learns it with its next batch or heartbeat. */
  @Column({ type: "timestamptz", name: "cancel_requested_at", nullable: true })
  cancelRequestedAt: Date | null;
}
