import { Field, Int, ObjectType } from "type-graphql";
import { MessageRoleEnum } from "../trees/message.types.js";
import { TreeState } from "../trees/message-tree-state.entity.js";
import { TreeStateCount } from "../moderation/moderation.types.js";

@ObjectType({ description: "Human messages (accepted, live, not machine-made) of one language.", simpleResolvers: true })
export class LanguageCount {
  @Field({ description: "The language." }) lang: string;
  @Field(() => Int, { description: "Messages." }) count: number;
}

@ObjectType({ description: "Human messages (accepted, live, not machine-made) of one role.", simpleResolvers: true })
export class RoleCount {
  @Field(() => MessageRoleEnum, { description: "The role." }) role: MessageRoleEnum;
  @Field(() => Int, { description: "Messages." }) count: number;
}

@ObjectType({ description: "Trees of one language (their root's) in one state.", simpleResolvers: true })
export class LanguageTreeStateCount {
  @Field({ description: "The language of the tree's root." }) lang: string;
  @Field(() => TreeState, { description: "The state." }) state: TreeState;
  @Field(() => Int, { description: "Trees." }) count: number;
}

@ObjectType({
  description:
    "The statistics behind the public stats pages (spec §9.5 cached stats), computed together by a periodic job (CACHED_STATS_REFRESH_MINUTES) or refreshCachedStats, and read from that snapshot.",
  simpleResolvers: true,
})
export class CachedStats {
  @Field(() => Date, { description: "When this snapshot was computed." }) lastUpdated: Date;
  @Field(() => [LanguageCount], { description: "Human messages per language, by language." }) humanMessagesByLang: LanguageCount[];
  @Field(() => [RoleCount], { description: "Human messages per role." }) humanMessagesByRole: RoleCount[];
  @Field(() => [TreeStateCount], { description: "Trees per state, by state." }) messageTreesByState: TreeStateCount[];
  @Field(() => [LanguageTreeStateCount], { description: "Trees per language and state, by language then state." })
  messageTreesStatesByLang: LanguageTreeStateCount[];
  @Field(() => Int, { description: "Enabled users who accepted the terms of service." }) usersAcceptedTermsOfService: number;
}
