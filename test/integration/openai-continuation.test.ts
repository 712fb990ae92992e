/**
 * A worker killed mid-answer, taken over by a worker on an OpenAI-compatible backend (issue 11 item 5). Real worker
 * processes (`chorus-worker`, CHORUS_WORKER_BACKEND=openai) against a fake server in this process that streams like
 * vLLM (a role chunk, `delta.content` chunks, a finish chunk with an empty delta, a usage chunk with no choices,
 * `data: [DONE]`) and treats `continue_final_message` as vLLM does; a second fake ignores the flag and has no
 * `/version`, like a server that cannot continue. Whatever the setting, the stored answer is the streamed answer:
 * continued where the server really continues, restarted (GenerationRestarted) otherwise, never the partial text
 * followed by a whole new answer.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { expect } from "chai";
import { print } from "graphql";
import type { Client } from "graphql-ws";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { gql, wsClient } from "../helpers/graphql.js";
import { buildGpuWorkers, startWorkerProcess, type WorkerProcess } from "../helpers/gpu-worker-process.js";
import { ApiClientKind } from "../../src/modules/api-clients/api-client.entity.js";
import {
  ChatMessageDocument,
  ContinueGenerationDocument,
  CreateChatDocument,
  GenerationDocument,
  SendChatMessageDocument,
  WorkersDocument,
  type GenerationSubscription,
} from "../../client/generated/graphql.js";

type Event = GenerationSubscription["generation"];

/** The one answer the fake model knows: "tok0 tok1 tok2 ...", one token per word. */
const token = (i: number) => (i === 0 ? "tok0" : ` tok${i}`);
const answer = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => token(from + i)).join("");

interface ChatRequest {
  messages: { role: string; content: string }[];
  max_tokens: number;
  stream: boolean;
  stream_options?: { include_usage?: boolean };
  continue_final_message?: boolean;
  add_generation_prompt?: boolean;
}

/** A stand-in for an OpenAI-compatible server on 127.0.0.1 that streams a fixed answer at a steady pace. */
class FakeModelServer {
  private readonly server: Server;
  readonly requests: ChatRequest[] = [];

