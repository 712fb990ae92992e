import { expect } from "chai";
import type { FinishEvent, GenerationEvent, TokenEvent } from "../src/backends/index.js";

export interface CollectedGeneration {
  tokens: TokenEvent[];
  finish: FinishEvent;
  text: string;
}

/** Drains a generation and checks the stream shape every backend promises: tokens, then exactly one finish. */
export async function collect(events: AsyncIterable<GenerationEvent>, onToken?: (token: TokenEvent, index: number) => void): Promise<CollectedGeneration> {
  const tokens: TokenEvent[] = [];
  let finish: FinishEvent | null = null;
  for await (const event of events) {
    expect(finish, "no event may follow the finish event").to.equal(null);
    if (event.type === "token") {
      tokens.push(event);
      onToken?.(event, tokens.length - 1);
    } else {
      finish = event;
    }
  }
  expect(finish, "the stream must end with a finish event").to.not.equal(null);
  const text = tokens.map((t) => t.text).join("");
  expect(finish!.text).to.equal(text);
  return { tokens, finish: finish!, text };
}

/** Rejects the promise's error, or fails if it resolves. */
export async function expectRejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  expect.fail("expected a rejection");
}

export const greedy = (maxNewTokens: number) => ({ maxNewTokens, temperature: 0, topP: 1 });
export const neverAborted = (): AbortSignal => new AbortController().signal;
