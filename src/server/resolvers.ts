/** Every root resolver class; one line per module. */
import type { NonEmptyArray } from "type-graphql";
import { ApiClientResolver } from "../modules/api-clients/api-client.resolver.js";
import { ApiClientFieldResolver } from "../modules/api-clients/api-client.fields.js";
import { UserResolver } from "../modules/users/user.resolver.js";
import { UserFieldResolver } from "../modules/users/user.fields.js";
import { SystemResolver } from "../modules/system/system.resolver.js";
import { TaskResolver } from "../modules/tasks/task.resolver.js";
import { ConversationMessageFieldResolver } from "../modules/tasks/conversation-message.fields.js";
import { MessageResolver } from "../modules/trees/message.resolver.js";
import { MessageFieldResolver } from "../modules/trees/message.fields.js";
import { LabelResolver } from "../modules/labels/label.resolver.js";
import { AgreementResolver } from "../modules/agreement/agreement.resolver.js";
import { ChatResolver } from "../modules/chat/chat.resolver.js";
import {
  ChatFieldResolver,
  ChatMessageFieldResolver,
  ChatReportFieldResolver,
  GenerationFailedResolver,
  GenerationFinishedResolver,
  GenerationStartedResolver,
} from "../modules/chat/chat.fields.js";
import { ArenaResolver } from "../modules/arena/arena.resolver.js";
import { AnnotatorQualityResolver, TrollScoreQualityResolver } from "../modules/agreement/annotator-quality.resolver.js";
import { WorkerResolver } from "../modules/workers/worker.resolver.js";
import { TreeModerationResolver } from "../modules/moderation/tree-moderation.resolver.js";
import { ModerationResolver } from "../modules/moderation/moderation.resolver.js";
import { AdminResolver } from "../modules/moderation/admin.resolver.js";
import { FlaggedMessageFieldResolver } from "../modules/moderation/moderation.fields.js";
import { StatsResolver } from "../modules/stats/stats.resolver.js";
import { CachedStatsResolver } from "../modules/cached-stats/cached-stats.resolver.js";

// biome-ignore lint/complexity/noBannedTypes: type-graphql takes resolver classes as NonEmptyArray<Function>
export const RESOLVERS: NonEmptyArray<Function> = [
  ApiClientResolver,
  ApiClientFieldResolver,
  UserResolver,
  UserFieldResolver,
  SystemResolver,
  TaskResolver,
  ConversationMessageFieldResolver,
  MessageResolver,
  MessageFieldResolver,
  LabelResolver,
  AgreementResolver,
  TreeModerationResolver,
  ModerationResolver,
  AdminResolver,
  FlaggedMessageFieldResolver,
  StatsResolver,
  CachedStatsResolver,
  ChatResolver,
  ChatFieldResolver,
  ChatMessageFieldResolver,
  ChatReportFieldResolver,
  GenerationFinishedResolver,
  GenerationStartedResolver,
  GenerationFailedResolver,
  WorkerResolver,
  ArenaResolver,
  AnnotatorQualityResolver,
  TrollScoreQualityResolver,
];
