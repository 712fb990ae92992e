import { Field, ID, InputType, Int, ObjectType, registerEnumType } from "type-graphql";
import { IsOptional, Max, Min, ValidateNested } from "../../common/validators.js";
import { Role } from "./role.js";
import { User } from "./user.entity.js";
import { UserRefInput } from "./user-ref.js";
import { ApiClient } from "../api-clients/api-client.entity.js";

export enum AuthVia {
  ANONYMOUS = "ANONYMOUS",
  API_KEY = "API_KEY",
  USER_TOKEN = "USER_TOKEN",
}
registerEnumType(AuthVia, { name: "AuthVia", description: "How the caller authenticated." });

@ObjectType({ description: "Who is calling: the API client, the acting user and the resulting role." })
export class Viewer {
  @Field(() => AuthVia, { description: "How the caller authenticated." })
  via: AuthVia;

  @Field(() => ApiClient, { nullable: true, description: "The calling API client." })
  apiClient: ApiClient | null;

  @Field(() => User, { nullable: true, description: "The acting user, when there is one." })
  user: User | null;

  @Field(() => Role, { description: "The effective role of this request." })
  role: Role;
}

@InputType({ description: "Give a user a role." })
export class SetUserRoleInput {
  @Field(() => ID, { description: "The user's id." })
  userId: string;

  @Field(() => Role, { description: "The new role." })
  role: Role;
}

@InputType({ description: 'Whose user tokens to revoke ("logout everywhere").' })
export class RevokeUserTokensInput {
  @Field(() => ID, { nullable: true, description: "The user; the acting user when omitted. Another user's tokens need MODERATOR." })
  @IsOptional()
  userId?: string | null;
}

@ObjectType({ description: "Every user token of a user minted before `revokedAt` is refused from now on." })
export class RevokedUserTokens {
  @Field(() => User, { description: "The user." })
  user: User;

  @Field(() => Date, { description: "Tokens minted before this instant no longer work; their open sockets close within 5 s." })
  revokedAt: Date;
}

@InputType({ description: "Delete the acting user's own account." })
export class DeleteMyAccountInput {
  @Field({ description: "Must be true: the account cannot be brought back." })
  confirm: boolean;
}

@InputType({ description: "Mint a short-lived token for one of the calling client's users." })
export class CreateUserTokenInput {
  @Field(() => UserRefInput, { description: "The user (created on first sight)." })
  @ValidateNested()
  user: UserRefInput;

  @Field(() => Int, { nullable: true, description: "Lifetime in seconds (60 up to the configured USER_TOKEN_TTL_SECONDS)." })
  @IsOptional()
  @Min(60)
  @Max(7 * 24 * 3600)
  ttlSeconds?: number | null;
}

@ObjectType({ description: "A signed user token: send it as `Authorization: Bearer <token>`." })
export class UserToken {
  @Field({ description: "The token." })
  token: string;

  @Field(() => Date, { description: "When it stops working." })
  expiresAt: Date;

  @Field(() => User, { description: "The user it acts for." })
  user: User;
}
