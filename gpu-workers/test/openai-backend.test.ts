import { expect } from "chai";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { BackendError, OpenAICompatibleBackend, type OpenAICompatibleBackendOptions } from "../src/backends/index.js";
import { parseVersion } from "../src/backends/openai.js";
import { collect, expectRejection, greedy, neverAborted } from "./helpers.js";

type Handler = (request: IncomingMessage, body: string, response: ServerResponse) => void | Promise<void>;

/** A stand-in for vLLM & co. on 127.0.0.1: each test scripts its answers; it records requests and hang-ups. */
class TestServer {
  private readonly server: Server;
  handler: Handler = (_request, _body, response) => void response.writeHead(500).end();
  readonly requests: { url: string; headers: IncomingMessage["headers"]; body: string }[] = [];
  /** Resolves when a client closes a connection before its response was complete. */
  private hangUpWaiters: (() => void)[] = [];
  hangUps = 0;
  /** TCP connections clients opened to this server. */
  connections = 0;

  constructor() {
    this.server = createServer((request, response) => {
      let body = "";
      request.setEncoding("utf8");
      request.on("data", (piece: string) => (body += piece));
      request.on("end", () => {
        this.requests.push({ url: request.url ?? "", headers: request.headers, body });
        response.on("close", () => {
          if (!response.writableFinished) {
            this.hangUps++;
            this.hangUpWaiters.splice(0).forEach((wake) => wake());
          }
        });
        void this.handler(request, body, response);
      });
    });
    this.server.on("connection", () => this.connections++);
  }

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/v1`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  lastBody(): Record<string, unknown> {
    return JSON.parse(this.requests.at(-1)!.body);
  }

  /** Waits until a client has hung up mid-response (fails the test after `ms`). */
  async hungUp(ms = 2000): Promise<void> {
    if (this.hangUps > 0) return;
    await Promise.race([
      new Promise<void>((resolve) => this.hangUpWaiters.push(resolve)),
      sleep(ms).then(() => expect.fail(`the server saw no hang-up within ${ms} ms`)),
    ]);
  }
}

const chunk = (delta: object, finishReason: string | null = null) =>
  `data: ${JSON.stringify({ id: "c1", object: "chat.completion.chunk", model: "tiny", choices: [{ index: 0, delta, finish_reason: finishReason }] })}\n\n`;
const usageChunk = (prompt: number, completion: number) =>
  `data: ${JSON.stringify({ id: "c1", object: "chat.completion.chunk", choices: [], usage: { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion } })}\n\n`;

function startStream(response: ServerResponse): void {
  response.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
  response.flushHeaders();
}

/** Writes `text` a few bytes at a time, pausing so the client gets separate reads split mid-line and mid-character. */
async function writeInPieces(response: ServerResponse, text: string, pieceBytes: number): Promise<void> {
  const bytes = Buffer.from(text, "utf8");
  for (let i = 0; i < bytes.length; i += pieceBytes) {
    response.write(bytes.subarray(i, i + pieceBytes));
    await sleep(1);
  }
}

const messages = [{ role: "user" as const, content: "Hi" }];

describe("OpenAICompatibleBackend", () => {
  const server = new TestServer();
  let baseUrl: string;
  const backend = (options: Partial<OpenAICompatibleBackendOptions> = {}) => new OpenAICompatibleBackend({ baseUrl, model: "tiny", ...options });

  before(async () => {
    baseUrl = await server.start();
  });
  after(async () => {
    await server.stop();
  });
  beforeEach(() => {
    server.requests.length = 0;
    server.hangUps = 0;
  });

  it("streams deltas from SSE split anywhere, with keep-alives, the finish reason and usage", async () => {
    server.handler = async (_request, _body, response) => {
      startStream(response);
      await writeInPieces(
        response,
        ": keep-alive\n\n" +
          chunk({ role: "assistant", content: "" }) +
          chunk({ content: "Héllo" }).replace("\n\n", "\r\n\r\n") +
          chunk({ content: " wörld 🎉" }) +
          chunk({}, "stop") +
          usageChunk(12, 3) +
          "data: [DONE]\n\n",
        3,
      );
      response.end();
    };
    const { tokens, finish } = await collect(
      backend({ apiKey: "secret" }).generate({
        messages,
        sampling: { maxNewTokens: 20, temperature: 0.7, topP: 0.9, topK: 40, seed: 5 },
        signal: neverAborted(),
      }),
    );
    expect(tokens.map((t) => t.text)).to.deep.equal(["Héllo", " wörld 🎉"]);
    expect(finish).to.deep.include({ finishReason: "stop", serverFinishReason: "stop", tokenCount: 3, promptTokens: 12, text: "Héllo wörld 🎉" });

    const request = server.requests.at(-1)!;
    expect(request.url).to.equal("/v1/chat/completions");
    expect(request.headers.authorization).to.equal("Bearer secret");
    expect(JSON.parse(request.body)).to.deep.equal({
      model: "tiny",
      messages,
      stream: true,
      stream_options: { include_usage: true },
      max_tokens: 20,
      temperature: 0.7,
      top_p: 0.9,
      seed: 5,
    });
  });

  it("streams answers through node's http client, not fetch() and its web streams (a fraction of the CPU per token)", async () => {
    server.handler = (_request, _body, response) => {
      startStream(response);
      response.end(chunk({ content: "one" }) + chunk({}, "stop") + "data: [DONE]\n\n");
    };
    const original = globalThis.fetch;
    globalThis.fetch = () => Promise.reject(new Error("fetch() was used for an answer"));
    try {
      const { tokens, finish } = await collect(backend().generate({ messages, sampling: greedy(5), signal: neverAborted() }));
      expect(tokens.map((t) => t.text)).to.deep.equal(["one"]);
      expect(finish).to.deep.include({ finishReason: "stop", text: "one" });
    } finally {
      globalThis.fetch = original;
    }
  });

  it("keeps the connection of an answer that ended with [DONE] for the next answer (no new handshake per answer)", async () => {
    // As vLLM's server (a streaming response whose generator ends after yielding [DONE]) sends it: the body's end
    // comes in a write of its own, after [DONE].
    server.handler = async (_request, _body, response) => {
      startStream(response);
      response.write(chunk({ content: "one" }) + chunk({}, "stop") + "data: [DONE]\n\n");
      await sleep(20);
      response.end();
    };
    const opened = server.connections;
    const b = backend();
    try {
      for (let answer = 0; answer < 3; answer++) {
        const { finish } = await collect(b.generate({ messages, sampling: greedy(5), signal: neverAborted() }));
        expect(finish).to.deep.include({ finishReason: "stop", text: "one" });
        // The rest of the response (its end) is read in the background; the connection is free once it is in.
        const agent = (b as unknown as { agent: { freeSockets: Record<string, unknown[]> } }).agent;
        for (let waited = 0; Object.keys(agent.freeSockets).length === 0 && waited < 2000; waited += 10) await sleep(10);
      }
      expect(server.connections - opened, "connections opened for three answers in turn").to.equal(1);
      expect(server.hangUps).to.equal(0);
    } finally {
      await b.close();
    }
  });

  it("maps finish_reason 'length', tolerates empty chunks, and counts tokens itself without usage", async () => {
    server.handler = (_request, _body, response) => {
      startStream(response);
      response.write(chunk({ content: null }));
      response.write(`data: ${JSON.stringify({ id: "c1", choices: [] })}\n\n`);
      response.write(chunk({ content: "a" }) + chunk({ content: "b" }) + chunk({ content: "c" }, "length"));
      response.end("data: [DONE]\n\n");
    };
    const { finish } = await collect(backend().generate({ messages, sampling: greedy(3), signal: neverAborted() }));
    expect(finish).to.deep.include({ finishReason: "length", tokenCount: 3, promptTokens: 0, text: "abc" });
  });

  it("reports other finish reasons as 'stop' and keeps the server's value", async () => {
    server.handler = (_request, _body, response) => {
      startStream(response);
      response.end(chunk({ content: "x" }, "content_filter") + "data: [DONE]\n\n");
    };
    const { finish } = await collect(backend().generate({ messages, sampling: greedy(3), signal: neverAborted() }));
    expect(finish).to.deep.include({ finishReason: "stop", serverFinishReason: "content_filter" });
  });

  it("sends non-standard sampling when configured", async () => {
    server.handler = (_request, _body, response) => {
      startStream(response);
      response.end(chunk({ content: " more" }, "stop") + "data: [DONE]\n\n");
    };
    await collect(
      backend({ nonStandardSampling: true }).generate({
        messages,
        sampling: { maxNewTokens: 8, temperature: 0, topP: 1, topK: 40, repetitionPenalty: 1.2 },
        signal: neverAborted(),
      }),
    );
    expect(server.lastBody()).to.deep.include({ messages, top_k: 40, repetition_penalty: 1.2 });
    expect(server.lastBody()).to.not.have.any.keys("continue_final_message", "add_generation_prompt");
  });

  describe("continuing a partial answer", () => {
    const continueRequest = () => ({ messages, continueFrom: "Partial", sampling: greedy(8), signal: neverAborted() });
    const streamMore = () => {
      server.handler = (_request, _body, response) => {
        startStream(response);
        response.end(chunk({ content: " more" }, "stop") + "data: [DONE]\n\n");
      };
    };

    it("vllm: sends the partial answer as the final assistant message with continue_final_message and no generation prompt", async () => {
      streamMore();
      const vllm = backend({ continuation: "vllm" });
      expect(vllm.canContinue).to.equal(true);
      const { finish } = await collect(vllm.generate(continueRequest()));
      expect(finish.text).to.equal(" more");
      expect(server.lastBody()).to.deep.include({
        messages: [...messages, { role: "assistant", content: "Partial" }],
        continue_final_message: true,
        add_generation_prompt: false,
      });
    });

    it("prefill: sends the partial answer as the final assistant message and no flag", async () => {
      streamMore();
      const prefill = backend({ continuation: "prefill" });
      expect(prefill.canContinue).to.equal(true);
      await collect(prefill.generate(continueRequest()));
      expect(server.lastBody().messages).to.deep.equal([...messages, { role: "assistant", content: "Partial" }]);
      expect(server.lastBody()).to.not.have.any.keys("continue_final_message", "add_generation_prompt");
    });

    it("none (the default): claims no continuation and refuses a partial answer without asking the server", async () => {
      streamMore();
      for (const none of [backend(), backend({ continuation: "none" })]) {
        expect(none.canContinue).to.equal(false);
        const error = await expectRejection(collect(none.generate(continueRequest())));
        expect((error as BackendError).code).to.equal("CONTINUATION_UNSUPPORTED");
        expect((error as BackendError).retryable, "another worker may be able to").to.equal(true);
      }
      expect(server.requests).to.have.length(0);
      const { finish } = await collect(backend().generate({ messages, sampling: greedy(8), signal: neverAborted() }));
      expect(finish.text).to.equal(" more");
    });

    it("vllm: load() checks /version at the server root and refuses anything but vLLM 0.6.3 or later", async () => {
      let version: string | null = "0.8.5";
      server.handler = (request, _body, response) => {
        if (request.url === "/version" && version !== null)
          return void response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ version }));
        if (request.url === "/v1/models")
          return void response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ data: [{ id: "tiny" }] }));
        response.writeHead(404).end();
      };
      for (const ok of ["0.8.5", "0.6.3", "0.6.3.post1", "0.10.1rc1", "v1.0.0"]) {
        version = ok;
        await backend({ continuation: "vllm" }).load();
      }
      expect(server.requests.map((r) => r.url)).to.include("/version");
      for (const bad of ["0.6.2", "0.5.9", "unknown", null]) {
        version = bad;
        const error = await expectRejection(backend({ continuation: "vllm" }).load());
        expect((error as BackendError).code, String(bad)).to.equal("CONTINUATION_UNSUPPORTED");
        expect((error as BackendError).message).to.match(/0\.6\.3/);
      }
      server.requests.length = 0;
      await backend({ continuation: "prefill" }).load();
      await backend().load();
      expect(server.requests.map((r) => r.url)).to.deep.equal(["/v1/models", "/v1/models"]);
    });

    it("reads version strings as vLLM writes them", () => {
      expect(parseVersion("0.8.5")).to.deep.equal([0, 8, 5]);
      expect(parseVersion("0.6.3.post1")).to.deep.equal([0, 6, 3]);
      expect(parseVersion("0.10.1rc1")).to.deep.equal([0, 10, 1]);
      expect(parseVersion("0.7.4.dev12+gabc")).to.deep.equal([0, 7, 4]);
      expect(parseVersion("1.2")).to.deep.equal([1, 2, 0]);
      expect(parseVersion("dev")).to.equal(null);
    });
  });

  describe("HTTP errors", () => {
    const cases: { status: number; body: object; headers?: Record<string, string>; code: string; retryable: boolean }[] = [
      {
        status: 400,
        body: { error: { message: "This model's maximum context length is 1024 tokens", code: 400 } },
        code: "CONTEXT_LENGTH_EXCEEDED",
        retryable: false,
      },
      { status: 400, body: { error: { message: "temperature must be positive" } }, code: "BAD_REQUEST", retryable: false },
      { status: 401, body: { error: { message: "bad key" } }, code: "UNAUTHORIZED", retryable: false },
      { status: 404, body: { error: { message: "The model `big` does not exist." } }, code: "NOT_FOUND", retryable: false },
      { status: 429, body: { error: "slow down" }, headers: { "retry-after": "3" }, code: "RATE_LIMITED", retryable: true },
      { status: 503, body: { detail: "overloaded" }, code: "OVERLOADED", retryable: true },
      { status: 500, body: { error: { message: "boom" } }, code: "SERVER_ERROR", retryable: true },
    ];
    for (const { status, body, headers, code, retryable } of cases) {
      it(`maps ${status} ${JSON.stringify(body)} to ${code}`, async () => {
        server.handler = (_request, _body, response) => {
          response.writeHead(status, { "content-type": "application/json", ...headers }).end(JSON.stringify(body));
        };
        const error = await expectRejection(collect(backend().generate({ messages, sampling: greedy(5), signal: neverAborted() })));
        expect(error).to.be.instanceOf(BackendError);
        const backendError = error as BackendError;
        expect(backendError.code).to.equal(code);
        expect(backendError.retryable).to.equal(retryable);
        expect(backendError.details.status).to.equal(status);
        if (headers?.["retry-after"]) expect(backendError.details.retryAfterSeconds).to.equal(3);
      });
    }
  });

  it("throws an error object sent inside the stream, after the tokens before it", async () => {
    server.handler = (_request, _body, response) => {
      startStream(response);
      response.end(chunk({ content: "ok" }) + `data: ${JSON.stringify({ error: { message: "engine died", type: "InternalServerError" } })}\n\n`);
    };
    const seen: string[] = [];
    const error = await expectRejection(
      collect(backend().generate({ messages, sampling: greedy(5), signal: neverAborted() }), (token) => seen.push(token.text)),
    );
    expect(seen).to.deep.equal(["ok"]);
    expect((error as BackendError).code).to.equal("SERVER_ERROR");
    expect((error as BackendError).message).to.include("engine died");
  });

  it("treats a stream that ends without a finish reason as truncated", async () => {
    server.handler = (_request, _body, response) => {
      startStream(response);
      response.end(chunk({ content: "half an ans" }));
    };
    const error = await expectRejection(collect(backend().generate({ messages, sampling: greedy(5), signal: neverAborted() })));
    expect((error as BackendError).code).to.equal("TRUNCATED_STREAM");
    expect((error as BackendError).retryable).to.equal(true);
  });

  /** A server that writes one token every 10 ms until the client goes away. */
  const endlessStream: Handler = async (_request, _body, response) => {
    startStream(response);
    while (!response.destroyed) {
      response.write(chunk({ content: "tok " }));
      await sleep(10);
    }
  };

  it("cancels by closing the connection when the signal aborts", async () => {
    server.handler = endlessStream;
    const controller = new AbortController();
    const { tokens, finish } = await collect(backend().generate({ messages, sampling: greedy(10_000), signal: controller.signal }), (_token, index) => {
      if (index === 2) controller.abort();
    });
    expect(tokens).to.have.length(3);
    expect(finish).to.deep.include({ finishReason: "cancelled", tokenCount: 3 });
    await server.hungUp();
  });

  it("closes the connection when the consumer stops reading", async () => {
    server.handler = endlessStream;
    for await (const event of backend().generate({ messages, sampling: greedy(10_000), signal: neverAborted() })) {
      if (event.type === "token") break;
    }
    await server.hungUp();
  });

  it("gives up on a silent server, while keep-alives keep a slow one alive", async () => {
    server.handler = async (_request, _body, response) => {
      startStream(response);
      for (let i = 0; i < 8; i++) {
        response.write(": keep-alive\n\n");
        await sleep(100);
      }
      response.end(chunk({ content: "late" }, "stop") + "data: [DONE]\n\n");
    };
    const slow = await collect(backend({ idleTimeoutMs: 500 }).generate({ messages, sampling: greedy(5), signal: neverAborted() }));
    expect(slow.text).to.equal("late");

    server.handler = (_request, _body, response) => startStream(response);
    const error = await expectRejection(collect(backend({ idleTimeoutMs: 500 }).generate({ messages, sampling: greedy(5), signal: neverAborted() })));
    expect((error as BackendError).code).to.equal("TIMEOUT");
    await server.hungUp();
  });

  it("gives up on a server that never answers", async () => {
    server.handler = () => undefined; // accepts the request, never sends headers
    const error = await expectRejection(collect(backend({ firstByteTimeoutMs: 200 }).generate({ messages, sampling: greedy(5), signal: neverAborted() })));
    expect((error as BackendError).code).to.equal("TIMEOUT");
    await server.hungUp();
  });

  it("reports a JSON error answered instead of a stream", async () => {
    server.handler = (_request, _body, response) => {
      response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ error: "model is loading" }));
    };
    const error = await expectRejection(collect(backend().generate({ messages, sampling: greedy(5), signal: neverAborted() })));
    expect((error as BackendError).code).to.equal("SERVER_ERROR");
    expect((error as BackendError).message).to.include("model is loading");
  });

  describe("load()", () => {
    it("accepts a server whose model list has the model, and refuses one that doesn't", async () => {
      server.handler = (_request, _body, response) => {
        response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ object: "list", data: [{ id: "tiny" }] }));
      };
      await backend().load();
      expect(server.requests.at(-1)!.url).to.equal("/v1/models");
      const error = await expectRejection(backend({ model: "huge" }).load());
      expect((error as BackendError).code).to.equal("NOT_FOUND");
    });

    it("accepts a server without a model list", async () => {
      server.handler = (_request, _body, response) => void response.writeHead(404).end();
      await backend().load();
    });

    it("reports a server that cannot be reached", async () => {
      const closed = new TestServer();
      const closedUrl = await closed.start();
      await closed.stop();
      const error = await expectRejection(new OpenAICompatibleBackend({ baseUrl: closedUrl, model: "tiny" }).load());
      expect((error as BackendError).code).to.equal("NETWORK_ERROR");
      expect((error as BackendError).retryable).to.equal(true);
    });
  });
});
