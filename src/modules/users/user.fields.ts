import { Ctx, FieldResolver, Resolver, Root } from "type-graphql";
import type { Context } from "../../server/context.js";
import { roleAtLeast, Role } from "./role.js";
import { User } from "./user.entity.js";

/** Fields of User whose visibility depends on the caller. */
@Resolver(() => User)
export class UserFieldResolver {
  // Notes are what moderators write about a user ("spam suspect"): the user and other frontends do not see them.
  @FieldResolver(() => String, { nullable: true, description: "Admin notes about the user; null unless the caller is a MODERATOR or ADMIN." })
  notes(@Root() user: User, @Ctx() ctx: Context): string | null {
    return roleAtLeast(ctx.role(), Role.MODERATOR) ? user.notes : null;
  }
}
