import { Field, ID, InputType, Int, ObjectType, registerEnumType } from "type-graphql";
import { ArrayMaxSize, ArrayMinSize, IsOptional, Length, MaxLength } from "../../common/validators.js";
import { JSONObjectScalar } from "../../server/json-scalar.js";
import { ConnectionType } from "../../common/pagination.js";
import { User } from "../users/user.entity.js";
import { TreeState } from "../trees/message-tree-state.entity.js";
import { UserSortKey } from "./user-list.js";

// --- messages -------------------------------------------------------------------------------

@InputType({ description: "One message to act on." })
export class MessageIdInput {
  @Field(() => ID, { description: "The message." })
  messageId: string;
}

@InputType({ description: "A new text for a message; every earlier text is kept as a revision." })
export class EditMessageInput {
  @Field(() => ID, { description: "The message." })
  messageId: string;

  @Field({ description: "The new text (not empty)." })
  @Length(1, 1_000_000)
  text: string;
}

@ObjectType({ description: "What a soft delete or undelete changed.", simpleResolvers: true })
export class MessageDeletionResult {
  @Field(() => ID, { description: "The message acted on." })
  messageId: string;

  @Field(() => [ID], { description: "Messages whose deleted flag changed (the message and its subtree, or its ancestors)." })
  changedIds: string[];
}

@ObjectType({ description: "One version of a message's text (spec §9.3).", simpleResolvers: true })
export class MessageRevisionNode {
  @Field(() => ID, { description: "The revision id (a UUIDv7: revisions sort by it)." })
  id: string;

  @Field(() => ID, { description: "The message." })
  messageId: string;

  @Field({ description: "The text of this version." })
  text: string;

  @Field(() => ID, { nullable: true, description: "Who wrote this version: the author for the original, the editor after." })
  userId: string | null;

  @Field({ description: "Whether the message's author wrote this version." })
  userIsAuthor: boolean;

  @Field(() => Date, { description: "When this version was written." })
  createdDate: Date;
}

@ObjectType("FlaggedMessage", { description: "A message in the moderators' queue (red flags and reports, spec §1.9)." })
export class FlaggedMessageNode {
  @Field(() => ID, { description: "The flagged message." })
  messageId: string;

  @Field({ description: "Whether a moderator has dealt with it." })
  processed: boolean;

  @Field(() => Date, { description: "When it was last flagged." })
  createdDate: Date;
}

export const FlaggedMessageConnection = ConnectionType(FlaggedMessageNode, "FlaggedMessage");

// --- users ----------------------------------------------------------------------------------

@InputType({ description: "Fields of a user a moderator may change; omitted fields stay as they are." })
export class UpdateUserInput {
  @Field(() => ID, { description: "The user." })
  userId: string;

  @Field(() => String, { nullable: true, description: "New display name." })
  @IsOptional()
  @Length(1, 256)
  displayName?: string | null;

  @Field(() => Boolean, { nullable: true, description: "Enable or disable (disabled users can do no work)." })
  @IsOptional()
  enabled?: boolean | null;

  @Field(() => String, { nullable: true, description: "Admin notes (up to 1024 characters)." })
  @IsOptional()
  @MaxLength(1024)
  notes?: string | null;

  @Field(() => Boolean, { nullable: true, description: "Whether the user appears on leaderboards." })
  @IsOptional()
  showOnLeaderboard?: boolean | null;

  @Field(() => Boolean, { nullable: true, description: "true records that the user accepted the terms of service now; false does nothing." })
  @IsOptional()
  tosAcceptance?: boolean | null;
}

@InputType({ description: "One user to act on." })
export class UserIdInput {
  @Field(() => ID, { description: "The user." })
  userId: string;
}

@InputType({ description: "Move every contribution of the source users to the destination, then delete the sources." })
export class MergeUsersInput {
  @Field(() => ID, { description: "The user who keeps everything." })
  destinationUserId: string;

  @Field(() => [ID], { description: "Users merged into the destination and then deleted (1-100)." })
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  sourceUserIds: string[];
}

@ObjectType({ description: "Rows of one table a merge gave to the destination user.", simpleResolvers: true })
export class TableCount {
  @Field({ description: "The table." })
  table: string;

  @Field(() => Int, { description: "Rows moved." })
  count: number;
}

