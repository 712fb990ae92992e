import { Field, ID, InputType, Int, ObjectType, registerEnumType } from "type-graphql";
import { IsOptional, Length, ValidateNested } from "../../common/validators.js";
import { EmojiCount } from "../tasks/task.types.js";
import { TreeState } from "./message-tree-state.entity.js";
import { ConnectionType } from "../../common/pagination.js";
import { UserRefInput } from "../users/user-ref.js";

export enum MessageRoleEnum {
  PROMPTER = "prompter",
  ASSISTANT = "assistant",
}
registerEnumType(MessageRoleEnum, { name: "MessageRole", description: "Who speaks: the user (prompter) or the assistant." });
registerEnumType(TreeState, { name: "TreeState", description: "Where a conversation tree is in its life (spec §3.1)." });

export enum EmojiOpEnum {
  ADD = "add",
  REMOVE = "remove",
  TOGGLE = "toggle",
}
registerEnumType(EmojiOpEnum, { name: "EmojiOp", description: "Add, remove or toggle an emoji." });

// simpleResolvers: plain data fields skip type-graphql's per-field middleware (a 500-message tree has 10,000 of them)
@ObjectType("Message", { description: "One message of a conversation tree.", simpleResolvers: true })
export class MessageNode {
  @Field(() => ID, { description: "The message id (a UUID; the export's message_id)." }) id: string;
  @Field(() => ID, { nullable: true, description: "The message it replies to; null for a tree's initial prompt." }) parentId: string | null;
  @Field(() => ID, { description: "The tree (= its root's id)." }) messageTreeId: string;
  @Field({ description: "The frontend's id for the message." }) frontendMessageId: string;
  @Field(() => ID, { nullable: true, description: "The author." }) userId: string | null;
  @Field({ description: "The text." }) text: string;
  @Field({ description: "Language (BCP-47)." }) lang: string;
  @Field(() => MessageRoleEnum, { description: "prompter or assistant." }) role: MessageRoleEnum;
  @Field({ description: "Whether the assistant role wrote it." }) isAssistant: boolean;
  @Field(() => Date, { description: "When it was written." }) createdDate: Date;
  @Field(() => Int, { description: "Depth in the tree (root 0)." }) depth: number;
  @Field(() => Int, {
    description: "Replies it got (live ones, recomputed after purges); for an untrusted client, its own client's live replies (the length of `children`).",
  })
  childrenCount: number;
  @Field(() => [EmojiCount], { description: "Emoji counts." }) emojis: EmojiCount[];
  @Field(() => Boolean, { nullable: true, description: "Review outcome: null undecided, true accepted, false rejected." }) reviewResult: boolean | null;
  @Field(() => Int, { description: "Task-based reviews it got." }) reviewCount: number;
  @Field(() => Int, { description: "Rankings that included it." }) rankingCount: number;
  @Field(() => Int, { nullable: true, description: "Consensus rank among its siblings, 0 = best." }) rank: number | null;
  @Field({ description: "Soft-deleted." }) deleted: boolean;
  @Field({ description: "Edited after it was written." }) edited: boolean;
  @Field({ description: "Machine-generated." }) synthetic: boolean;
  @Field(() => String, { nullable: true, description: "The model that wrote it, for synthetic messages." }) modelName: string | null;
  apiClientId: string;
  /** The acting user's emojis, when the read already fetched them (whole trees). */
  actingUserEmojis?: string[];
}

@ObjectType("MessageTreeStateInfo", { description: "The state of a conversation tree.", simpleResolvers: true })
export class MessageTreeStateNode {
  @Field(() => ID, { description: "The tree (= its root's id)." }) messageTreeId: string;
  @Field(() => TreeState, { description: "The state." }) state: TreeState;
  @Field({ description: "Whether the tree still collects work." }) active: boolean;
  @Field(() => Int, { description: "Counted messages the tree grows to." }) goalTreeSize: number;
  @Field(() => Int, { description: "Deepest parent depth that takes replies." }) maxDepth: number;
  @Field(() => Int, { description: "Most counted children per parent." }) maxChildrenCount: number;
  @Field(() => String, { nullable: true, description: "Import source, for imported trees." }) origin: string | null;
  @Field({ description: "Language of the root." }) lang: string;
  @Field(() => Date, { nullable: true, description: "When the tree first entered growing." }) wonPromptLotteryDate: Date | null;
}

@ObjectType({ description: "A message with its replies, nested.", simpleResolvers: true })
export class MessageTreeNode {
  @Field(() => MessageNode, { description: "The message." }) message: MessageNode;
  @Field(() => [MessageTreeNode], { description: "Its replies (best rank first, unranked after, then oldest first)." }) replies: MessageTreeNode[];
}

@ObjectType({ description: "A message with its direct replies.", simpleResolvers: true })
export class MessageBranch {
  @Field(() => MessageNode, { description: "The message." }) message: MessageNode;
  @Field(() => [MessageNode], { description: "Its accepted, live replies (best rank first, unranked after, then oldest first)." }) replies: MessageNode[];
}

@ObjectType({ description: "A whole conversation tree, flat and nested.", simpleResolvers: true })
export class MessageTree {
  @Field(() => ID, { description: "The tree (= its root's id)." }) id: string;
  @Field(() => MessageTreeStateNode, { nullable: true, description: "Its state." }) state: MessageTreeStateNode | null;
  @Field(() => [MessageNode], { description: "Every message, ordered by depth then creation." }) messages: MessageNode[];
  @Field(() => MessageTreeNode, { nullable: true, description: "The root with its replies nested." }) root: MessageTreeNode | null;
}

export const MessageConnection = ConnectionType(MessageNode, "Message");

@InputType({ description: "Which messages to list." })
export class MessagesFilterInput {
  @Field(() => ID, { nullable: true, description: "Only this author." })
  @IsOptional()
  userId?: string | null;

  @Field(() => String, { nullable: true, description: "Only this language." })
  @IsOptional()
  @Length(1, 32)
  lang?: string | null;

  @Field(() => String, {
    nullable: true,
    description:
      'Full-text search (web-search syntax: words, "phrases", or, -not), stemmed in each message\'s own language; with `lang`, in that language only.',
  })
  @IsOptional()
  @Length(1, 500)
  search?: string | null;

  @Field({ defaultValue: false, description: "Only initial prompts." })
  onlyRoots: boolean;

  @Field({ defaultValue: false, description: "Include deleted messages." })
  includeDeleted: boolean;

  @Field(() => Date, { nullable: true, description: "Created at or after." })
  @IsOptional()
  since?: Date | null;

  @Field(() => Date, { nullable: true, description: "Created before." })
  @IsOptional()
  until?: Date | null;

  @Field({ defaultValue: false, description: "Newest first." })
  desc: boolean;

  @Field(() => ID, { nullable: true, description: "Only messages of this API client (trusted callers; others always see their own only)." })
  @IsOptional()
  apiClientId?: string | null;
}

@InputType({ description: "Set, remove or toggle an emoji on a message." })
export class SetEmojiInput {
  @Field(() => ID, { description: "The message." })
  messageId: string;

  @Field(() => EmojiOpEnum, { defaultValue: EmojiOpEnum.TOGGLE, description: "What to do." })
  op: EmojiOpEnum;

  @Field({ description: "The emoji code: +1, -1, red_flag, 100, rofl, clap, diamond, heart_eyes, disappointed, poop, skull." })
  @Length(1, 32)
  emoji: string;

  @Field(() => UserRefInput, { nullable: true, description: "The user; else the x-chorus-user header." })
  @IsOptional()
  @ValidateNested()
  user?: UserRefInput | null;
}
