import { print } from "graphql";
import type { Client } from "graphql-ws";
import { GenerationDocument, type GenerationSubscription } from "../../client/generated/graphql.js";

export type GenerationEventOf = GenerationSubscription["generation"];

/**
 * Follows one generation over graphql-ws, keeping every event as it arrives, so a test can act mid-stream
 * (kill a replica, reconnect with `after`). `ended` resolves when the subscription completes or fails.
 */
export class GenerationWatch {
  readonly events: GenerationEventOf[] = [];
  readonly ended: Promise<{ completed: boolean; error?: unknown }>;
  private listeners: (() => void)[] = [];

  constructor(client: Client, messageId: string, after = 0) {
    this.ended = new Promise((resolve) => {
      client.subscribe<GenerationSubscription>(
        { query: print(GenerationDocument), variables: { messageId, after } },
        {
          next: (r) => {
            if (r.errors) {
              resolve({ completed: false, error: r.errors });
              return;
            }
            this.events.push(r.data!.generation);
            for (const l of this.listeners.splice(0)) l();
          },
          error: (error) => resolve({ completed: false, error }),
          complete: () => resolve({ completed: true }),
        },
      );
    });
  }

  get lastSeq(): number {
    return this.events.length ? this.events[this.events.length - 1].seq : 0;
  }

  /** Resolves once `predicate` holds for the events received so far. */
  async until(predicate: (events: GenerationEventOf[]) => boolean): Promise<void> {
    while (!predicate(this.events)) {
      const settled = await Promise.race([this.ended.then(() => "ended" as const), new Promise<"event">((r) => this.listeners.push(() => r("event")))]);
      if (settled === "ended" && !predicate(this.events)) throw new Error(`the subscription ended first: ${JSON.stringify(await this.ended)}`);
    }
  }
}

/** The answer the events spell: token batches in order, dropped at each restart. */
export function streamedText(events: GenerationEventOf[]): string {
  let text = "";
  for (const e of events) {
    if (e.__typename === "GenerationRestarted") text = "";
    if (e.__typename === "GenerationTokens") text += e.text;
  }
  return text;
}
