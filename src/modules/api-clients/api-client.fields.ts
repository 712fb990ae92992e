import { Ctx, FieldResolver, Resolver, Root } from "type-graphql";
import type { Context } from "../../server/context.js";
import { Role, roleAtLeast } from "../users/role.js";
import { ApiClient } from "./api-client.entity.js";

/**
 * An admin's view of a client, never shown through a user token (a browser holds those) nor to a non-admin: every
 * user token could read its client's contact address and the first characters of its key through `viewer`.
 */
function adminView(ctx: Context): boolean {
  return ctx.identity.via === "api-key" && roleAtLeast(ctx.role(), Role.ADMIN);
}

/** Fields of ApiClient whose visibility depends on the caller. */
@Resolver(() => ApiClient)
export class ApiClientFieldResolver {
  @FieldResolver(() => String, {
    nullable: true,
    description: "The first characters of the key, to recognise it without revealing it; null unless an ADMIN asks with an API key.",
  })
  keyPrefix(@Root() client: ApiClient, @Ctx() ctx: Context): string | null {
    return adminView(ctx) ? client.keyPrefix : null;
  }

  @FieldResolver(() => String, { nullable: true, description: "Who to contact about this client; null unless an ADMIN asks with an API key." })
  adminEmail(@Root() client: ApiClient, @Ctx() ctx: Context): string | null {
    return adminView(ctx) ? client.adminEmail : null;
  }
}