@ObjectType({ description: "The outcome of a merge.", simpleResolvers: true })
export class MergeUsersResult {
  @Field(() => User, { description: "The destination user." })
  destination: User;

  @Field(() => [ID], { description: "The source users, now deleted." })
  mergedUserIds: string[];

  @Field(() => [TableCount], { description: "Rows moved to the destination, per table." })
  moved: TableCount[];

  @Field(() => [TableCount], {
    description: "Rows dropped because the destination already had the same one (an emoji on the same message, a second review of it).",
  })
  droppedDuplicates: TableCount[];
}

@ObjectType({ description: "How many messages a bulk soft delete touched.", simpleResolvers: true })
export class BulkDeletionResult {
  @Field(() => Int, { description: "Messages newly marked deleted (their subtrees included)." })
  deletedCount: number;
}

// --- purge and stats ------------------------------------------------------------------------

@ObjectType({ description: "Live messages of one language.", simpleResolvers: true })
export class LangCount {
  @Field({ description: "The language." })
  lang: string;

  @Field(() => Int, { description: "Live messages." })
  count: number;
}

@ObjectType({ description: "Message counts of the whole system (spec §9.5).", simpleResolvers: true })
export class SystemStats {
  @Field(() => Int, { description: "Every message, deleted ones included." })
  all: number;

  @Field(() => Int, { description: "Live (not deleted) messages." })
  active: number;

  @Field(() => [LangCount], { description: "Live messages per language." })
  activeByLang: LangCount[];

  @Field(() => Int, { description: "Deleted messages." })
  deleted: number;

  @Field(() => Int, { description: "Trees (initial prompts)." })
  messageTrees: number;
}

@InputType({ description: "Hard-delete a user's work (spec §7.3)." })
export class PurgeUserInput {
  @Field(() => ID, { description: "The user." })
  userId: string;

  @Field({ defaultValue: true, description: "Also disable the user and mark them deleted." })
  ban: boolean;

  @Field({ defaultValue: true, description: "Only report what would happen; nothing changes." })
  preview: boolean;
}

@InputType({ description: "Hard-delete a user's messages, with their subtrees, in a date range (spec §7.3)." })
export class PurgeUserMessagesInput {
  @Field(() => ID, { description: "The user." })
  userId: string;

  @Field({ defaultValue: false, description: "Also delete the whole trees of the user's initial prompts in the range." })
  purgeInitialPrompts: boolean;

  @Field(() => Date, { nullable: true, description: "Messages created at or after." })
  @IsOptional()
  since?: Date | null;

  @Field(() => Date, { nullable: true, description: "Messages created before." })
  @IsOptional()
  until?: Date | null;

  @Field({ defaultValue: true, description: "Only report what would happen; nothing changes." })
  preview: boolean;
}

@ObjectType({ description: "What a purge did, or would do in preview.", simpleResolvers: true })
export class PurgeResult {
  @Field({ description: "True when nothing was changed (a preview)." })
  preview: boolean;

  @Field(() => SystemStats, { description: "Counts before." })
  before: SystemStats;

  @Field(() => SystemStats, { description: "Counts after (in a preview: what they would be)." })
  after: SystemStats;

  @Field(() => Int, { description: "Messages hard-deleted (or that would be)." })
  purgedMessages: number;

  @Field(() => Int, { description: "Trees removed whole (or that would be)." })
  purgedTrees: number;

  @Field(() => Int, { description: "How long it took, in milliseconds." })
  durationMs: number;
}

@ObjectType({ description: "Trees in one state.", simpleResolvers: true })
export class TreeStateCount {
  @Field(() => TreeState, { description: "The state." })
  state: TreeState;

  @Field(() => Int, { description: "Trees in it." })
  count: number;
}

@ObjectType({ description: "Message counts of one tree (spec §9.5 message_counts).", simpleResolvers: true })
export class TreeMessageCount {
  @Field(() => ID, { description: "The tree." })
  messageTreeId: string;

  @Field(() => TreeState, { description: "Its state." })
  state: TreeState;

  @Field(() => Int, { description: "Its deepest message's depth." })
  depth: number;

  @Field(() => Date, { description: "Its oldest message." })
  oldest: Date;

  @Field(() => Date, { description: "Its youngest message." })
  youngest: Date;

  @Field(() => Int, { description: "Live messages." })
  count: number;

