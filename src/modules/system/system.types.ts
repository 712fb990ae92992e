import { Field, Float, Int, ObjectType } from "type-graphql";

@ObjectType({ description: "Settings anyone may read, without a key." })
export class PublicSettings {
  @Field({ description: "The project's name." })
  projectName: string;

  @Field({ description: "The server's version." })
  version: string;

  @Field(() => Int, { description: "The deepest query accepted." })
  maxQueryDepth: number;

  @Field(() => Int, { description: "The most complex query accepted." })
  maxQueryComplexity: number;

  @Field(() => Int, { description: "The longest a user token may live, in seconds." })
  userTokenTtlSeconds: number;
}

@ObjectType({ description: "A periodic sign of life from the server, for monitors and connection checks." })
export class Heartbeat {
  @Field(() => Int, { description: "1 for the first beat of this subscription, then 2, 3, ..." })
  seq: number;

  @Field(() => Date, { description: "When the beat was sent." })
  at: Date;

  @Field({ description: "Whether the server is ready (database and Redis reachable)." })
  ready: boolean;

  @Field(() => Float, { description: "Seconds since the server started." })
  uptimeSeconds: number;
}
