/** Every TypeORM entity, in one list shared by the server, the CLI, the migration generator and tests. */
import { ApiClient } from "../modules/api-clients/api-client.entity.js";
import { User } from "../modules/users/user.entity.js";
import { SystemSecret } from "../modules/system/system-secret.entity.js";

import { Message } from "../modules/trees/message.entity.js";
import { MessageTreeState } from "../modules/trees/message-tree-state.entity.js";
import { FlaggedMessage, Journal, MessageEmoji, MessageRevision } from "../modules/trees/message-emoji.entity.js";
import { Task } from "../modules/tasks/task.entity.js";
import { TextLabels } from "../modules/labels/text-labels.entity.js";
import { MessageReaction } from "../modules/tasks/message-reaction.entity.js";
import { UserStats } from "../modules/stats/user-stats.entity.js";
import { TrollStats } from "../modules/stats/troll-stats.entity.js";
import { Chat, ChatMessage } from "../modules/chat/chat.entity.js";
import { ChatDraftChoice, ChatMessageVote, ChatReport } from "../modules/chat/feedback/chat-feedback.entity.js";
import { CachedStat } from "../modules/cached-stats/cached-stats.entity.js";
import { ArenaBattle, ArenaLeaderboardSnapshot, ArenaVoterExclusion } from "../modules/arena/arena.entity.js";

export const ENTITIES = [
  ApiClient,
  User,
  SystemSecret,
  Message,
  MessageTreeState,
  MessageEmoji,
  FlaggedMessage,
  MessageRevision,
  Journal,
  Task,
  TextLabels,
  MessageReaction,
  UserStats,
  TrollStats,
  Chat,
  ChatMessage,
  ChatMessageVote,
  ChatReport,
  ChatDraftChoice,
  CachedStat,
  ArenaBattle,
  ArenaVoterExclusion,
  ArenaLeaderboardSnapshot,
];
