import { Arg, Authorized, Ctx, ID, Mutation, Query, Resolver } from "type-graphql";
import { User } from "./user.entity.js";
import { Role } from "./role.js";
import {
  AuthVia,
  CreateUserTokenInput,
  DeleteMyAccountInput,
  RevokedUserTokens,
  RevokeUserTokensInput,
  SetUserRoleInput,
  UserToken,
  Viewer,
} from "./user.types.js";
import { UserRefInput } from "./user-ref.js";
import { Requirement } from "../../server/auth.js";
import type { Context } from "../../server/context.js";
import { badInput, forbidden } from "../../common/errors.js";

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
    const { via, apiClient, user: acting } = ctx.identity;
    // The row as it is now: the acting user may come from the identity cache, which does not keep the activity
    // columns (streak, last activity) current (src/server/identity-cache.ts).
    const actingUser = acting ? ((await ctx.loaders.userById.load(acting.id)) ?? acting) : null;
    return { via: VIA[via], apiClient, user: actingUser, role: ctx.role() };
  }

  @Authorized()
  @Query(() => User, { description: "One user by id. Untrusted clients see only their own client's users (spec §9.2)." })
  async user(@Arg("id", () => ID) id: string, @Ctx() ctx: Context): Promise<User> {
    return ctx.app.users.get(ctx.request(), id);
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
    return ctx.app.users.getByUsername(ctx.request(), authMethod, username, apiClientId);
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => User, {
    description:
      "Sets a user's role; open sockets of the user whose powers drop close within 5 s (4403). ADMIN; an untrusted client only its own client's users (NOT_FOUND for others); journaled.",
  })
  async setUserRole(@Arg("input", () => SetUserRoleInput) input: SetUserRoleInput, @Ctx() ctx: Context): Promise<User> {
    return ctx.app.users.setRole(ctx.request(), input.userId, input.role);
  }

  @Authorized()
  @Mutation(() => RevokedUserTokens, {
    description:
      "\"Logout everywhere\": every user token of the user minted so far stops working, and their open sockets close within 5 s (4401). The acting user's own tokens, or any user's for a MODERATOR; journaled.",
  })
  async revokeUserTokens(
    @Arg("input", () => RevokeUserTokensInput, { nullable: true }) input: RevokeUserTokensInput | null,
    @Ctx() ctx: Context,
  ): Promise<RevokedUserTokens> {
    // With no userId the acting user's own tokens: resolved (created on first sight) before the service is called.
    // An empty userId is a (missing) user's id, not "mine": NOT_FOUND, as before.
    const rc = input?.userId != null ? ctx.request() : ctx.request(await ctx.actingUser());
    return ctx.app.users.revokeTokens(rc, input?.userId ?? rc.identity.user!.id);
  }

  @Authorized()
  @Mutation(() => User, {
    description:
      "Deletes the acting user's own account (the reference's DELETE /account): anonymised like deleteUser, contributions and chats kept; every token and open socket of the user ends. Through a user token or a trusted client acting for the user; journaled (account_deleted).",
  })
  async deleteMyAccount(@Arg("input", () => DeleteMyAccountInput) input: DeleteMyAccountInput, @Ctx() ctx: Context): Promise<User> {
    if (ctx.identity.via !== "user-token" && !ctx.identity.apiClient!.trusted) {
      throw forbidden("Only the user, through a user token or a trusted client, may delete their account");
    }
    const user = await ctx.actingUser();
    if (!input.confirm) throw badInput("Set confirm to true to delete the account: it cannot be brought back", { field: "confirm" });
    return ctx.app.userAdmin.deleteOwnAccount(ctx.request(user));
  }

  @Authorized(Requirement.TRUSTED_CLIENT)
  @Mutation(() => UserToken, {
    description: "Mints a short-lived token for one of this client's users, for browsers and chat apps. Trusted clients only.",
  })
  async createUserToken(@Arg("input", () => CreateUserTokenInput) input: CreateUserTokenInput, @Ctx() ctx: Context): Promise<UserToken> {
    const user = await ctx.actingUser(input.user);
    const ttl = Math.min(input.ttlSeconds ?? ctx.app.config.userTokenTtlSeconds, ctx.app.config.userTokenTtlSeconds);
    const client = ctx.identity.apiClient!;
    const { token, expiresAt } = await ctx.app
      .tokens()
      .sign({ userId: user.id, apiClientId: client.id, clientEpoch: client.tokenEpoch, userEpoch: user.tokenEpoch }, ttl);
    return { token, expiresAt, user };
  }
}
