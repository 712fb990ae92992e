import { Column, CreateDateColumn, Entity, Index, ManyToOne, JoinColumn, PrimaryGeneratedColumn } from "typeorm";
import { Field, ID, Int, ObjectType } from "type-graphql";
import { ApiClient } from "../api-clients/api-client.entity.js";
import { Role } from "./role.js";

@ObjectType({ description: "A person (or system account) known to one API client." })
@Entity("user")
@Index("ux_user_client_username_auth", ["apiClientId", "username", "authMethod"], { unique: true })
// Keyset pages of the moderators' user list (spec §9.2: ordered by (name, id)).
@Index("ix_user_display_name_id", ["displayName", "id"])
@Index("ix_user_username_id", ["username", "id"])
export class User {
  @Field(() => ID, { description: "The global user id (a UUID)." })
  @PrimaryGeneratedColumn("uuid")
  id: string;

  @Field({ description: "The frontend's own id for the user (a Discord snowflake, a web user id, ...)." })
  // Trigram GIN index for substring search (ILIKE '%x%'), created by hand in migration UserListIndexes.
  @Index("ix_user_username_trgm", { synchronize: false })
  @Column({ type: "varchar", length: 128 })
  username: string;

  @Field({ description: "How the frontend authenticated the user: local, discord, google, system, ..." })
  @Column({ type: "varchar", length: 128, name: "auth_method", default: "local" })
  authMethod: string;

  @Field({ description: "Name shown on leaderboards; updated whenever a request carries a new one." })
  // Trigram GIN index for substring search (ILIKE '%x%'), created by hand in migration UserListIndexes.
  @Index("ix_user_display_name_trgm", { synchronize: false })
  @Column({ type: "varchar", length: 256, name: "display_name" })
  displayName: string;

  @Field(() => ID, { description: "The API client whose namespace the user belongs to." })
  @Column({ type: "uuid", name: "api_client_id" })
  apiClientId: string;

  @ManyToOne(() => ApiClient, { onDelete: "CASCADE" })
  @JoinColumn({ name: "api_client_id" })
  apiClient?: ApiClient;

  @Field(() => Role, { description: "The user's powers when acting through a trusted client." })
  @Column({ type: "varchar", length: 16, default: Role.USER })
  role: Role;

  @Field({ description: "Disabled users cannot request or submit work." })
  @Column({ type: "boolean", default: true })
  enabled: boolean;

  @Field({ description: "Deleted (anonymised) users." })
  @Column({ type: "boolean", default: false })
  deleted: boolean;

  /** Admin notes: exposed to moderators only, by `UserFieldResolver.notes`. */
  @Column({ type: "varchar", length: 1024, default: "" })
  notes: string;

  /**
   * Raised by "logout everywhere" (`revokeUserTokens`): user tokens carry the epoch they were minted in, and a
   * token of an older epoch is refused on every request and closes its open sockets.
   */
  @Column({ type: "int", name: "token_epoch", default: 0 })
  tokenEpoch: number;

  @Field({ description: "Whether the user appears on leaderboards." })
  @Column({ type: "boolean", name: "show_on_leaderboard", default: true })
  showOnLeaderboard: boolean;

  @Field(() => Date, { nullable: true, description: "When the user accepted the terms of service." })
  @Column({ type: "timestamptz", name: "tos_acceptance_date", nullable: true })
  tosAcceptanceDate: Date | null;

  @Field(() => Date, { nullable: true, description: "Start of the current streak of daily activity." })
  @Column({ type: "timestamptz", name: "streak_last_day_date", nullable: true, default: () => "now()" })
  streakLastDayDate: Date | null;

  @Field(() => Int, { nullable: true, description: "Days in the current streak." })
  @Column({ type: "int", name: "streak_days", nullable: true })
  streakDays: number | null;

  @Field(() => Date, { nullable: true, description: "Last time the user did anything." })
  @Column({ type: "timestamptz", name: "last_activity_date", nullable: true, default: () => "now()" })
  lastActivityDate: Date | null;

  @Field(() => Date, { description: "When Chorus first saw the user." })
  @CreateDateColumn({ type: "timestamptz", name: "created_date" })
  createdDate: Date;
}
