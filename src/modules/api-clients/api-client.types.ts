import { Field, ID, InputType, ObjectType } from "type-graphql";
import { IsEmail, IsOptional, Length } from "../../common/validators.js";
import { ApiClient, ApiClientKind } from "./api-client.entity.js";
import { Role } from "../users/role.js";
import { ConnectionType } from "../../common/pagination.js";

@InputType({ description: "A new API client." })
export class CreateApiClientInput {
  @Field({ description: "Human name of the client." })
  @Length(1, 256)
  name: string;

  @Field({ defaultValue: false, description: "Trusted clients act with their users' roles and may read across clients." })
  trusted: boolean;

  @Field(() => Role, { defaultValue: Role.USER, description: "Role when the client acts without a user." })
  role: Role;

  @Field(() => ApiClientKind, { defaultValue: ApiClientKind.CLIENT, description: "CLIENT, or WORKER for a GPU worker." })
  kind: ApiClientKind;

  @Field(() => String, { nullable: true, description: "Free text: web, discord, import, ..." })
  @IsOptional()
  @Length(0, 256)
  frontendType?: string | null;

  @Field(() => String, { nullable: true, description: "Who to contact about this client." })
  @IsOptional()
  @IsEmail()
  adminEmail?: string | null;

  @Field(() => Date, { nullable: true, description: "When the key stops working; never when omitted." })
  @IsOptional()
  expiresAt?: Date | null;
}

@InputType({ description: "Which client's key to replace." })
export class RotateApiClientKeyInput {
  @Field(() => ID, { description: "The client's id." })
  id: string;

  @Field(() => Date, { nullable: true, description: "New expiry for the new key; unchanged when omitted." })
  @IsOptional()
  expiresAt?: Date | null;
}

@InputType({ description: "Which client to revoke." })
export class RevokeApiClientInput {
  @Field(() => ID, { description: "The client's id." })
  id: string;
}

@ObjectType({ description: "A client and its new key. The key is shown this once and never stored in clear." })
export class ApiClientWithKey {
  @Field(() => ApiClient, { description: "The client." })
  apiClient: ApiClient;

  @Field({ description: "The API key: send it as `Authorization: Bearer <key>` or `x-api-key`." })
  key: string;
}

export const ApiClientConnection = ConnectionType(ApiClient, "ApiClient");
