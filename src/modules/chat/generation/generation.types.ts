/**
 * The generation stream contract: `subscription generation(messageId, after)` yields these events, numbered
 * by `seq` from 1 without gaps. Chat clients and checks outside the project rely on these names.
 */
import { Field, ID, Int, InterfaceType, ObjectType } from "type-graphql";

@InterfaceType("GenerationEvent", {
  description: "One event of a generation's stream. `seq` starts at 1 and has no gaps; resume with `after: seq`.",
  resolveType: (value: { __typename: string }) => value.__typename,
})
export abstract class GenerationEvent {
  @Field(() => Int, { description: "The event's number in its stream: 1, 2, 3, ..." })
  seq: number;

  @Field(() => ID, { description: "The assistant message being generated." })
  messageId: string;
}

@ObjectType({ implements: GenerationEvent, description: "The generation waits in its model's queue." })
export class GenerationQueued extends GenerationEvent {
  @Field(() => Int, { description: "Place in the queue when the event was made (1 = next)." })
  position: number;

  @Field(() => Int, { description: "Generations waiting for the model when the event was made." })
  queueSize: number;
}

@ObjectType({ implements: GenerationEvent, description: "A worker started generating." })
export class GenerationStarted extends GenerationEvent {
  @Field({ description: "The worker's name." })
  workerName: string;
}

@ObjectType({ implements: GenerationEvent, description: "A batch of generated text; append it to what came before." })
export class GenerationTokens extends GenerationEvent {
  @Field({ description: "The new text." })
  text: string;

  @Field(() => Int, { description: "Tokens this text covers." })
  tokenCount: number;
}

@ObjectType({
  implements: GenerationEvent,
  description:
    "continueGeneration extends a finished answer: replace the text assembled so far with `text`, then append the tokens that follow. Its seq numbers on after the answer's earlier events.",
})
export class GenerationContinued extends GenerationEvent {
  @Field({ description: "The answer's text so far, which the following tokens extend." })
  text: string;

  @Field(() => Int, { description: "Tokens of that text." })
  tokenCount: number;
}

@ObjectType({
  implements: GenerationEvent,
  description: "Generation starts over on another worker: drop the text received since the start (or since the last GenerationContinued, back to its text).",
})
export class GenerationRestarted extends GenerationEvent {
  @Field({ description: "Why it restarted." })
  reason: string;
}

/** Resolved by GenerationFinishedResolver from the stored message. */
@ObjectType({ implements: GenerationEvent, description: "The answer is complete; the stream ends." })
export class GenerationFinished extends GenerationEvent {
  @Field({ description: "stop (the model ended its answer) or length (the token limit)." })
  finishReason: string;
}

@ObjectType({ implements: GenerationEvent, description: "The generation failed or timed out; the stream ends." })
export class GenerationFailed extends GenerationEvent {
  @Field({ description: "WORKER_FAILED, TIMEOUT, ..." })
  code: string;

  @Field({ description: "What went wrong." })
  reason: string;
}

@ObjectType({ implements: GenerationEvent, description: "The generation was cancelled; the partial text is stored; the stream ends." })
export class GenerationCancelled extends GenerationEvent {}

export const GENERATION_EVENT_TYPES = [
  GenerationQueued,
  GenerationStarted,
  GenerationTokens,
  GenerationRestarted,
  GenerationContinued,
  GenerationFinished,
  GenerationFailed,
  GenerationCancelled,
];
