/**
 * The arena's stored facts: battles (two hidden models answering the same prompts, and the user's verdict), the
 * voters a moderator excluded, and the computed leaderboards. GraphQL types live in arena.types.ts, so what a
 * client sees of a battle is decided in one place (the models stay hidden until the vote).
 */
import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from "typeorm";
import { Chat } from "../chat/chat.entity.js";
import { User } from "../users/user.entity.js";

/** Where a battle came from. */
export type BattleSource = "BATTLE" | "DRAFT_CHOICE" | "IMPORT";
/** The verdict, as voted: A, B, TIE or BOTH_BAD. */
export type BattleWinner = "A" | "B" | "TIE" | "BOTH_BAD";
/** Why a vote was recorded but does not count. */
export type NotCountedReason = "IDENTITIES_SEEN" | "ANSWER_NOT_COMPLETE" | "VOTER_EXCLUDED" | "NOT_ANONYMOUS";

@Entity("arena_battle")
@Index("ix_arena_battle_voted", ["votedAt"])
@Index("ix_arena_battle_user", ["userId", "createdAt"])
export class ArenaBattle {
  @PrimaryColumn({ type: "uuid" })
  id: string;

  /** The chat holding both sides' conversations (null for imported battles, which carry their own). */
  @Index("ix_arena_battle_chat")
  @Column({ type: "uuid", name: "chat_id", nullable: true })
  chatId: string | null;

  @ManyToOne(() => Chat, { onDelete: "CASCADE" })
  @JoinColumn({ name: "chat_id" })
  chat?: Chat;

  /** The voter (null for imported battles, whose voter is only the export's `judge`). */
  @Column({ type: "uuid", name: "user_id", nullable: true })
  userId: string | null;

  @ManyToOne(() => User, { onDelete: "CASCADE" })
  @JoinColumn({ name: "user_id" })
  user?: User;

  @Column({ type: "varchar", length: 128, name: "model_a" })
  modelA: string;

  @Column({ type: "varchar", length: 128, name: "model_b" })
  modelB: string;

  @Column({ type: "varchar", length: 64, nullable: true })
  category: string | null;

  @Column({ type: "varchar", length: 32, nullable: true })
  lang: string | null;

  @Column({ type: "varchar", length: 16 })
  source: BattleSource;

  /** Answer message ids of each side, one per turn. */
  @Column({ type: "uuid", array: true, name: "answers_a", default: () => "'{}'" })
  answersA: string[];

  @Column({ type: "uuid", array: true, name: "answers_b", default: () => "'{}'" })
  answersB: string[];

  @Column({ type: "varchar", length: 16, nullable: true })
  winner: BattleWinner | null;

  @Column({ type: "timestamptz", name: "voted_at", nullable: true })
  votedAt: Date | null;

  /** Whether the vote counts, decided when it is cast (an exclusion of the voter also takes it out later). */
  @Column({ type: "boolean", default: false })
  counted: boolean;

  @Column({ type: "varchar", length: 32, name: "not_counted_reason", nullable: true })
  notCountedReason: NotCountedReason | null;

  /** When the voter was shown the models before voting (revealBattle); such a vote does not count. */
  @Column({ type: "timestamptz", name: "identities_seen_at", nullable: true })
  identitiesSeenAt: Date | null;

  /** Imported battles: FastChat's question_id (unique, so importing a file again adds nothing). */
  @Index("uq_arena_battle_question", { unique: true })
  @Column({ type: "varchar", length: 256, name: "question_id", nullable: true })
  questionId: string | null;

  @Column({ type: "varchar", length: 256, nullable: true })
  judge: string | null;

  /** Imported battles: FastChat's language name, kept as given. */
  @Column({ type: "varchar", length: 64, nullable: true })
  language: string | null;

  @Column({ type: "boolean", default: true })
  anony: boolean;

  @Column({ type: "jsonb", name: "conversation_a", nullable: true })
  conversationA: { role: string; content: string }[] | null;

  @Column({ type: "jsonb", name: "conversation_b", nullable: true })
  conversationB: { role: string; content: string }[] | null;

  @CreateDateColumn({ type: "timestamptz", name: "created_at" })
  createdAt: Date;
}

/** A voter whose arena votes a moderator took out of every leaderboard (noisy or gaming voters). */
@Entity("arena_voter_exclusion")
export class ArenaVoterExclusion {
  @PrimaryColumn({ type: "uuid", name: "user_id" })
  userId: string;

  @ManyToOne(() => User, { onDelete: "CASCADE" })
  @JoinColumn({ name: "user_id" })
  user?: User;

  @Column({ type: "text" })
  reason: string;

  @Column({ type: "uuid", name: "excluded_by_user_id", nullable: true })
  excludedByUserId: string | null;

  @CreateDateColumn({ type: "timestamptz", name: "created_at" })
  createdAt: Date;
}

/** A computed leaderboard, by filter key, with the data version it was computed from. */
@Entity("arena_leaderboard")
export class ArenaLeaderboardSnapshot {
  @PrimaryColumn({ type: "varchar", length: 200 })
  key: string;

  @Column({ type: "varchar", length: 200, name: "data_version" })
  dataVersion: string;

  @Column({ type: "timestamptz", name: "computed_at" })
  computedAt: Date;

  @Column({ type: "jsonb" })
  payload: Record<string, unknown>;
}