  @Field(() => Int, { description: "Counted messages it grows to." })
  goalTreeSize: number;
}

@ObjectType({ description: "The tree manager's view of the trees (spec §9.5).", simpleResolvers: true })
export class TreeManagerStats {
  @Field(() => [TreeStateCount], { description: "Trees per state (every tree)." })
  stateCounts: TreeStateCount[];

  @Field(() => [TreeMessageCount], { description: "Per tree (active trees only, unless onlyActive is false): message counts." })
  messageCounts: TreeMessageCount[];
}

@ObjectType({ description: "One configuration variable and its effective value.", simpleResolvers: true })
export class SettingEntry {
  @Field({ description: "The environment variable." })
  name: string;

  @Field(() => String, { nullable: true, description: "Its effective value; null for secrets (and for unset optional values)." })
  value: string | null;

  @Field({ description: "A secret: its value is never shown." })
  secret: boolean;

  @Field({ description: "Whether a value is in effect (for secrets: whether one is configured)." })
  isSet: boolean;
}

// --- journal --------------------------------------------------------------------------------

@ObjectType("JournalEntry", { description: "One row of the append-only journal.", simpleResolvers: true })
export class JournalEntryNode {
  @Field(() => ID, { description: "A UUIDv7: entries sort by it." })
  id: string;

  @Field(() => Date, { description: "When it was written." })
  createdDate: Date;

  @Field({ description: "What happened: a task event (text_reply_to_message, message_ranking) or a moderation action (message_deleted, user_updated, ...)." })
  action: string;

  @Field(() => ID, { nullable: true, description: "Who acted: the moderator, or the contributor for task events." })
  actorId: string | null;

  @Field(() => ID, { nullable: true, description: "The API client it came through." })
  apiClientId: string | null;

  @Field(() => ID, { nullable: true, description: "What was acted on (a message, tree or user); the message for task events." })
  targetId: string | null;

  @Field(() => ID, { nullable: true, description: "The message concerned, if any." })
  messageId: string | null;

  @Field(() => JSONObjectScalar, { description: "The event's details, with `before` and `after` for moderation actions." })
  payload: Record<string, unknown>;
}

export const JournalEntryConnection = ConnectionType(JournalEntryNode, "JournalEntry");

@InputType({ description: "Which journal entries to read; every given condition must hold." })
export class JournalFilterInput {
  @Field(() => ID, { nullable: true, description: "Only this actor." })
  @IsOptional()
  actorId?: string | null;

  @Field(() => String, { nullable: true, description: "Only this action (event type)." })
  @IsOptional()
  @Length(1, 200)
  action?: string | null;

  @Field(() => ID, { nullable: true, description: "Only entries about this message, tree or user." })
  @IsOptional()
  targetId?: string | null;

  @Field(() => Date, { nullable: true, description: "Written at or after." })
  @IsOptional()
  since?: Date | null;

  @Field(() => Date, { nullable: true, description: "Written before." })
  @IsOptional()
  until?: Date | null;
}

// --- user list ------------------------------------------------------------------------------

export { UserSortKey };
registerEnumType(UserSortKey, { name: "UserSortKey", description: "The column a user list is ordered by (then by id), spec §9.2." });

@InputType({ description: "Which users a moderator lists; every given condition must hold." })
export class UsersFilterInput {
  @Field(() => String, { nullable: true, description: "Display name contains this text (case-insensitive; `%` and `_` are literal)." })
  @IsOptional()
  @MaxLength(256)
  displayName?: string | null;

  @Field(() => String, { nullable: true, description: "Username (the frontend's id) contains this text (case-insensitive; `%` and `_` are literal)." })
  @IsOptional()
  @MaxLength(128)
  username?: string | null;

  @Field(() => String, { nullable: true, description: "Exactly this auth method (local, discord, ...)." })
  @IsOptional()
  @MaxLength(128)
  authMethod?: string | null;

  @Field(() => Boolean, { nullable: true, description: "Only enabled (true) or disabled (false) users." })
  @IsOptional()
  enabled?: boolean | null;

  @Field(() => Boolean, { nullable: true, description: "Only deleted (true) or not deleted (false) users; omit for both." })
  @IsOptional()
  deleted?: boolean | null;
}

export const UserConnection = ConnectionType(User, "User");
