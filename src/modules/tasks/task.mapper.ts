import type { StoredConversationMessage, TaskPayload } from "./task-common.js";
import { ConversationMessage, LabelWidget, TaskRequestType, type LabelDescription } from "./task.types.js";
import type { LabelDescription as StoredLabelDescription } from "../consensus/labels.js";

function toConversationMessage(m: StoredConversationMessage): ConversationMessage {
  return {
    id: m.id,
    userId: m.user_id,
    frontendMessageId: m.frontend_message_id,
    text: m.text,
    lang: m.lang,
    isAssistant: m.is_assistant,
    emojis: Object.entries(m.emojis ?? {}).map(([emoji, count]) => ({ emoji, count })),
    userEmojis: m.user_emojis,
    userIsAuthor: m.user_is_author,
    synthetic: m.synthetic,
  };
}

export function toLabelDescription(d: StoredLabelDescription): LabelDescription {
  return { name: d.name, widget: d.widget as LabelWidget, displayText: d.displayText, helpText: d.helpText ?? null };
}

/** The GraphQL task object (a member of the Task union) for a stored task payload. */
export function toTaskObject(id: string, payload: TaskPayload): Record<string, unknown> {
  const p = payload as Record<string, unknown>;
  const conversation = ((p.conversation as StoredConversationMessage[] | undefined) ?? []).map(toConversationMessage);
  const base = { id, type: p.type as TaskRequestType };
  switch (p.type) {
    case "initial_prompt":
      return { ...base, hint: null };
    case "prompter_reply":
      return { ...base, conversation, hint: null };
    case "assistant_reply":
      return { ...base, conversation };
    case "rank_assistant_replies":
    case "rank_prompter_replies":
      return {
        ...base,
        conversation,
        replyMessages: (p.reply_messages as StoredConversationMessage[]).map(toConversationMessage),
        replies: p.replies as string[],
        messageTreeId: p.message_tree_id as string,
        rankingParentId: p.ranking_parent_id as string,
        revealSynthetic: p.reveal_synthetic as boolean,
      };
    default:
      return {
        ...base,
        conversation,
        messageId: p.message_id as string,
        validLabels: p.valid_labels as string[],
        mandatoryLabels: p.mandatory_labels as string[],
        mode: p.mode,
        disposition: p.disposition,
        labels: (p.labels as StoredLabelDescription[]).map(toLabelDescription),
        prompt: (p.prompt as string | undefined) ?? "",
        reply: (p.reply as string | undefined) ?? "",
      };
  }
}
