/** Secret masking for the admin `settings` rows: what a URL may show of itself. */

/** `postgres://u:secret@h/db` → `postgres://u:***@h/db`; anything that does not parse as a URL → `***`. */
export function maskUrl(url: string | undefined): string | undefined {
  if (!url) return url;
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.toString();
  } catch {
    return "***";
  }
}
