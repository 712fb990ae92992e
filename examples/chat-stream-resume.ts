/**
 * Chat clients: send a prompt, stream the answer's tokens over graphql-ws, lose the connection, and resume the
 * stream with `after` (the last `seq` seen) on a new one: nothing is missed and nothing comes twice.
 *
 *   CHORUS_API_URL=http://localhost:4000/graphql CHORUS_API_KEY=chk_... CHORUS_USER=local:alice \
 *     node dist/examples/chat-stream-resume.js "Tell me about tides"
 */
import { ChorusClient, apiUrlFromEnv, requireEnv } from "./lib/chorus.js";
import {
  ChatMessageDocument,
  CreateChatDocument,
  GenerationDocument,
  ModelsDocument,
  SendChatMessageDocument,
  type GenerationSubscription,
} from "../client/generated/graphql.js";

type GenerationEvent = GenerationSubscription["generation"];

/** What the client keeps of a stream: the last seq it saw and the answer so far. */
interface StreamState {
  lastSeq: number;
  text: string;
  seqs: number[];
  end?: GenerationEvent;
}

const ENDS = new Set(["GenerationFinished", "GenerationFailed", "GenerationCancelled"]);

/** Applies one event to the answer as the stream contract says, and prints new text as it arrives. */
function apply(state: StreamState, event: GenerationEvent): void {
  state.lastSeq = event.seq;
  state.seqs.push(event.seq);
  switch (event.__typename) {
    case "GenerationTokens":
      state.text += event.text;
      process.stdout.write(event.text);
      break;
    case "GenerationRestarted": // another worker starts over: drop the partial text
      state.text = "";
      process.stdout.write(`\n[restarted: ${event.reason}]\n`);
      break;
    case "GenerationContinued": // the text so far, carried whole: replace what we have
      state.text = event.text;
      break;
    default:
      if (ENDS.has(event.__typename)) state.end = event;
  }
}

async function main(): Promise<void> {
  const settings = { apiUrl: apiUrlFromEnv(), bearer: requireEnv("CHORUS_API_KEY"), user: requireEnv("CHORUS_USER", "local:example-chat-user") };
  const prompt = process.argv[2] ?? "Tell me something about tides.";
  const dropAfter = Number(process.env.DROP_AFTER_BATCHES ?? 2);
  const client = new ChorusClient(settings);

  // A model some worker serves right now (or the one CHORUS_MODEL names).
  const { models } = await client.request(ModelsDocument, {});
  const model = process.env.CHORUS_MODEL ?? models.find((m) => m.connectedWorkers > 0)?.id;
  if (!model) throw new Error(`no model has a connected worker (models: ${models.map((m) => m.id).join(", ")})`);
  const { createChat } = await client.request(CreateChatDocument, { input: {} });
  const { sendChatMessage } = await client.request(SendChatMessageDocument, {
    input: { chatId: createChat.id, text: prompt, model, sampling: { maxNewTokens: 48 } },
  });
  const messageId = sendChatMessage.assistantMessage.id;
  console.log(`[chat ${createChat.id}, answer ${messageId} from ${model}, queue position ${sendChatMessage.queuePosition}]`);

  // First connection: read until a few token batches came (or the end), then drop it, as a flaky network would.
  const state: StreamState = { lastSeq: 0, text: "", seqs: [] };
  let batches = 0;
  for await (const { generation } of client.subscribe(GenerationDocument, { messageId })) {
    apply(state, generation);
    if (generation.__typename === "GenerationTokens") batches++;
    if (state.end || batches >= dropAfter) break;
  }
  await client.close();

  // Second connection: `after` asks for everything after the last seq seen, then the live tail (an ended
  // generation replays and completes).
  const resumed = new ChorusClient(settings);
  if (state.end) console.log(`\n[the answer ended before the connection was dropped, at seq ${state.lastSeq}]`);
  else {
    console.log(`\n[connection dropped after seq ${state.lastSeq}; resuming with after: ${state.lastSeq}]`);
    for await (const { generation } of resumed.subscribe(GenerationDocument, { messageId, after: state.lastSeq })) {
      apply(state, generation);
    }
  }
  console.log();

  const gapless = state.seqs.every((seq, i) => seq === i + 1);
  console.log(`[events seq 1..${state.lastSeq} over two connections, ${gapless ? "no gaps, no repeats" : `NOT gapless: ${state.seqs.join(",")}`}]`);
  console.log(`[ended: ${state.end?.__typename ?? "without an end event"}]`);
  // The stored answer is the streamed one.
  const { chatMessage } = await resumed.request(ChatMessageDocument, { id: messageId });
  console.log(
    `[stored answer: ${chatMessage?.state}, ${chatMessage?.tokenCount} tokens, ${chatMessage?.text === state.text ? "equals the streamed text" : "DIFFERS from the streamed text"}]`,
  );
  await resumed.close();
  if (!gapless || chatMessage?.text !== state.text) process.exit(1);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
