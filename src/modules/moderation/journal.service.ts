/** Reading the journal (spec §9.4) for admins: newest first, keyset pages on the time-ordered ids. */
import type { DataSource } from "typeorm";
import { isUuid } from "../../db/rows.js";
import { ChorusError, ErrorCode } from "../../server/errors.js";
import type { Page } from "../../server/pagination.js";
import { JournalEntryNode, type JournalFilterInput } from "./moderation.types.js";
import type { RequestContext } from "../../common/request-context.js";

/** A journal cursor is the entry's id (UUIDv7, ordered by time), opaque to clients. */
function encodeJournalCursor(id: string): string {
  return Buffer.from(`j:${id}`, "utf8").toString("base64url");
}

function decodeJournalCursor(value: string): string {
  const text = Buffer.from(value, "base64url").toString("utf8");
  const id = text.startsWith("j:") ? text.slice(2) : "";
  if (!isUuid(id)) throw new ChorusError(ErrorCode.INVALID_CURSOR_VALUE, "The cursor is not valid");
  return id;
}

export class JournalService {
  constructor(private readonly ds: DataSource) {}

  /** For an untrusted client's admin (`rc.visibility.apiClientId`) only the entries written through that client. */
  async list(rc: RequestContext, filter: JournalFilterInput, first: number, after: string | null | undefined): Promise<Page<JournalEntryNode>> {
    const vis = rc.visibility;
    const params: unknown[] = [];
    const where: string[] = [];
    const p = (v: unknown) => {
      params.push(v);
      return `$${params.length}`;
    };
    // A malformed id matches nothing rather than failing the cast.
    const idOrNothing = (id: string) => (isUuid(id) ? id : "00000000-0000-0000-0000-000000000000");
    if (vis.apiClientId) where.push(`j.api_client_id = ${p(vis.apiClientId)}::uuid`);
    if (filter.actorId) where.push(`j.user_id = ${p(idOrNothing(filter.actorId))}::uuid`);
    if (filter.action) where.push(`j.event_type = ${p(filter.action)}`);
    if (filter.targetId) {
      const t = p(idOrNothing(filter.targetId));
      where.push(`(j.target_id = ${t}::uuid OR (j.target_id IS NULL AND j.message_id = ${t}::uuid))`);
    }
    if (filter.since) where.push(`j.created_date >= ${p(filter.since)}`);
    if (filter.until) where.push(`j.created_date < ${p(filter.until)}`);
    if (after) where.push(`j.id < ${p(decodeJournalCursor(after))}::uuid`);
    const rows: {
      id: string;
      created_date: Date;
      event_type: string;
      user_id: string | null;
      api_client_id: string | null;
      target_id: string | null;
      message_id: string | null;
      event_payload: Record<string, unknown>;
    }[] = await this.ds.query(
      `SELECT j.id, j.created_date, j.event_type, j.user_id, j.api_client_id, j.target_id, j.message_id, j.event_payload
       FROM journal j ${where.length ? "WHERE " + where.join(" AND ") : ""}
       ORDER BY j.id DESC LIMIT ${p(first + 1)}`,
      params,
    );
    const nodes = rows.slice(0, first).map((r) =>
      Object.assign(new JournalEntryNode(), {
        id: r.id,
        createdDate: r.created_date,
        action: r.event_type,
        actorId: r.user_id,
        apiClientId: r.api_client_id,
        targetId: r.target_id ?? r.message_id,
        messageId: r.message_id,
        payload: r.event_payload,
      }),
    );
    return { nodes, hasNextPage: rows.length > first, cursorOf: (n) => encodeJournalCursor(n.id) };
  }
}
