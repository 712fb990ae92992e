/**
 * Voters whose votes no leaderboard counts: moderators exclude and readmit them, journaled. Part of ArenaService.
 */
import type { DataSource } from "typeorm";
import type { RequestContext } from "../../common/request-context.js";
import { badInput, notFound } from "../../common/errors.js";
import { inTransaction } from "../../db/transaction.js";
import { isUuid, rowsOf } from "../../db/rows.js";
import { ModerationAction, writeJournal } from "../moderation/journal.js";
import type { ArenaVoterExclusionView } from "./arena.types.js";

export class ArenaVoters {
  constructor(private readonly ds: DataSource) {}

  /** Excludes a voter's votes from every leaderboard, or counts them again; journaled when it changes anything. */
  async setVoterExclusion(rc: RequestContext, input: { userId: string; excluded: boolean; reason?: string | null }): Promise<ArenaVoterExclusionView> {
    const { actor, visibility: vis } = rc;
    const reason = input.reason?.trim() ?? "";
    if (input.excluded && reason.length === 0) throw badInput("Give a reason for excluding a voter", { field: "reason" });
    const users = isUuid(input.userId)
      ? rowsOf<{ id: string; api_client_id: string }>(await this.ds.query(`SELECT id, api_client_id FROM "user" WHERE id = $1`, [input.userId]))
      : [];
    if (!users[0] || (vis.apiClientId !== null && users[0].api_client_id !== vis.apiClientId)) throw notFound("User", input.userId);
    await inTransaction(this.ds, async (em) => {
      await em.query(`SELECT id FROM "user" WHERE id = $1 FOR UPDATE`, [input.userId]);
      const before = rowsOf<{ reason: string }>(await em.query(`SELECT reason FROM arena_voter_exclusion WHERE user_id = $1`, [input.userId]))[0] ?? null;
      if (input.excluded && before === null) {
        await em.query(`INSERT INTO arena_voter_exclusion (user_id, reason, excluded_by_user_id) VALUES ($1, $2, $3)`, [input.userId, reason, actor.userId]);
        await writeJournal(
          em,
          actor,
          ModerationAction.ARENA_VOTER_EXCLUDED,
          { targetId: input.userId },
          { before: { excluded: false }, after: { excluded: true, reason } },
        );
      } else if (!input.excluded && before !== null) {
        await em.query(`DELETE FROM arena_voter_exclusion WHERE user_id = $1`, [input.userId]);
        await writeJournal(
          em,
          actor,
          ModerationAction.ARENA_VOTER_READMITTED,
          { targetId: input.userId },
          {
            before: { excluded: true, reason: before.reason },
            after: { excluded: false },
          },
        );
      }
    });
    return this.voterExclusion(input.userId);
  }

  async voterExclusion(userId: string): Promise<ArenaVoterExclusionView> {
    const rows = rowsOf<{ reason: string | null; votes: number }>(
      await this.ds.query(
        `SELECT (SELECT reason FROM arena_voter_exclusion WHERE user_id = $1) AS reason,
                (SELECT count(*)::int FROM arena_battle WHERE user_id = $1 AND winner IS NOT NULL) AS votes`,
        [userId],
      ),
    );
    return { userId, excluded: rows[0].reason !== null, reason: rows[0].reason, votes: rows[0].votes };
  }
}
