/** The fixed ids an import uses: the import API client's, and ids derived from names for the rows every import shares. */
import crypto from "node:crypto";

/** The reference's fixed id of the import API client (spec §1.1). */
export const IMPORT_API_CLIENT_ID = "bd8fde8b-1d8e-4e9a-9966-e96d000f8363";

/** A UUID derived from a name, so the rows every import shares (system and baseline users) have fixed ids. */
export function nameUuid(name: string): string {
  const h = crypto.createHash("sha256").update(name).digest();
  h[6] = (h[6] & 0x0f) | 0x50;
  h[8] = (h[8] & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString("hex");
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

/**
 * The fixed id of the placeholder reviewer of restored labels (import-users.ts). Named for position 0: a restore
 * once wrote one row per review, each from the reviewer of its position, and this one stayed.
 */
export const LABEL_BASELINE_USER_ID = nameUuid("chorus:label-baseline-user:0");
