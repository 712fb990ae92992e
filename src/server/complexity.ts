/**
 * What an operation costs before it runs: 1 per field, and a list costs its size times what one item costs. The
 * size is the page asked for (`first`/`last`, or a connection's default page), a schema-derived figure for
 * introspection (the real totals), or the bound declared below for every other list of objects. Without these
 * sizes, introspection and nested lists passed the limit while costing hundreds of times a simple query.
 */
import {
  getNamedType,
  getNullableType,
  isCompositeType,
  isInputObjectType,
  isEnumType,
  isInterfaceType,
  isListType,
  isObjectType,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLSchema,
} from "graphql";
import type { ComplexityEstimator } from "graphql-query-complexity";

/** A connection's page when neither `first` nor `last` is given (the resolvers' default). */
export const DEFAULT_PAGE_SIZE = 20;

/** Most messages a conversation (root to leaf) is assumed to hold; trees may be deeper, MAX_RESPONSE_BYTES backs it. */
const CONVERSATION = 20;
/** Replies a message is assumed to have (the tree manager's default allows 3). */
const REPLIES = 5;
/** Messages a tree is assumed to hold (the default tree manager grows trees of up to 40; imported ones vary). */
const TREE = 50;
/** Turns of a chat. */
const CHAT_TURNS = 40;
/** Per-language or per-state rows of a statistics list. */
const GROUPS = 50;
/** Small enumerations: labels, presets, reports on one answer, emojis on one message. */
const FEW = 20;

/**
 * The weight of every list of objects that is not a connection's page: the most items it is expected to hold.
 * `list-weights.test.ts` fails naming any list of objects in the schema without an entry, so a new list gets a
 * considered weight instead of costing 1.
 */
export const LIST_WEIGHTS: Record<string, number> = {
  "AssistantReplyTask.conversation": CONVERSATION,
  "PrompterReplyTask.conversation": CONVERSATION,
  "LabelAssistantReplyTask.conversation": CONVERSATION,
  "LabelInitialPromptTask.conversation": CONVERSATION,
  "LabelPrompterReplyTask.conversation": CONVERSATION,
  "RankAssistantRepliesTask.conversation": CONVERSATION,
  "RankPrompterRepliesTask.conversation": CONVERSATION,
  "RankAssistantRepliesTask.replyMessages": REPLIES,
  "RankPrompterRepliesTask.replyMessages": REPLIES,
  "LabelAssistantReplyTask.labels": FEW,
  "LabelInitialPromptTask.labels": FEW,
  "LabelPrompterReplyTask.labels": FEW,
  "CachedStats.humanMessagesByLang": GROUPS,
  "CachedStats.humanMessagesByRole": FEW,
  "CachedStats.messageTreesByState": FEW,
  "CachedStats.messageTreesStatesByLang": GROUPS * 4,
  "ArenaBattle.messagesA": CHAT_TURNS,
  "ArenaBattle.messagesB": CHAT_TURNS,
  "ModelLeaderboard.models": GROUPS,
  "Chat.draftChoices": CHAT_TURNS,
  "Chat.messages": CHAT_TURNS,
  "ChatMessage.reports": 3, // one open report per user and answer, and only its chat's owner files them

  "ChatModel.presets": FEW,
  "ConversationMessage.emojis": 10,
  "Message.emojis": 10,
  "Message.children": REPLIES,
  "Message.longestConversationInTree": CONVERSATION,
  "MessageBranch.replies": REPLIES,
  "MessageTree.messages": TREE,
  "MessageTreeNode.replies": REPLIES,
  "MergeUsersResult.droppedDuplicates": FEW,
  "MergeUsersResult.moved": FEW,
  "Mutation.refreshLeaderboards": 4,
  "Mutation.retryScoring": 100,
  "Query.conversation": CONVERSATION,
  "Query.messageChildren": REPLIES,
  "Query.messageDescendants": TREE,
  "Query.messageHistory": FEW,
  "Query.models": FEW,
  "Query.reportLabels": FEW,
  "Query.settings": 100,
  "Query.validLabels": FEW,
  "Query.workerPools": FEW,
  "Query.workers": 100,
  "RankingAgreement.perParent": 100,
  "SendChatMessagePayload.assistantMessages": 16,
  "SystemStats.activeByLang": GROUPS,
  "TreeManagerStats.messageCounts": 100,
  "TreeManagerStats.stateCounts": FEW,
  "WorkerJob.messages": CHAT_TURNS,
};

/**
 * Introspection resolves from the schema in memory, with no database work, so a field of it costs a fraction of a
 * data field: the `__schema` and `__type` subtrees are charged 1/INTROSPECTION_DISCOUNT of their size. The
 * standard introspection query of GraphiQL and codegen (about 68,000 fields here) then costs about 3,400, under the
 * default MAX_QUERY_COMPLEXITY, while every extra level of `fields { type { fields … } }` multiplies it again.
 */
export const INTROSPECTION_DISCOUNT = 20;

