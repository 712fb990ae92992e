/**
 * The incremental run of one board: the users marked by the triggers of migrations StatsDirty and StatsDays since
 * the frame's last run, and those whose activity crossed the window's start since then, get their rows again;
 * nothing else is written (ranks are numbered at read time). DAY (the last 24 hours) recomputes them with the
 * full recompute's own statements restricted to them; WEEK, MONTH and TOTAL first bring the per-day buckets up to
 * date (the marked days only) and sum them (stats-days-sql.ts). Runs inside the caller's transaction, after the
 * frame's lock.
 */
import type { EntityManager } from "typeorm";
import type { StatsTimeFrame } from "../consensus/scores.js";
import { TROLL_STATS_USERS_SQL, USER_STATS_USERS_SQL } from "./stats-sql.js";
import { ROLLED_USERS_SQL, TAKE_DIRTY_SQL } from "./stats-incremental-sql.js";
import {
  APPLY_DELTA_SQL,
  DROP_COVERED_MARKS_SQL,
  FRAME_FROM_DAYS_SQL,
  FRAME_FROM_TOTALS_SQL,
  FRESH_PAIRS_SQL,
  FRESH_USERS_SQL,
  REBUILD_SQL,
  REPLACE_BUCKETS_SQL,
  ROLLED_DAYS_USERS_SQL,
  TAKE_DAY_MARKS_SQL,
} from "./stats-days-sql.js";

/** The mark a bulk writer leaves instead of its users' (migration StatsDirty): the next run recomputes in full. */
export const RECOMPUTE_ALL = "00000000-0000-0000-0000-000000000000";

/** The `stats_frame` row that says the buckets are built (none: rebuild them, e.g. after a TRUNCATE). */
const DAYS_STATE = "days";

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

export async function writeFrameState(em: EntityManager, timeFrame: StatsTimeFrame | typeof DAYS_STATE, state: FrameState): Promise<void> {
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

/**
 * Brings the per-day buckets and running sums up to date: the marked (user, day) buckets recomputed from the
 * source rows and the difference added to the running sums, or, on the first run and after a bulk write (the nil
 * mark), every bucket rebuilt. Serialised by its own lock (the frames' runs share the buckets); the marks are
 * taken before the source rows are read, as the frames' are.
 */
export async function refreshDays(em: EntityManager): Promise<{ rebuilt: boolean; marks: number }> {
  await em.query(`SELECT pg_advisory_xact_lock(hashtext('chorus.stats.days'))`);
  await em.query(`CREATE TEMP TABLE IF NOT EXISTS stats_day_marks (user_id uuid NOT NULL, day date) ON COMMIT DROP`);
  await em.query(`TRUNCATE stats_day_marks`);
  await em.query(TAKE_DAY_MARKS_SQL);
  const [{ marks, all }]: { marks: number; all: boolean }[] = await em.query(
    `SELECT count(*)::int AS marks, coalesce(bool_or(user_id = $1), false) AS all FROM stats_day_marks`,
    [RECOMPUTE_ALL],
  );
  const built: unknown[] = await em.query(`SELECT 1 FROM stats_frame WHERE time_frame = $1`, [DAYS_STATE]);
  if (all || built.length === 0) {
    for (const sql of REBUILD_SQL) await em.query(sql);
    await writeFrameState(em, DAYS_STATE, { baseDate: null, refreshedAt: new Date() });
    return { rebuilt: true, marks };
  }
  if (marks === 0) return { rebuilt: false, marks };
  // A few thousand marked buckets are index probes (the (user, created) indexes, the buckets' key), not the
  // whole-table hash joins that the recompute's page cost (4, set by the caller for the full statements) makes
  // the planner pick: 7.7 s for the marks of a burst at 100,000 users, most of it reading every message.
  const [{ cost }]: { cost: string }[] = await em.query(`SELECT current_setting('random_page_cost') AS cost`);
  await em.query(`SET LOCAL random_page_cost = 1.1`);
  await em.query(DROP_COVERED_MARKS_SQL);
  // the planner's row estimates for the marks (a temporary table has no statistics until analysed)
  await em.query(`ANALYZE stats_day_marks`);
  await em.query(`CREATE TEMP TABLE IF NOT EXISTS stats_day_fresh (LIKE stats_day) ON COMMIT DROP`);
  await em.query(`TRUNCATE stats_day_fresh`);
  await em.query(FRESH_PAIRS_SQL);
  const [{ whole }]: { whole: boolean }[] = await em.query(`SELECT EXISTS (SELECT 1 FROM stats_day_marks WHERE day IS NULL) AS whole`);
  if (whole) await em.query(FRESH_USERS_SQL);
  await em.query(APPLY_DELTA_SQL);
  for (const sql of REPLACE_BUCKETS_SQL) await em.query(sql);
  await em.query(`SELECT set_config('random_page_cost', $1, true)`, [cost]);
  return { rebuilt: false, marks };
}

/**
 * The frame's counts as the refresh reports them: rows, visible (ranked) rows, troll board rows; counted, not
 * kept (kept counts would drift: moderation deletes a merged or purged user's rows outside the runs).
 */
async function frameCounts(em: EntityManager, timeFrame: StatsTimeFrame): Promise<{ users: number; ranked: number; troll: number }> {
  const [c]: { users: number; ranked: number; troll: number }[] = await em.query(
    `SELECT (SELECT count(*) FROM user_stats WHERE time_frame = $1)::int AS users,
            (SELECT count(*) FROM user_stats WHERE time_frame = $1 AND visible)::int AS ranked,
            (SELECT count(*) FROM troll_stats WHERE time_frame = $1)::int AS troll`,
    [timeFrame],
  );
  return c;
}

/** The incremental run; null when so many users changed that the caller should recompute the frame in full. */
export async function recomputeChanged(
  em: EntityManager,
  timeFrame: StatsTimeFrame,
  baseDate: Date | null,
  previous: FrameState,
): Promise<IncrementalResult | null> {
  // Marks first, data after: a change committed between the two statements is both read now and still marked
  // for the next run (recomputing a user twice gives the same row); one committed later is marked for the next.
  // The buckets' marks are taken after the frame's, so every frame mark taken has its buckets current.
  const [{ ids: marked }]: { ids: string[] }[] = await em.query(TAKE_DIRTY_SQL, [timeFrame]);
  const fromDays = timeFrame !== "day";
  if (fromDays) await refreshDays(em);
  // The nil uuid: a bulk writer (the dataset import) changed rows without marking their users.
  if (marked.includes(RECOMPUTE_ALL)) return null;
  const changed = new Set(marked);
  if (baseDate !== null && previous.baseDate !== null && baseDate.getTime() !== previous.baseDate.getTime()) {
    const [lo, hi] = baseDate < previous.baseDate ? [baseDate, previous.baseDate] : [previous.baseDate, baseDate];
    const [{ ids: rolled }]: { ids: string[] }[] = await em.query(fromDays ? ROLLED_DAYS_USERS_SQL : ROLLED_USERS_SQL, [lo, hi]);
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
    if (!fromDays) {
      await em.query(USER_STATS_USERS_SQL, [baseDate, timeFrame, ids]);
      await em.query(TROLL_STATS_USERS_SQL, [baseDate, timeFrame, ids]);
    } else {
      await em.query(baseDate === null ? FRAME_FROM_TOTALS_SQL : FRAME_FROM_DAYS_SQL, [baseDate, timeFrame, ids]);
    }
  }
  const counts = await frameCounts(em, timeFrame);
  return { users: counts.users, rankedUsers: counts.ranked, trollUsers: counts.troll, changedUsers: changed.size };
}
