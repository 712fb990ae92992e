import { Arg, Args, ArgsType, Authorized, Ctx, Field, Int, Mutation, Query, Resolver } from "type-graphql";
import { Max, Min, IsOptional } from "../../common/validators.js";
import { ApiClient } from "./api-client.entity.js";
import { ApiClientConnection, ApiClientWithKey, CreateApiClientInput, RevokeApiClientInput, RotateApiClientKeyInput } from "./api-client.types.js";
import { Requirement } from "../../server/auth.js";
import type { Context } from "../../server/context.js";
import { toConnection } from "../../common/pagination.js";

@ArgsType()
class ApiClientsArgs {
  @Field(() => Int, { defaultValue: 20, description: "Page size (1-100)." })
  @Min(1)
  @Max(100)
  first: number;

  @Field(() => String, { nullable: true, description: "Cursor from a previous page's pageInfo.endCursor." })
  @IsOptional()
  after?: string | null;
}

@Resolver(() => ApiClient)
export class ApiClientResolver {
  @Authorized(Requirement.SYSTEM_ADMIN)
  @Query(() => ApiClientConnection, { description: "Every API client, oldest first. ADMIN of a trusted client." })
  async apiClients(@Args(() => ApiClientsArgs) args: ApiClientsArgs, @Ctx() ctx: Context) {
    return toConnection(await ctx.app.apiClients.list(args.first, args.after));
  }

  @Authorized(Requirement.SYSTEM_ADMIN)
  @Mutation(() => ApiClientWithKey, { description: "Creates an API client and returns its key, shown once. ADMIN of a trusted client; journaled." })
  async createApiClient(@Arg("input", () => CreateApiClientInput) input: CreateApiClientInput, @Ctx() ctx: Context) {
    return ctx.app.apiClients.create(ctx.request(), input);
  }

  @Authorized(Requirement.SYSTEM_ADMIN)
  @Mutation(() => ApiClientWithKey, {
    description:
      "Replaces a client's key; the old key stops working at once, and so do the user tokens the client minted and the open sockets of either. ADMIN of a trusted client; journaled.",
  })
  async rotateApiClientKey(@Arg("input", () => RotateApiClientKeyInput) input: RotateApiClientKeyInput, @Ctx() ctx: Context) {
    return ctx.app.apiClients.rotate(ctx.request(), input.id, input.expiresAt);
  }

  @Authorized(Requirement.SYSTEM_ADMIN)
  @Mutation(() => ApiClient, {
    description:
      "Revokes a client's key for good: its requests are refused and its open sockets (and those of its user tokens) close within 5 s. ADMIN of a trusted client; journaled.",
  })
  async revokeApiClient(@Arg("input", () => RevokeApiClientInput) input: RevokeApiClientInput, @Ctx() ctx: Context) {
    return ctx.app.apiClients.revoke(ctx.request(), input.id);
  }
}
