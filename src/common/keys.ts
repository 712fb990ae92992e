import crypto from "node:crypto";

/** API keys: a fixed prefix (so leaked keys are easy to grep for) and 256 random bits. */
export const API_KEY_PREFIX = "chk_";

export function generateApiKey(random: (n: number) => Buffer = crypto.randomBytes): string {
  return API_KEY_PREFIX + random(32).toString("hex");
}

export function hashApiKey(key: string): string {
  return crypto.createHash("sha256").update(key, "utf8").digest("hex");
}

/** Compares two hex digests in constant time. */
export function sameDigest(a: string, b: string): boolean {
  const ba = Buffer.from(a, "hex");
  const bb = Buffer.from(b, "hex");
  return ba.length === bb.length && crypto.timingSafeEqual(ba, bb);
}
