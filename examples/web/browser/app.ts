/**
 * A plain web page that chats with a Chorus model from the browser: the page's own server (serve.ts) mints a user
 * token; with it the page calls the API, on another origin (CORS), over HTTP, and streams the answer over
 * graphql-ws (the websocket subprotocol `graphql-transport-ws`), the token in connectionParams.
 * The operations are the typed strings codegen writes from schema/operations/chat.graphql.
 */
import { createClient, type Client } from "graphql-ws";
import { CreateChatDocument, GenerationDocument, ModelsDocument, SendChatMessageDocument, type TypedDocumentString } from "./generated/graphql.js";

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

/** What the page's server tells it: where the API is, and a user token for the visitor. */
interface Session {
  apiUrl: string;
  token: string;
}

let session: Session;
let ws: Client;
let chatId: string | undefined;

function setState(state: "loading" | "ready" | "streaming" | "finished" | "error", status: string): void {
  document.body.dataset.state = state;
  $("status").textContent = status;
}

/** A query or mutation over HTTP to the API's origin: a cross-origin request the API's CORS_ORIGINS must allow. */
async function request<TResult, TVariables>(document: TypedDocumentString<TResult, TVariables>, variables: TVariables): Promise<TResult> {
  const res = await fetch(session.apiUrl, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${session.token}` },
    body: JSON.stringify({ query: document.toString(), variables }),
  });
  const body = (await res.json()) as { data?: TResult; errors?: { message: string; extensions?: { code?: string } }[] };
  if (body.errors?.length) throw new Error(`${body.errors[0].extensions?.code}: ${body.errors[0].message}`);
  return body.data as TResult;
}

async function start(): Promise<void> {
  setState("loading", "signing in…");
  const name = new URLSearchParams(location.search).get("name") ?? "guest";
  const res = await fetch("/session", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ name }) });
  if (!res.ok) throw new Error(`the page's server could not sign in: ${await res.text()}`);
  session = (await res.json()) as Session;

  // The socket opens now, while the user types, not with the first subscription after the send: the worker starts the
  // answer once the send is stored, and its first tokens should not wait for a connection (docs/chat.md, Streaming).
  ws = createClient({
    url: session.apiUrl.replace(/^http/, "ws"),
    lazy: false,
    connectionParams: { authorization: `Bearer ${session.token}` },
    on: { opened: (socket) => ($("protocol").textContent = (socket as WebSocket).protocol) },
  });

  const { models } = await request(ModelsDocument, {});
  const select = $<HTMLSelectElement>("model");
  for (const m of models.filter((m) => m.connectedWorkers > 0)) select.add(new Option(`${m.id} — ${m.description}`, m.id));
  if (select.options.length === 0) throw new Error("no model has a connected worker");
  setState("ready", `signed in as ${name}`);
}

async function send(text: string, model: string): Promise<void> {
  setState("streaming", "sending…");
  chatId ??= (await request(CreateChatDocument, { input: {} })).createChat.id;
  const { sendChatMessage } = await request(SendChatMessageDocument, { input: { chatId, text, model, sampling: { maxNewTokens: 48 } } });
  const messageId = sendChatMessage.assistantMessage.id;
  $("answer").dataset.messageId = messageId;
  $("answer").textContent = "";
  $("events").replaceChildren();

  // Each event is rendered as it comes: the answer grows batch by batch, and the list shows every event by seq.
  let answer = "";
  for await (const { generation: event } of subscribe(GenerationDocument, { messageId })) {
    if (event.__typename === "GenerationTokens") answer += event.text;
    if (event.__typename === "GenerationRestarted") answer = ""; // another worker starts over
    if (event.__typename === "GenerationContinued") answer = event.text; // the text so far, whole
    $("answer").textContent = answer;
    const item = document.createElement("li");
    item.dataset.type = event.__typename;
    item.dataset.seq = String(event.seq);
    item.dataset.length = String(answer.length);
    item.textContent = `seq ${event.seq} ${event.__typename}: ${answer.length} characters so far`;
    $("events").append(item);
    if (event.__typename === "GenerationFinished") setState("finished", `finished (${event.finishReason})`);
    else if (event.__typename === "GenerationFailed") setState("error", `failed: ${event.code} ${event.reason}`);
    else if (event.__typename === "GenerationCancelled") setState("finished", "cancelled");
    else setState("streaming", "streaming…");
  }
}

/** A subscription over graphql-ws; yields each event's data. */
async function* subscribe<TResult, TVariables>(document: TypedDocumentString<TResult, TVariables>, variables: TVariables): AsyncGenerator<TResult> {
  for await (const result of ws.iterate<TResult>({ query: document.toString(), variables: variables as Record<string, unknown> })) {
    if (result.errors?.length) throw new Error(result.errors[0].message);
    yield result.data as TResult;
  }
}

$("ask").addEventListener("submit", (e) => {
  e.preventDefault();
  send($<HTMLTextAreaElement>("prompt").value, $<HTMLSelectElement>("model").value).catch(fail);
});

function fail(err: unknown): void {
  setState("error", `error: ${err instanceof Error ? err.message : String(err)}`);
}

start().catch(fail);
