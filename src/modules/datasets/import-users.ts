/**
 * The users an import writes rows for: the import API client's system user `import`, the placeholder users that
 * stand for the authors and event users of restored messages, and the label baseline user (the placeholder reviewer of restored labels).
 * Each is written once and remembered, so later batches do not write it again.
 */
import crypto from "node:crypto";
import type { QueryRunner } from "typeorm";
import { hashApiKey } from "../../common/keys.js";
import { IMPORT_API_CLIENT_ID, LABEL_BASELINE_USER_ID, nameUuid } from "./import-ids.js";
import type { ParsedMessage } from "./import-parse.js";
import type { ImportMode } from "./import-types.js";

const MAX_KNOWN_USERS = 50_000;

export class ImportUsers {
  /** Users known to exist, so placeholders are not written again and again. */
  private readonly knownUsers = new Set<string>();
  private labelBaselineUserWritten = false;
  private systemUser = "";

  constructor(private readonly mode: ImportMode) {}

  /** The system user `import`, known once `prepare` ran. */
  get systemUserId(): string {
    return this.systemUser;
  }

  /** The import API client and its system user `import` (spec §1.1–1.2), created once (in a dry run, rolled back). */
  async prepare(qr: QueryRunner) {
    // The key is a random secret nobody is told: the client owns imported rows but can never log in.
    await qr.query(
      `INSERT INTO api_client (id, name, key_hash, key_prefix, kind, trusted, role, frontend_type, enabled)
       VALUES ($1, 'import', $2, 'import', 'CLIENT', false, 'USER', 'import', false) ON CONFLICT (id) DO NOTHING`,
      [IMPORT_API_CLIENT_ID, hashApiKey(crypto.randomBytes(32).toString("hex"))],
    );
    await qr.query(
      `INSERT INTO "user" (id, username, auth_method, display_name, api_client_id, show_on_leaderboard, tos_acceptance_date)
       VALUES ($1, 'import', 'system', '__system__/import', $2, false, now()) ON CONFLICT DO NOTHING`,
      [nameUuid("chorus:import-system-user"), IMPORT_API_CLIENT_ID],
    );
    const rows: { id: string }[] = await qr.query(`SELECT id FROM "user" WHERE api_client_id = $1 AND username = 'import' AND auth_method = 'system'`, [
      IMPORT_API_CLIENT_ID,
    ]);
    this.systemUser = rows[0].id;
    this.knownUsers.add(this.systemUserId);
  }

  /** The cache only saves round trips (inserts are ON CONFLICT DO NOTHING), so it is emptied rather than let grow. */
  rememberUsers(ids: string[]) {
    if (this.knownUsers.size + ids.length > MAX_KNOWN_USERS) {
      this.knownUsers.clear();
      this.knownUsers.add(this.systemUserId);
    }
    for (const u of ids) this.knownUsers.add(u);
  }

  /** Authors and event users of restored messages become disabled-login users of the import client, same ids. */
  async ensurePlaceholderUsers(qr: QueryRunner, messages: ParsedMessage[]): Promise<string[]> {
    const missing = this.missingPlaceholderUsers(messages);
    if (missing.length > 0) await this.insertPlaceholderUsers(qr, missing);
    return missing;
  }

  /** The authors and event users of these messages not known to exist yet, sorted. */
  missingPlaceholderUsers(messages: ParsedMessage[]): string[] {
    const ids = new Set<string>();
    for (const m of messages) {
      if (m.userId) ids.add(m.userId);
      for (const e of m.events) if (e.user_id) ids.add(e.user_id);
    }
    // Sorted: two batches in flight that share a new user then lock its key in the same order (no deadlock).
    return [...ids].filter((id) => !this.knownUsers.has(id)).sort();
  }

  async insertPlaceholderUsers(qr: QueryRunner, missing: string[]): Promise<void> {
    await qr.query(
      `INSERT INTO "user" (id, username, auth_method, display_name, api_client_id)
       SELECT u, u::text, 'import', 'imported user ' || left(u::text, 8), $2 FROM unnest($1::uuid[]) AS u
       ON CONFLICT DO NOTHING`,
      [missing, IMPORT_API_CLIENT_ID],
    );
  }

  /**
   * The placeholder reviewer of restored labels, created and committed before a batch so that a batch rolled back
   * never leaves rows pointing at a reviewer that does not exist. Needed once some message has a counted label.
   */
  needsLabelBaselineUser(messages: ParsedMessage[]): boolean {
    if (this.mode !== "restore" || this.labelBaselineUserWritten) return false;
    return messages.some((m) => m.labels !== null && Object.values(m.labels).some((v) => v.value !== null && v.count > 0));
  }

  async ensureLabelBaselineUser(qr: QueryRunner, messages: ParsedMessage[]) {
    if (!this.needsLabelBaselineUser(messages)) return;
    // The name of position 0 (import-ids.ts), as restores that wrote one reviewer per position named it.
    await qr.query(
      `INSERT INTO "user" (id, username, auth_method, display_name, api_client_id, show_on_leaderboard, tos_acceptance_date)
       VALUES ($1, 'label-baseline-0', 'system', '__system__/label-baseline-0', $2, false, now()) ON CONFLICT DO NOTHING`,
      [LABEL_BASELINE_USER_ID, IMPORT_API_CLIENT_ID],
    );
    this.labelBaselineUserWritten = true;
  }
}
