import { expect } from "chai";
import type { TestServer } from "./server.js";
import { Annotator, type AnyTask } from "./annotator.js";
import { gql } from "./graphql.js";
import { AvailableTasksDocument, MessageDocument, MessageTreeStateDocument, type TaskRequestType } from "../../client/generated/graphql.js";

/** A test's own corner of a shared server: its own language code, so its trees never meet another test's. */
export type Task<T extends AnyTask["__typename"]> = Extract<AnyTask, { __typename: T }>;

export class World {
  private n = 0;
  constructor(
    readonly server: TestServer,
    readonly key: string,
    readonly lang: string,
  ) {}
  annotator(name?: string) {
    return new Annotator(this.server.url, this.key, name ?? `${this.lang}-u${++this.n}`);
  }
  async task<T extends AnyTask["__typename"]>(a: Annotator, type: TaskRequestType, typename?: T): Promise<Task<T>> {
    const res = await a.request(type, this.lang);
    expect(res.errors, JSON.stringify(res.errors)).to.equal(undefined);
    if (typename) expect(res.data!.requestTask.__typename).to.equal(typename);
    return res.data!.requestTask as Task<T>;
  }
  async prompt(a: Annotator, text = `prompt ${a.userId} ${Math.random()}`): Promise<string> {
    const t = await this.task(a, "INITIAL_PROMPT", "InitialPromptTask");
    const { frontendMessageId } = await a.ack(t.id);
    const res = await a.reply(frontendMessageId, text, this.lang);
    expect(res.errors, JSON.stringify(res.errors)).to.equal(undefined);
    return res.data!.submitReply.messageId!;
  }
  async review(a: Annotator, type: TaskRequestType, spam = 0): Promise<string> {
    const t = (await this.task(a, type)) as Task<"LabelInitialPromptTask">;
    const { res } = await a.ack(t.id);
    expect(res.errors).to.equal(undefined);
    const done = await a.label(t.id, t.messageId, { spam, lang_mismatch: 0, quality: 0.75 });
    expect(done.errors, JSON.stringify(done.errors)).to.equal(undefined);
    return t.messageId;
  }
  async replyTo(a: Annotator, type: "ASSISTANT_REPLY" | "PROMPTER_REPLY"): Promise<{ messageId: string; parentId: string }> {
    const t = (await this.task(a, type)) as Task<"AssistantReplyTask">;
    const { frontendMessageId } = await a.ack(t.id);
    const res = await a.reply(frontendMessageId, `reply by ${a.userId} ${Math.random()}`, this.lang);
    expect(res.errors, JSON.stringify(res.errors)).to.equal(undefined);
    return { messageId: res.data!.submitReply.messageId!, parentId: t.conversation[t.conversation.length - 1].id };
  }
  async message(id: string) {
    const res = await gql(this.server.url, MessageDocument, { id }, { key: this.key });
    expect(res.errors, JSON.stringify(res.errors)).to.equal(undefined);
    return res.data!.message;
  }
  async state(id: string) {
    return (await gql(this.server.url, MessageTreeStateDocument, { id }, { key: this.key })).data!.messageTreeState;
  }
  /** A prompt written by `author` and accepted by three reviewers; the tree then waits in the lottery. */
  async acceptedPrompt(author: Annotator): Promise<string> {
    const root = await this.prompt(author);
    for (let i = 0; i < 3; i++) await this.review(this.annotator(), "LABEL_INITIAL_PROMPT");
    return root;
  }
  /** An accepted prompt that won the lottery: the tree is growing. */
  async growingTree(author: Annotator): Promise<string> {
    const root = await this.acceptedPrompt(author);
    await gql(this.server.url, AvailableTasksDocument, { lang: this.lang }, { key: this.key }); // runs the lottery
    expect((await this.state(root)).state).to.equal("GROWING");
    return root;
  }
}