/**
 * A root field is its own trip to the database (loaders batch nested fields, not sibling root fields): aliasing
 * one root field hundreds of times cost 75 times a simple query at 5 per alias, so each root field costs this much
 * more than a nested one.
 */
export const ROOT_FIELD_COST = 10;

/** Arguments that say how many items a list returns (the only arguments the estimator reads). */
export const SIZE_ARGUMENTS = ["first", "last", "size", "limit"] as const;

/**
 * Introspection lists weighed by the schema itself: `__schema { types }` by the number of types, a type's fields,
 * arguments, enum values, interfaces and possible types by their average over the schema, so that a full
 * introspection query costs its real total and every nesting of `fields { type { fields … } } }` multiplies it.
 */
function introspectionWeights(schema: GraphQLSchema): Record<string, number> {
  const types = Object.values(schema.getTypeMap());
  let fields = 0;
  let args = 0;
  let enumValues = 0;
  let inputFields = 0;
  let interfaces = 0;
  let possible = 0;
  for (const t of types) {
    if (isObjectType(t) || isInterfaceType(t)) {
      const fs = Object.values(t.getFields());
      fields += fs.length;
      for (const f of fs) args += f.args.length;
      interfaces += t.getInterfaces().length;
    }
    if (isInterfaceType(t)) possible += schema.getPossibleTypes(t).length;
    if (isEnumType(t)) enumValues += t.getValues().length;
    if (isInputObjectType(t)) inputFields += Object.keys(t.getFields()).length;
  }
  const avg = (n: number, over: number) => Math.max(1, Math.ceil(n / Math.max(1, over)));
  const directives = schema.getDirectives();
  return {
    "__Schema.types": types.length,
    "__Schema.directives": directives.length,
    "__Type.fields": avg(fields, types.length),
    "__Type.interfaces": avg(interfaces, types.length),
    "__Type.possibleTypes": avg(possible, types.length),
    "__Type.enumValues": avg(enumValues, types.length),
    "__Type.inputFields": avg(inputFields, types.length),
    "__Field.args": avg(args, Math.max(1, fields)),
    "__Directive.args": avg(
      directives.reduce((n, d) => n + d.args.length, 0),
      directives.length,
    ),
  };
}

function isConnection(type: GraphQLNamedType): boolean {
  return isObjectType(type) && type.name.endsWith("Connection") && "edges" in type.getFields();
}

/** One estimator for every field of `schema`. */
export function listAwareEstimator(schema: GraphQLSchema): ComplexityEstimator {
  const weights: Record<string, number> = { ...LIST_WEIGHTS, ...introspectionWeights(schema) };
  const rootTypes = new Set([schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()].filter((t) => t).map((t) => t!.name));
  return ({ type, field, args, childComplexity }) => {
    if (field.name === "__schema" || field.name === "__type") return 1 + Math.ceil(childComplexity / INTROSPECTION_DISCOUNT);
    const own = rootTypes.has(type.name) && !field.name.startsWith("__") ? ROOT_FIELD_COST : 0;
    return own + itemsCost(type, field, args, childComplexity);
  };

  function itemsCost(type: GraphQLNamedType, field: GraphQLField<unknown, unknown>, args: Record<string, unknown>, childComplexity: number): number {
    const named = getNamedType(field.type);
    const child = Math.max(1, childComplexity);
    if (isConnection(named)) return 1 + pageSize(args) * child;
    if (!isListType(getNullableType(field.type))) return 1 + childComplexity;
    if (!isCompositeType(named)) return 1; // a list of scalars: its length is bounded by MAX_RESPONSE_BYTES
    // A connection's edges were counted by the connection's page size.
    if (isConnection(type)) return 1 + child;
    const asked = pageArgument(args);
    const size = asked ?? weights[`${type.name}.${field.name}`] ?? DEFAULT_PAGE_SIZE;
    return 1 + size * child;
  }
}

function pageArgument(args: Record<string, unknown>): number | undefined {
  for (const name of SIZE_ARGUMENTS) {
    const v = args[name];
    if (typeof v === "number" && Number.isFinite(v)) return Math.max(1, v);
  }
  return undefined;
}

function pageSize(args: Record<string, unknown>): number {
  return pageArgument(args) ?? DEFAULT_PAGE_SIZE;
}

/** Every list of objects outside connections and introspection, as `Type.field` (for the test that each is weighed). */
export function objectListFields(schema: GraphQLSchema): string[] {
  const out: string[] = [];
  for (const t of Object.values(schema.getTypeMap())) {
    if (t.name.startsWith("__") || !(isObjectType(t) || isInterfaceType(t)) || isConnection(t)) continue;
    for (const f of Object.values(t.getFields()) as GraphQLField<unknown, unknown>[]) {
      if (
        isListType(getNullableType(f.type)) &&
        isCompositeType(getNamedType(f.type)) &&
        !f.args.some((a) => (SIZE_ARGUMENTS as readonly string[]).includes(a.name))
      ) {
        out.push(`${t.name}.${f.name}`);
      }
    }
  }
  return out.sort();
}
