/**
 * Emoji reactions (spec §9.1), including the hidden `_skip_*` markers that NACKs set. One row per user, emoji
 * and message; the message keeps the aggregate counts in `emojis`, updated atomically with the row.
 */
import type { EntityManager } from "typeorm";
import { ChorusError, ErrorCode } from "../../server/errors.js";

export type EmojiOp = "add" | "remove" | "toggle";

export const PUBLIC_EMOJIS = ["+1", "-1", "red_flag", "100", "rofl", "clap", "diamond", "heart_eyes", "disappointed", "poop", "skull"] as const;
export const SYSTEM_EMOJIS = ["_skip_reply", "_skip_ranking", "_skip_labeling"] as const;
const ALL = new Set<string>([...PUBLIC_EMOJIS, ...SYSTEM_EMOJIS]);

export function isKnownEmoji(code: string): boolean {
  return ALL.has(code);
}

export class EmojiService {
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
