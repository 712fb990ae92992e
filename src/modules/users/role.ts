import { registerEnumType } from "type-graphql";

/** Powers, in increasing order. The reference has no roles (trusted client = admin); we add them. */
export enum Role {
  USER = "USER",
  MODERATOR = "MODERATOR",
  ADMIN = "ADMIN",
}

registerEnumType(Role, { name: "Role", description: "What a caller may do: USER < MODERATOR < ADMIN." });

const RANK: Record<Role, number> = { [Role.USER]: 0, [Role.MODERATOR]: 1, [Role.ADMIN]: 2 };

/** True when `actual` is at least as powerful as `required`. */
export function roleAtLeast(actual: Role, required: Role): boolean {
  return RANK[actual] >= RANK[required];
}

export function parseRole(value: string): Role {
  const upper = value.trim().toUpperCase();
  if (upper in RANK) return upper as Role;
  throw new Error(`unknown role "${value}" (allowed: user, moderator, admin)`);
}
