/** Every migration, oldest first. Generated files are added here by hand after review. */
import { Init1795614103741 } from "./1795614103741-Init.js";
import { TreesAndTasks1795615359684 } from "./1795615359684-TreesAndTasks.js";
import { Chat1795617494458 } from "./1795617494458-Chat.js";
import { ModerationJournal1795621085042 } from "./1795621085042-ModerationJournal.js";
import { TrollStats1795621279567 } from "./1795621279567-TrollStats.js";
import { ChatFeedbackDraftsContinuation1795621396469 } from "./1795621396469-ChatFeedbackDraftsContinuation.js";
import { UserListIndexes1795624665075 } from "./1795624665075-UserListIndexes.js";
import { StatsIndexes1795625401975 } from "./1795625401975-StatsIndexes.js";
import { SearchVectorLanguage1795631000000 } from "./1795631000000-SearchVectorLanguage.js";
import { CachedStats1796581999376 } from "./1796581999376-CachedStats.js";
import { IdentityRevocation1796580832604 } from "./1796580832604-IdentityRevocation.js";
import { DatasetExtras1795626500000 } from "./1795626500000-DatasetExtras.js";
import { SearchVectorPending1796590000000 } from "./1796590000000-SearchVectorPending.js";
import { ChatHandOut1796590000001 } from "./1796590000001-ChatHandOut.js";
import { Arena1796593208333 } from "./1796593208333-Arena.js";
import { TaskPools1796600000000 } from "./1796600000000-TaskPools.js";
import { TaskPoolSlots1796610000000 } from "./1796610000000-TaskPoolSlots.js";
import { IdentityGeneration1796610000001 } from "./1796610000001-IdentityGeneration.js";
import { StatsDirty1796610000002 } from "./1796610000002-StatsDirty.js";
import { StatsDays1796620000000 } from "./1796620000000-StatsDays.js";
import { PoolRefreshStatedTrees1796620000001 } from "./1796620000001-PoolRefreshStatedTrees.js";
import { PoolCountsInPlace1796700000003 } from "./1796700000003-PoolCountsInPlace.js";
import { ScaleReads1796700000005 } from "./1796700000005-ScaleReads.js";
import { ScaleTreeRankings1796700000007 } from "./1796700000007-ScaleTreeRankings.js";
import { TaskStatsMarkOnInsert1796700000008 } from "./1796700000008-TaskStatsMarkOnInsert.js";
import { ImportLabelCounts1796700000012 } from "./1796700000012-ImportLabelCounts.js";
import { TriggerPlansCached1796700000023 } from "./1796700000023-TriggerPlansCached.js";
import { PoolCountsApart1796700000024 } from "./1796700000024-PoolCountsApart.js";

// biome-ignore lint/complexity/noBannedTypes: TypeORM takes migration classes as Function[]
export const MIGRATIONS: Function[] = [
  Init1795614103741,
  TreesAndTasks1795615359684,
  Chat1795617494458,
  ModerationJournal1795621085042,
  TrollStats1795621279567,
  ChatFeedbackDraftsContinuation1795621396469,
  UserListIndexes1795624665075,
  StatsIndexes1795625401975,
  SearchVectorLanguage1795631000000,
  CachedStats1796581999376,
  IdentityRevocation1796580832604,
  DatasetExtras1795626500000,
  SearchVectorPending1796590000000,
  ChatHandOut1796590000001,
  Arena1796593208333,
  TaskPools1796600000000,
  TaskPoolSlots1796610000000,
  IdentityGeneration1796610000001,
  StatsDirty1796610000002,
  StatsDays1796620000000,
  PoolRefreshStatedTrees1796620000001,
  PoolCountsInPlace1796700000003,
  ScaleReads1796700000005,
  ScaleTreeRankings1796700000007,
  TaskStatsMarkOnInsert1796700000008,
  ImportLabelCounts1796700000012,
  TriggerPlansCached1796700000023,
  PoolCountsApart1796700000024,
];
