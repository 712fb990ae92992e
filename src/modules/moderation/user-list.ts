/**
 * Pure parts of the moderators' user list (spec §9.2 `/users/by_username`, `/users/by_display_name`,
 * `/users/cursor`): substring patterns and the keyset cursor `(name, id)` of one sort key.
 */
import { ChorusError, ErrorCode } from "../../common/errors.js";
import { isUuid } from "../../db/rows.js";

export enum UserSortKey {
  DISPLAY_NAME = "DISPLAY_NAME",
  USERNAME = "USERNAME",
}

/** The column each sort key orders (and pages) by, then `id`. */
export const USER_SORT_COLUMN: Record<UserSortKey, "display_name" | "username"> = {
  [UserSortKey.DISPLAY_NAME]: "display_name",
  [UserSortKey.USERNAME]: "username",
};

/** An ILIKE pattern matching `text` anywhere, with `\`, `%` and `_` taken literally (spec §9.2 escapes them). */
export function containsPattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

export interface UserCursor {
  sortKey: UserSortKey;
  name: string;
  id: string;
}

export function encodeUserCursor(cursor: UserCursor): string {
  return Buffer.from(JSON.stringify([cursor.sortKey, cursor.name, cursor.id]), "utf8").toString("base64url");
}

/**
 * The position after which the next page starts. A cursor of another sort key is refused rather than
 * misread: its name would be compared with the wrong column.
 */
export function decodeUserCursor(value: string, sortKey: UserSortKey): UserCursor {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(value, "base64url").toString("utf8"));
  } catch {
    parsed = null;
  }
  if (Array.isArray(parsed) && parsed.length === 3) {
    const [key, name, id] = parsed as unknown[];
    if (key === sortKey && typeof name === "string" && typeof id === "string" && isUuid(id)) return { sortKey, name, id };
  }
  throw new ChorusError(ErrorCode.INVALID_CURSOR_VALUE, "The cursor is not valid for this sort key");
}
