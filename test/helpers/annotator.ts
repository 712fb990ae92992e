/**
 * Drives the task protocol through the real GraphQL endpoint the way a frontend does: request, ack with a fresh
 * frontend id, submit. Used by the end-to-end tests and by the W1 benchmark.
 */
import crypto from "node:crypto";
import { gql, type GqlResponse } from "./graphql.js";
import {
  AckTaskDocument,
  NackTaskDocument,
  RequestTaskDocument,
  SubmitLabelsDocument,
  SubmitRankingDocument,
  SubmitReplyDocument,
  type RequestTaskMutation,
  type TaskRequestType,
} from "../../client/generated/graphql.js";

export type AnyTask = RequestTaskMutation["requestTask"];

export class Annotator {
  private seq = 0;
  constructor(
    readonly url: string,
    readonly key: string,
    readonly userId: string,
    readonly rng: () => number = Math.random,
  ) {}

  get userHeader(): string {
    return `local:${this.userId}`;
  }

  private opts() {
    return { key: this.key, user: this.userHeader, userName: this.userId };
  }

  async request(type: TaskRequestType = "RANDOM", lang = "en"): Promise<GqlResponse<RequestTaskMutation>> {
    return gql(this.url, RequestTaskDocument, { input: { type, lang } }, this.opts());
  }

  async ack(taskId: string, frontendMessageId = this.freshId("post")) {
    const res = await gql(this.url, AckTaskDocument, { input: { taskId, frontendMessageId } }, this.opts());
    return { res, frontendMessageId };
  }

  async nack(taskId: string, reason = "skip") {
    return gql(this.url, NackTaskDocument, { input: { taskId, reason } }, this.opts());
  }

  async reply(taskFrontendMessageId: string, text: string, lang = "en", userMessageId = this.freshId("msg")) {
    return gql(this.url, SubmitReplyDocument, { input: { taskFrontendMessageId, userMessageId, text, lang } }, this.opts());
  }

  async rank(taskFrontendMessageId: string, ranking: number[]) {
    return gql(this.url, SubmitRankingDocument, { input: { taskFrontendMessageId, ranking, notRankable: false } }, this.opts());
  }

  async label(taskId: string, messageId: string, labels: Record<string, number>) {
    return gql(
      this.url,
      SubmitLabelsDocument,
      { input: { taskId, messageId, labels: Object.entries(labels).map(([name, value]) => ({ name, value })), text: "" } },
      this.opts(),
    );
  }

  freshId(prefix: string): string {
    return `${prefix}-${this.userId}-${++this.seq}-${crypto.randomBytes(4).toString("hex")}`;
  }

  /**
   * One W1 cycle on a task already handed out: ack, then the submission the workload prescribes. Returns the
   * submit response (or the ack's when that failed).
   */
  async complete(task: AnyTask, lang = "en", values: { spam?: number } = {}): Promise<GqlResponse<unknown>> {
    const { res: ackRes, frontendMessageId } = await this.ack(task.id);
    if (ackRes.errors) return ackRes;
    switch (task.__typename) {
      case "InitialPromptTask":
        return this.reply(frontendMessageId, uniqueText(160, this.rng), lang);
      case "PrompterReplyTask":
        return this.reply(frontendMessageId, uniqueText(120, this.rng), lang);
      case "AssistantReplyTask":
        return this.reply(frontendMessageId, uniqueText(600, this.rng), lang);
      case "RankAssistantRepliesTask":
      case "RankPrompterRepliesTask": {
        const order = task.replyMessages.map((_, i) => i);
        for (let i = order.length - 1; i > 0; i--) {
          const j = Math.floor(this.rng() * (i + 1));
          [order[i], order[j]] = [order[j], order[i]];
        }
        return this.rank(frontendMessageId, order);
      }
      default: {
        const labels: Record<string, number> = {};
        for (const name of task.validLabels) {
          labels[name] = LIKERT.has(name) ? [0, 0.25, 0.5, 0.75, 1][Math.floor(this.rng() * 5)] : 0;
        }
        if (values.spam !== undefined) labels.spam = values.spam;
        return this.label(task.id, task.messageId, labels);
      }
    }
  }
}

const LIKERT = new Set(["quality", "toxicity", "humor", "helpfulness", "creativity", "violence"]);

/** A text of exactly `length` characters, unique with overwhelming probability. */
export function uniqueText(length: number, rng: () => number = Math.random): string {
  const words = ["river", "lantern", "orbit", "maple", "quartz", "harbor", "velvet", "summit", "ember", "willow", "cobalt", "meadow"];
  let s = `${Math.floor(rng() * 1e9).toString(36)}-${crypto.randomBytes(6).toString("hex")}`;
  while (s.length < length) s += " " + words[Math.floor(rng() * words.length)];
  return s.slice(0, length).trimEnd().padEnd(length, "x");
}