  constructor(
    private readonly flavour: "vllm" | "ignores-flag",
    private readonly tokenMs = 40,
  ) {
    this.server = createServer((request, response) => {
      let body = "";
      request.setEncoding("utf8");
      request.on("data", (piece: string) => (body += piece));
      request.on("end", () => void this.handle(request, body, response));
    });
  }

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/v1`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private json(response: ServerResponse, status: number, body: unknown): void {
    response.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
  }

  private async handle(request: IncomingMessage, body: string, response: ServerResponse): Promise<void> {
    if (request.method === "GET" && request.url === "/v1/models")
      return this.json(response, 200, { object: "list", data: [{ id: "fake-llm", object: "model" }] });
    if (request.method === "GET" && request.url === "/version" && this.flavour === "vllm") return this.json(response, 200, { version: "0.8.5" });
    if (request.method !== "POST" || request.url !== "/v1/chat/completions") return this.json(response, 404, { detail: "Not Found" });
    const req = JSON.parse(body) as ChatRequest;
    this.requests.push(req);
    const continuing = this.flavour === "vllm" && req.continue_final_message === true;
    if (continuing && req.add_generation_prompt !== false) {
      return this.json(response, 400, {
        object: "error",
        message: "Cannot set both `continue_final_message` and `add_generation_prompt` to True.",
        type: "BadRequestError",
        code: 400,
      });
    }
    // vLLM continues inside the final assistant message only when asked to; otherwise its chat template closes that
    // message and the model starts a new answer.
    let start = 0;
    const last = req.messages[req.messages.length - 1];
    if (continuing && last?.role === "assistant") {
      start = last.content.split(" ").length;
      if (answer(0, start) !== last.content)
        return this.json(response, 400, { object: "error", message: `not a prefix of the answer: ${last.content}`, code: 400 });
    }
    const base = { id: "chatcmpl-fake", object: "chat.completion.chunk", created: Math.floor(Date.now() / 1000), model: "fake-llm" };
    const send = (data: unknown) => response.write(`data: ${JSON.stringify(data)}\n\n`);
    response.writeHead(200, { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache" });
    send({ ...base, choices: [{ index: 0, delta: { role: "assistant", content: "" }, logprobs: null, finish_reason: null }] });
    let sent = 0;
    for (; sent < req.max_tokens; sent++) {
      if (response.destroyed) return;
      await new Promise((r) => setTimeout(r, this.tokenMs));
      send({ ...base, choices: [{ index: 0, delta: { content: token(start + sent) }, logprobs: null, finish_reason: null }] });
    }
    send({ ...base, choices: [{ index: 0, delta: { content: "" }, logprobs: null, finish_reason: "length", stop_reason: null }] });
    if (req.stream_options?.include_usage)
      send({ ...base, choices: [], usage: { prompt_tokens: 12 + start, total_tokens: 12 + start + sent, completion_tokens: sent } });
    response.end("data: [DONE]\n\n");
  }
}

function streamedText(events: Event[]): string {
  let text = "";
  for (const e of events) {
    if (e.__typename === "GenerationRestarted") text = "";
    if (e.__typename === "GenerationContinued") text = e.text;
    if (e.__typename === "GenerationTokens") text += e.text;
  }
  return text;
}

async function until(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 30_000): Promise<void> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe("a worker killed mid-answer, taken over by a worker on an OpenAI-compatible server", function () {
  this.timeout(120_000);
  let server: TestServer;
  let clientKey: string;
  let workerKey: string;
  let ws: Client;
  const user = "local:openai-continuation";
  const as = () => ({ key: clientKey, user });
  const processes: WorkerProcess[] = [];
  const fakes: FakeModelServer[] = [];

  before(async () => {
    buildGpuWorkers();
    server = await startTestServer({ LOCAL_WORKER: "false", WORKER_LEASE_MS: "3000", CHAT_TOKEN_BATCH_MS: "10", CHAT_RATE_LIMIT_GENERATIONS: "0" });
    clientKey = (await server.createClient({ name: "chat app", trusted: true })).key;
    workerKey = (await server.createClient({ name: "openai workers", kind: ApiClientKind.WORKER })).key;
    ws = wsClient(server.wsUrl, { authorization: `Bearer ${clientKey}`, user });
  });
  afterEach(async () => {
    for (const p of processes.splice(0)) {
      if (p.child.exitCode === null && p.child.signalCode === null) {
        p.child.kill("SIGTERM");
        await p.exited;
      }
    }
    for (const f of fakes.splice(0)) await f.stop();
    await until(
      "no worker is connected",
      async () => (await gql(server.url, WorkersDocument, {}, { key: server.adminKey })).data!.workers.length === 0,
      10_000,
    );
  });
  after(async () => {
    await ws?.dispose();
    await server?.stop();
  });

  async function fake(flavour: "vllm" | "ignores-flag"): Promise<{ fake: FakeModelServer; url: string }> {
    const f = new FakeModelServer(flavour);
    fakes.push(f);
    return { fake: f, url: await f.start() };
  }

  function worker(name: string, baseUrl: string, env: Record<string, string> = {}): WorkerProcess {
    const p = startWorkerProcess({
      CHORUS_API_URL: server.wsUrl,
      CHORUS_WORKER_KEY: workerKey,
      CHORUS_WORKER_BACKEND: "openai",
      CHORUS_WORKER_MODELS: "synthetic",
      CHORUS_OPENAI_BASE_URL: baseUrl,
      CHORUS_OPENAI_MODEL: "fake-llm",
      CHORUS_WORKER_NAME: name,
      ...env,
    });
    processes.push(p);
    return p;
  }

  async function send(maxNewTokens: number): Promise<string> {
    const chat = await gql(server.url, CreateChatDocument, { input: {} }, as());
    const sent = await gql(
      server.url,
      SendChatMessageDocument,
      { input: { chatId: chat.data!.createChat.id, text: "Tell me a story", model: "synthetic", sampling: { maxNewTokens } } },
      as(),
    );
    expect(sent.errors, JSON.stringify(sent.errors)).to.equal(undefined);
    return sent.data!.sendChatMessage.assistantMessage.id;
  }

  /** Follows a generation from `after`; `events` fills as they come, `done` resolves at the end. */
  function follow(messageId: string, after = 0): { events: Event[]; done: Promise<void> } {
    const events: Event[] = [];
    const done = new Promise<void>((resolve, reject) => {
      ws.subscribe<GenerationSubscription>(
        { query: print(GenerationDocument), variables: { messageId, after } },
        { next: (r) => void (r.data && events.push(r.data.generation)), error: reject, complete: resolve },
      );
    });
    return { events, done };
  }

  async function stored(id: string) {
    return (await gql(server.url, ChatMessageDocument, { id }, as())).data!.chatMessage;
  }

  /** Sends a prompt, lets a first worker stream part of the answer, kills it (SIGKILL) and starts a second. */
  async function killMidAnswer(baseUrl: string, env: Record<string, string>, maxNewTokens = 24) {
    const doomed = worker("doomed", baseUrl, env);
    await doomed.waitFor(/"msg":"connected"/);
    const messageId = await send(maxNewTokens);
    const { events, done } = follow(messageId);
    await until("a few tokens are streamed", () => streamedText(events).split(" ").length >= 6);
    doomed.child.kill("SIGKILL");
    await doomed.exited;
    const partial = streamedText(events);
    const rescuer = worker("rescuer", baseUrl, env);
    await done;
    return { messageId, events, partial, rescuer };
  }

  it("by default (continuation none) the worker says it cannot continue: the answer restarts, stored text = streamed text = one whole answer", async () => {
    const { fake: vllm, url } = await fake("vllm");
    const { messageId, events, partial } = await killMidAnswer(url, {});
    const types = events.map((e) => e.__typename);
    expect(types).to.include("GenerationRestarted");
    expect(types[types.length - 1]).to.equal("GenerationFinished");
    const m = await stored(messageId);
    expect(m).to.include({ state: "COMPLETE", workerName: "rescuer", tokenCount: 24, finishReason: "length" });
    expect(m.text).to.equal(streamedText(events));
    expect(m.text).to.equal(answer(0, 24));
    expect(m.text.startsWith(partial + " tok0")).to.equal(false);
    // The rescuer asked for a new answer: no partial text, no continuation flag.
    const rescue = vllm.requests[vllm.requests.length - 1];
    expect(rescue.messages[rescue.messages.length - 1].role).to.equal("user");
    expect(rescue).to.not.have.any.keys("continue_final_message", "add_generation_prompt");
    expect(rescue.max_tokens).to.equal(24);
  });

  it("with CHORUS_OPENAI_CONTINUATION=vllm on vLLM: the rescuer continues inside the answer, no restart, stored text = streamed text", async () => {
    const { fake: vllm, url } = await fake("vllm");
    const env = { CHORUS_OPENAI_CONTINUATION: "vllm" };
    const { messageId, events, partial, rescuer } = await killMidAnswer(url, env);
    await rescuer.waitFor(/"canContinue":true/);
    const types = events.map((e) => e.__typename);
    expect(types).to.not.include("GenerationRestarted");
    expect(types.filter((t) => t === "GenerationStarted")).to.have.length(2);
    expect(events.map((e) => e.seq)).to.deep.equal(events.map((_, i) => i + 1));
    const m = await stored(messageId);
    expect(m).to.include({ state: "COMPLETE", workerName: "rescuer", tokenCount: 24, finishReason: "length" });
    expect(m.text).to.equal(streamedText(events));
    expect(m.text).to.equal(answer(0, 24));
    expect(m.text.startsWith(partial)).to.equal(true);
    const done = partial.split(" ").length;
    const rescue = vllm.requests[vllm.requests.length - 1];
    expect(rescue).to.deep.include({ continue_final_message: true, add_generation_prompt: false, max_tokens: 24 - done });
    expect(rescue.messages[rescue.messages.length - 1]).to.deep.equal({ role: "assistant", content: partial });
  });

  it("a server that ignores the flag: by default the answer restarts; with continuation vllm the worker refuses to start", async () => {
    const { url } = await fake("ignores-flag");
    const refused = worker("misconfigured", url, { CHORUS_OPENAI_CONTINUATION: "vllm" });
    expect(await refused.exited).to.equal(1);
    expect(refused.output().stderr).to.match(/vLLM 0\.6\.3 or later/);
    processes.splice(processes.indexOf(refused), 1);
    const { messageId, events } = await killMidAnswer(url, {});
    expect(events.map((e) => e.__typename)).to.include("GenerationRestarted");
    const m = await stored(messageId);
    expect(m.text).to.equal(streamedText(events));
    expect(m.text).to.equal(answer(0, 24));
  });

  it("continueGeneration: a vllm worker extends the answer inside it; a worker that cannot continue refuses the job and never appends a new answer", async () => {
    const { fake: vllm, url } = await fake("vllm");
    const plain = worker("plain", url);
    await plain.waitFor(/"msg":"connected"/);
    const messageId = await send(4);
    await follow(messageId).done;
    expect((await stored(messageId)).text).to.equal(answer(0, 4));
    // A worker without continuation gets the job and fails it (retryable) each time it is handed out: the answer ends
    // FAILED, its text unchanged, and the server was never asked with the answer as a final assistant message.
    const asked = vllm.requests.length;
    const refused = await gql(server.url, ContinueGenerationDocument, { messageId }, as());
    expect(refused.errors, JSON.stringify(refused.errors)).to.equal(undefined);
    await follow(messageId, refused.data!.continueGeneration.resumeAfter).done;
    const failed = await stored(messageId);
    expect(failed.state).to.equal("FAILED");
    expect(failed.text).to.equal(answer(0, 4));
    expect(vllm.requests.length).to.equal(asked);
    expect(plain.output().stdout).to.include("CONTINUATION_UNSUPPORTED");
    plain.child.kill("SIGTERM");
    await plain.exited;

    // With continuation vllm the same kind of job is continued by the server.
    const able = worker("able", url, { CHORUS_OPENAI_CONTINUATION: "vllm" });
    await able.waitFor(/"msg":"connected"/);
    const second = await send(4);
    await follow(second).done;
    const cont = await gql(server.url, ContinueGenerationDocument, { messageId: second }, as());
    expect(cont.errors, JSON.stringify(cont.errors)).to.equal(undefined);
    const { events, done } = follow(second, cont.data!.continueGeneration.resumeAfter);
    await done;
    const m = await stored(second);
    expect(m.state).to.equal("COMPLETE");
    expect(m.text).to.equal(streamedText(events));
    expect(m.text.startsWith(answer(0, 4) + " tok4")).to.equal(true);
    expect(m.text).to.equal(answer(0, m.text.split(" ").length));
    const last = vllm.requests[vllm.requests.length - 1];
    expect(last).to.deep.include({ continue_final_message: true, add_generation_prompt: false });
    expect(last.messages[last.messages.length - 1]).to.deep.equal({ role: "assistant", content: answer(0, 4) });
  });
});
