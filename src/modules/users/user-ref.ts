import { Field, InputType } from "type-graphql";
import { IsOptional, Length, Matches } from "../../common/validators.js";
import { badInput } from "../../common/errors.js";

/** Identifies a frontend user within the calling API client's namespace. */
export interface UserRef {
  authMethod: string;
  id: string;
  displayName?: string | null;
}

@InputType({ description: "The frontend user on whose behalf an operation runs (created on first sight)." })
export class UserRefInput implements UserRef {
  @Field({ description: "How the frontend authenticated the user: local, discord, google, ..." })
  @Length(1, 128)
  @Matches(/^[^:\s]+$/, { message: "authMethod must not contain ':' or spaces" })
  authMethod: string;

  @Field({ description: "The frontend's id for the user." })
  @Length(1, 128)
  id: string;

  @Field(() => String, { nullable: true, description: "Display name; updates the stored one when it differs." })
  @IsOptional()
  @Length(0, 256)
  displayName?: string | null;
}

/** Parses the `x-chorus-user` / `x-oasst-user` header value `auth_method:id` (split on the first colon). */
export function parseUserHeader(value: string, displayName?: string | null): UserRef {
  const i = value.indexOf(":");
  if (i <= 0 || i === value.length - 1) {
    throw badInput('The acting-user header must look like "<auth_method>:<id>"');
  }
  const ref = { authMethod: value.slice(0, i).trim(), id: value.slice(i + 1).trim(), displayName: displayName ?? null };
  return validateUserRef(ref);
}

export function validateUserRef(ref: UserRef): UserRef {
  if (!ref.authMethod || ref.authMethod.length > 128 || /[:\s]/.test(ref.authMethod)) {
    throw badInput("authMethod must be 1-128 characters without ':' or spaces");
  }
  if (!ref.id || ref.id.length > 128) throw badInput("user id must be 1-128 characters");
  if (ref.displayName && ref.displayName.length > 256) throw badInput("displayName must be at most 256 characters");
  return ref;
}
