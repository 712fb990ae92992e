/**
 * An OpenAI-compatible server that answers every chat completion at a fixed pace: `max_tokens` tokens " t0", " t1",
 * …, the first one token's time (1 / tokens per second) after the request, then one every token's time; it ends
 * with finish reason length and the usage. As a vLLM server would stream, without a model.
 *
 * It runs as a process of its own (`node dist/bench/fake-openai-server.js MODEL TOKENS_PER_SECOND`, printing
 * `listening PORT` once it listens on 127.0.0.1), as a real model server would: inside the stream bench's process its
 * 2,000 writes a second at 100 streams shared one event loop with the 100 chat clients and the proxy that timestamps
 * the hand-out and every batch, and delayed those timestamps.
 */
import http from "node:http";

const [model = "fixed-pace", tokensPerSecond = "20"] = process.argv.slice(2);

const server = http.createServer((req, res) => {
  if (req.method === "GET" && req.url === "/v1/models") {
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ object: "list", data: [{ id: model }] }));
    return;
  }
  if (req.method !== "POST" || req.url !== "/v1/chat/completions") {
    res.writeHead(404).end();
    return;
  }
  let body = "";
  req.on("data", (chunk: Buffer) => (body += chunk.toString()));
  req.on("end", () => {
    const maxTokens = Number((JSON.parse(body) as { max_tokens?: number }).max_tokens ?? 16);
    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
    const chunk = (delta: Record<string, unknown>, finishReason: string | null) =>
      `data: ${JSON.stringify({ id: "c", object: "chat.completion.chunk", model, choices: [{ index: 0, delta, finish_reason: finishReason }] })}\n\n`;
    let k = 0;
    const timer = setInterval(() => {
      res.write(chunk(k === 0 ? { role: "assistant", content: " t0" } : { content: ` t${k}` }, null));
      k++;
      if (k >= maxTokens) {
        clearInterval(timer);
        res.end(
          `${chunk({}, "length")}data: ${JSON.stringify({ id: "c", object: "chat.completion.chunk", choices: [], usage: { prompt_tokens: 1, completion_tokens: k, total_tokens: k + 1 } })}\n\ndata: [DONE]\n\n`,
        );
      }
    }, 1000 / Number(tokensPerSecond));
    // The worker cancelled (its answer was cancelled or lost): stop as a server would.
    res.on("close", () => clearInterval(timer));
  });
});
server.listen(0, "127.0.0.1", () => {
  const address = server.address();
  console.log(`listening ${typeof address === "object" && address ? address.port : 0}`);
});
process.on("SIGTERM", () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
});
