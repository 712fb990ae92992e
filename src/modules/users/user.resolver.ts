import { Arg, Authorized, Ctx, ID, Mutation, Query, Resolver } from "type-graphql";
import { User } from "./user.entity.js";
import { Role } from "./role.js";
import { AuthVia, CreateUserTokenInput, SetUserRoleInput, UserToken, Viewer } from "./user.types.js";
import { UserRefInput } from "./user-ref.js";
import { Requirement } from "../../server/auth.js";
import type { Context } from "../../server/context.js";
import { forbidden } from "../../server/errors.js";
import { visibilityOf } from "../../server/visibility.js";

const VIA: Record<Context["identity"]["via"], AuthVia> = {
  anonymous: AuthVia.ANONYMOUS,
  "api-key": AuthVia.API_KEY,
  "user-token": AuthVia.USER_TOKEN,
};

@Resolver(() => User)
export class UserResolver {
  @Authorized()
  @Query(() => Viewer, { description: "Who is calling. With `user`, acts for that user (created on first sight)." })
  async viewer(
    @Arg("user", () => UserRefInput, { nullable: true, description: "Act for this user instead of the header's." })
    user: UserRefInput | null,
    @Ctx() ctx: Context,
  ): Promise<Viewer> {
    if (user) await ctx.actingUser(user);
    const { via, apiClient, user: actingUser } = ctx.identity;
    return { via: VIA[via], apiClient, user: actingUser, role: ctx.role() };
  }

  @Authorized()
  @Query(() => User, { description: "One user by id. Untrusted clients see only their own client's users (spec §9.2)." })
  async user(@Arg("id", () => ID) id: string, @Ctx() ctx: Context): Promise<User> {
    return ctx.app.users.get(id, visibilityOf(ctx).apiClientId);
  }

  @Authorized()
  @Query(() => User, {
    description:
      "One user by auth method and the frontend's own id for them (spec §9.2 `/frontend_users/{auth_method}/{username}`), exactly: in the calling client's namespace, or with `apiClientId` in another client's (trusted clients only; FORBIDDEN otherwise). USER_NOT_FOUND when there is none; nobody is created.",
  })
  async userByUsername(
    @Arg("authMethod", { description: "How the frontend authenticated the user: local, discord, google, ..." }) authMethod: string,
    @Arg("username", { description: "The frontend's id for the user (User.username)." }) username: string,
    @Arg("apiClientId", () => ID, { nullable: true, description: "The client whose user it is (default: the calling client)." }) apiClientId: string | null,
    @Ctx() ctx: Context,
  ): Promise<User> {
    const client = ctx.identity.apiClient!;
    if (apiClientId && apiClientId !== client.id && !client.trusted) throw forbidden("Only a trusted client may look up another client's users");
    return ctx.app.users.getByUsername(apiClientId ?? client.id, authMethod, username);
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => User, { description: "Sets a user's role. ADMIN; an untrusted client only its own client's users (NOT_FOUND for others)." })
  async setUserRole(@Arg("input", () => SetUserRoleInput) input: SetUserRoleInput, @Ctx() ctx: Context): Promise<User> {
    return ctx.app.users.setRole(input.userId, input.role, visibilityOf(ctx).apiClientId);
  }

  @Authorized(Requirement.TRUSTED_CLIENT)
  @Mutation(() => UserToken, {
    description: "Mints a short-lived token for one of this client's users, for browsers and chat apps. Trusted clients only.",
  })
  async createUserToken(@Arg("input", () => CreateUserTokenInput) input: CreateUserTokenInput, @Ctx() ctx: Context): Promise<UserToken> {
    const user = await ctx.actingUser(input.user);
    const ttl = Math.min(input.ttlSeconds ?? ctx.app.config.userTokenTtlSeconds, ctx.app.config.userTokenTtlSeconds);
    const { token, expiresAt } = await ctx.app.tokens().sign({ userId: user.id, apiClientId: user.apiClientId }, ttl);
    return { token, expiresAt, user };
  }
}
