/**
 * The incremental run of one board: the users marked by the triggers of migration StatsDirty since the frame's
 * last run, and those whose activity crossed the window's start since then, are recomputed with the full
 * recompute's own statements restricted to them; then the frame is ranked again from its stored rows. Runs inside
 * the caller's transaction, after the frame's lock.
 */
import type { EntityManager } from "typeorm";
import type { StatsTimeFrame } from "../consensus/scores.js";
import { TROLL_STATS_USERS_SQL, TROLL_STATS_USERS_TOTAL_SQL, USER_STATS_USERS_SQL, USER_STATS_USERS_TOTAL_SQL } from "./stats-sql.js";
import { RERANK_TROLL_STATS_SQL, RERANK_USER_STATS_SQL, ROLLED_USERS_SQL, TAKE_DIRTY_SQL } from "./stats-incremental-sql.js";

/** The mark a bulk writer leaves instead of its users' (migration StatsDirty): the next run recomputes in full. */
export const RECOMPUTE_ALL = "00000000-0000-0000-0000-000000000000";

/** A frame's last run, from `stats_frame`. */
export interface FrameState {
  baseDate: Date | null;
  refreshedAt: Date;
}

export interface IncrementalResult {
  users: number;
  rankedUsers: number;
  trollUsers: number;
  /** Users recomputed (marked or crossing the window's start). */
  changedUsers: number;
}

export async function readFrameState(em: EntityManager, timeFrame: StatsTimeFrame): Promise<FrameState | null> {
  const rows: { base_date: Date | null; refreshed_at: Date }[] = await em.query(`SELECT base_date, refreshed_at FROM stats_frame WHERE time_frame = $1`, [
    timeFrame,
  ]);
  return rows.length === 0 ? null : { baseDate: rows[0].base_date, refreshedAt: rows[0].refreshed_at };
}

export async function writeFrameState(em: EntityManager, timeFrame: StatsTimeFrame, state: FrameState): Promise<void> {
  await em.query(
    `INSERT INTO stats_frame (time_frame, base_date, refreshed_at) VALUES ($1, $2, $3)
     ON CONFLICT (time_frame) DO UPDATE SET base_date = excluded.base_date, refreshed_at = excluded.refreshed_at`,
    [timeFrame, state.baseDate, state.refreshedAt],
  );
}

/** Drops the frame's marks: a full recompute about to run covers them (taken before it reads, see below). */
export async function clearMarks(em: EntityManager, timeFrame: StatsTimeFrame): Promise<void> {
  await em.query(`DELETE FROM stats_dirty WHERE time_frame = $1`, [timeFrame]);
}

/**
 * Above this share of the window's users, the changed users are recomputed by the full recompute instead (after
 * an import that marked most users, say): its plans read each table once, the users' plans per user.
 */
const FULL_ABOVE_SHARE = 0.25;

/** The incremental run; null when so many users changed that the caller should recompute the frame in full. */
export async function recomputeChanged(
  em: EntityManager,
  timeFrame: StatsTimeFrame,
  baseDate: Date | null,
  previous: FrameState,
): Promise<IncrementalResult | null> {
  // Marks first, data after: a change committed between the two statements is both read now and still marked
  // for the next run (recomputing a user twice gives the same row); one committed later is marked for the next.
  const [{ ids: marked }]: { ids: string[] }[] = await em.query(TAKE_DIRTY_SQL, [timeFrame]);
  // The nil uuid: a bulk writer (the dataset import) changed rows without marking their users.
  if (marked.includes(RECOMPUTE_ALL)) return null;
  const changed = new Set(marked);
  if (baseDate !== null && previous.baseDate !== null && baseDate.getTime() !== previous.baseDate.getTime()) {
    const [lo, hi] = baseDate < previous.baseDate ? [baseDate, previous.baseDate] : [previous.baseDate, baseDate];
    const [{ ids: rolled }]: { ids: string[] }[] = await em.query(ROLLED_USERS_SQL, [lo, hi]);
    for (const id of rolled) changed.add(id);
  }
  if (changed.size > 1000) {
    const [{ n }]: { n: number }[] = await em.query(`SELECT count(*)::int AS n FROM user_stats WHERE time_frame = $1`, [timeFrame]);
    if (changed.size > n * FULL_ABOVE_SHARE) return null;
  }
  if (changed.size > 0) {
    const ids = [...changed];
    await em.query(`DELETE FROM user_stats WHERE time_frame = $1 AND user_id = ANY($2::uuid[])`, [timeFrame, ids]);
    await em.query(`DELETE FROM troll_stats WHERE time_frame = $1 AND user_id = ANY($2::uuid[])`, [timeFrame, ids]);
    const whole = baseDate === null;
    await em.query(whole ? USER_STATS_USERS_TOTAL_SQL : USER_STATS_USERS_SQL, [baseDate, timeFrame, ids]);
    await em.query(whole ? TROLL_STATS_USERS_TOTAL_SQL : TROLL_STATS_USERS_SQL, [baseDate, timeFrame, ids]);
  }
  const [stats]: { users: number; ranked: number }[] = await em.query(RERANK_USER_STATS_SQL, [timeFrame]);
  const [troll]: { users: number }[] = await em.query(RERANK_TROLL_STATS_SQL, [timeFrame]);
  return { users: stats.users, rankedUsers: stats.ranked, trollUsers: troll.users, changedUsers: changed.size };
}
