/**
 * Emoji reactions (spec §9.1), including the hidden `_skip_*` markers that NACKs set. One row per user, emoji
 * and message; the message keeps the aggregate counts in `emojis`, updated atomically with the row.
 */
import type { DataSource, EntityManager } from "typeorm";
import { ChorusError, ErrorCode } from "../../common/errors.js";
import { inTransaction } from "../../db/transaction.js";
import type { RequestContext } from "../../common/request-context.js";
import type { MessageService } from "./message.service.js";

export type EmojiOp = "add" | "remove" | "toggle";

export const PUBLIC_EMOJIS = ["+1", "-1", "red_flag", "100", "rofl", "clap", "diamond", "heart_eyes", "disappointed", "poop", "skull"] as const;
export const SYSTEM_EMOJIS = ["_skip_reply", "_skip_ranking", "_skip_labeling"] as const;
const ALL = new Set<string>([...PUBLIC_EMOJIS, ...SYSTEM_EMOJIS]);

export function isKnownEmoji(code: string): boolean {
  return ALL.has(code);
}

export class EmojiService {
  constructor(
    private readonly ds: DataSource,
    private readonly messages: MessageService,
  ) {}

  /**
   * The acting user's reaction (`setEmoji`), in its own transaction: the hidden markers only through a trusted
   * client, and only on a message the caller may read. The resolver has resolved the acting user into `rc`.
   */
  async set(rc: RequestContext, messageId: string, op: EmojiOp, emoji: string): Promise<void> {
    if ((SYSTEM_EMOJIS as readonly string[]).includes(emoji) && !rc.identity.apiClient!.trusted) {
      throw new ChorusError(ErrorCode.FORBIDDEN, "Only trusted clients may set the hidden _skip_* markers");
    }
    await this.messages.get(rc, messageId);
    const userId = rc.identity.user!.id;
    await inTransaction(this.ds, (em) => this.apply(em, userId, messageId, op, emoji));
  }

  /** The emojis `userId` set on each of `messageIds` (none for a message without), for the `myEmojis` field's loader. */
  async ofUser(userId: string, messageIds: readonly string[]): Promise<Map<string, string[]>> {
    const rows: { message_id: string; emoji: string }[] = await this.ds.query(
      `SELECT message_id, emoji FROM message_emoji WHERE user_id = $1 AND message_id = ANY($2::uuid[]) ORDER BY emoji`,
      [userId, messageIds],
    );
    const byMessage = new Map<string, string[]>();
    for (const r of rows) {
      const emojis = byMessage.get(r.message_id);
      if (emojis) emojis.push(r.emoji);
      else byMessage.set(r.message_id, [r.emoji]);
    }
    return byMessage;
  }

  /** One reaction inside the caller's transaction (a task's NACK marker or report flag, or `set`). */
  async apply(em: EntityManager, userId: string, messageId: string, op: EmojiOp, emoji: string): Promise<void> {
    if (!isKnownEmoji(emoji)) throw new ChorusError(ErrorCode.BAD_USER_INPUT, `Unknown emoji "${emoji}"`);
    // Lock the message row: counts and rows change together, and concurrent toggles by one user serialise.
    const msg: { user_id: string | null }[] = await em.query(`SELECT user_id FROM message WHERE id = $1 FOR UPDATE`, [messageId]);
    if (!msg[0]) throw new ChorusError(ErrorCode.MESSAGE_NOT_FOUND, "No such message");
    const has = await this.has(em, userId, messageId, emoji);
    const effective: "add" | "remove" = op === "toggle" ? (has ? "remove" : "add") : op;
    if (effective === "add") {
      if (has) return;
      if ((emoji === "+1" || emoji === "-1") && msg[0].user_id === userId) return; // no votes on one's own message
      if (emoji === "+1" || emoji === "-1") {
        const opposite = emoji === "+1" ? "-1" : "+1";
        if (await this.has(em, userId, messageId, opposite)) await this.remove(em, userId, messageId, opposite);
      }
      if (emoji === "red_flag") {
        await em.query(
          `INSERT INTO flagged_message (message_id, processed, created_date) VALUES ($1, false, now())
           ON CONFLICT (message_id) DO UPDATE SET processed = false, created_date = now()`,
          [messageId],
        );
      }
      await em.query(`INSERT INTO message_emoji (message_id, user_id, emoji) VALUES ($1, $2, $3)`, [messageId, userId, emoji]);
      await em.query(`UPDATE message SET emojis = jsonb_set(emojis, ARRAY[$2::text], to_jsonb(coalesce((emojis->>$2)::int, 0) + 1)) WHERE id = $1`, [
        messageId,
        emoji,
      ]);
    } else if (has) {
      await this.remove(em, userId, messageId, emoji);
    }
  }

  private async has(em: EntityManager, userId: string, messageId: string, emoji: string): Promise<boolean> {
    const rows: unknown[] = await em.query(`SELECT 1 FROM message_emoji WHERE message_id = $1 AND user_id = $2 AND emoji = $3`, [messageId, userId, emoji]);
    return rows.length > 0;
  }

  private async remove(em: EntityManager, userId: string, messageId: string, emoji: string): Promise<void> {
    await em.query(`DELETE FROM message_emoji WHERE message_id = $1 AND user_id = $2 AND emoji = $3`, [messageId, userId, emoji]);
    await em.query(
      `UPDATE message SET emojis = CASE WHEN coalesce((emojis->>$2)::int, 0) <= 1 THEN emojis - $2
                                        ELSE jsonb_set(emojis, ARRAY[$2::text], to_jsonb((emojis->>$2)::int - 1)) END
       WHERE id = $1`,
      [messageId, emoji],
    );
  }
}
