/**
 * `npm run bench -- leaderboard [--quick] [--users N]`: the leaderboard recompute of the bench-workloads spec.
 * Generates 100,000 users with a year of activity (messages in trees, label tasks, labels, ranking ballots,
 * reactions, some hidden or disabled users), in SQL with a fixed seed, on a fresh migrated database; then times
 * each time frame's periodic run (user stats and troll stats, one transaction each): the first, which recomputes
 * every user, and then, after each of two bursts of new activity (`--burst N` messages, default 1,000, with
 * tasks, labels and ballots in proportion), the incremental run one refresh interval later (its window moved on
 * by that much; the day counters' own job before them); then the full recompute of all four frames (the ADMIN refresh) in the same run for comparison,
 * the streak job, and the reads (a leaderboard page, a user's window, a user's stats).
 * --quick: a tenth of the data. --keep leaves the generated database in place and prints its name; --db NAME
 * measures on such a database again without generating (for tuning); --statements prints each step's slowest SQL
 * statements. Each step reports its wall time, the CPU of the bench's PostgreSQL client backends (parallel
 * workers of a big statement are not counted) and the bench's own CPU; BENCH_DB_PREFIX names the database.
 */
import "reflect-metadata";
import pino from "pino";
import { baseDatabaseUrl, createTestDatabase } from "../test/helpers/database.js";
import { createDataSource } from "../src/db/data-source.js";
import { migrateWithLock } from "../src/db/migrate.js";
import { createPubSubHandle } from "../src/infra/pubsub.js";
import { StatsService, TROLL_STATS_TOTAL_SQL, USER_STATS_TOTAL_SQL } from "../src/modules/stats/stats.service.js";
import { STATS_TIME_FRAMES } from "../src/modules/consensus/scores.js";
import { internalRequestContext } from "../src/common/request-context.js";
import { Role } from "../src/modules/users/role.js";
import { cpuMsOfPid } from "./proc.js";

const args = process.argv.slice(2);
const quick = args.includes("--quick");
const usersArg = args.indexOf("--users");
const USERS = usersArg >= 0 ? Number(args[usersArg + 1]) : quick ? 10_000 : 100_000;
// per user, on average, over the year
const MESSAGES = USERS * 6;
const TASKS = USERS * 6;
const LABELS = USERS * 4;
const BALLOTS = USERS * 2;

/** A deterministic UUID from a text: the same seed gives the same ids, so runs compare. */
const uuid = (expr: string) => `md5(${expr})::uuid`;
/** A skewed user pick (a few users do most of the work, as on the real boards), from a random number. */
const skewedUser = (r: string) => uuid(`'u' || (1 + floor(${USERS} * power(${r}, 3)))::int`);

const burstArg = args.indexOf("--burst");
const BURST = burstArg >= 0 ? Number(args[burstArg + 1]) : 1_000;
const BURST_BASE = Date.now();
/** The default refresh intervals (STATS_REFRESH_MINUTES): each frame's incremental run is timed that much later. */
const INTERVAL_MINUTES = { day: 5, week: 15, month: 60, total: 240 } as const;

const dbArg = args.indexOf("--db");
const reuse = dbArg >= 0 ? args[dbArg + 1] : null;
const keep = args.includes("--keep") || reuse !== null;

async function main() {
  const db = reuse ? existingDatabase(reuse) : await createTestDatabase(process.env.BENCH_DB_PREFIX ?? "chorus_bench_lb");
  const ds = createDataSource({ url: db.url, poolSize: 4, applicationName: "chorus-bench" });
  const log = pino({ level: "warn" });
  const rc = internalRequestContext("system", log, Role.ADMIN);
  const pubSub = createPubSubHandle(undefined);
  try {
    await ds.initialize();
    await migrateWithLock(ds, db.url, log);
    const t0 = Date.now();
    if (!reuse) await generate(ds);
    const counts = (
      await ds.query(`SELECT (SELECT count(*) FROM "user")::int AS users, (SELECT count(*) FROM message)::int AS messages,
        (SELECT count(*) FROM task)::int AS tasks, (SELECT count(*) FROM text_labels)::int AS labels,
        (SELECT count(*) FROM message_reaction)::int AS ballots, (SELECT count(*) FROM message_tree_state)::int AS trees`)
    )[0];
    console.error(JSON.stringify({ generated: counts, seconds: (Date.now() - t0) / 1000 }));

    if (args.includes("--explain")) {
      // the plans of the heaviest frame, for tuning (inside a rolled-back transaction)
      for (const [name, sql] of [
        ["user_stats", USER_STATS_TOTAL_SQL],
        ["troll_stats", TROLL_STATS_TOTAL_SQL],
      ]) {
        await ds
          .transaction(async (em) => {
            const plan: { "QUERY PLAN": string }[] = await em.query(`EXPLAIN (ANALYZE, BUFFERS) ${sql}`, [null, "total"]);
            console.error(`--- ${name}\n` + plan.map((p) => p["QUERY PLAN"]).join("\n"));
            await em.query(`SELECT 1/0`).catch(() => undefined);
          })
          .catch(() => undefined);
      }
    }
    const stats = new StatsService(ds, pubSub);
    // --statements: each step's slowest SQL statements (wall ms), to see where a run's time goes
    const statementMs = new Map<string, number>();
    if (args.includes("--statements")) {
      const proto = Object.getPrototypeOf(ds.createQueryRunner()) as { query: (...a: unknown[]) => Promise<unknown> };
      const original = proto.query;
      proto.query = async function (this: unknown, ...a: unknown[]) {
        const start = performance.now();
        try {
          return await original.apply(this, a);
        } finally {
          const key = String(a[0]).replace(/\s+/g, " ").trim().slice(0, 90);
          statementMs.set(key, (statementMs.get(key) ?? 0) + performance.now() - start);
        }
      };
    }
    const results: { step: string; run: number; ms: number; pgCpuMs: number; nodeCpuMs: number; detail: string }[] = [];
    // CPU of the bench's own PostgreSQL backends (by pid, from /proc: the server runs on this machine) and of this
    // process: on a shared machine wall time says little, CPU per step says what the step costs.
    const backendCpu = async (): Promise<Map<number, number>> => {
      const rows: { pid: number }[] = await ds.query(`SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND backend_type = 'client backend'`);
      return new Map(rows.map((r) => [r.pid, cpuMsOfPid(r.pid)]));
    };
    const time = async (step: string, run: number, fn: () => Promise<string>) => {
      const pg0 = await backendCpu();
      const node0 = process.cpuUsage();
      const start = performance.now();
      const detail = await fn();
      const ms = Math.round(performance.now() - start);
      const node = process.cpuUsage(node0);
      const nodeCpuMs = Math.round((node.user + node.system) / 1000);
      let pgCpuMs = 0;
      for (const [pid, cpu] of await backendCpu()) pgCpuMs += Math.max(0, cpu - (pg0.get(pid) ?? 0));
      results.push({ step, run, ms, pgCpuMs: Math.round(pgCpuMs), nodeCpuMs, detail });
      console.error(JSON.stringify({ step, run, ms, pgCpuMs: Math.round(pgCpuMs), nodeCpuMs, detail }));
      for (const [sql, total] of [...statementMs].sort((a, b) => b[1] - a[1]).slice(0, 6)) console.error(`  ${Math.round(total)} ms  ${sql}`);
      statementMs.clear();
    };
    const dirty = async (frame: string) =>
      (await ds.query(`SELECT count(DISTINCT user_id)::int AS n FROM stats_dirty WHERE time_frame = $1`, [frame]))[0].n as number;
    // A kept database already has its frames: the first run is incremental then, over every marked user.
    for (const frame of STATS_TIME_FRAMES) {
      await time(`first run ${frame} (full unless --db)`, 1, async () => {
        const r = await stats.refresh(frame);
        return `${r.users} users (${r.rankedUsers} ranked), ${r.trollUsers} on the troll board`;
      });
    }
    const start = Date.now();
    for (const run of [1, 2]) {
      await time(`burst of activity (${BURST} messages)`, run, async () => burst(ds, run));
      // The day counters' own job (on DAY's interval) runs before the windows after it: WEEK, MONTH and TOTAL then
      // bring the counters up to date only for what changed since (nothing here).
      await time("day counters (own job)", run, async () => {
        const r = await stats.refreshDayCounters();
        return `${r.marks} (user, day) marks${r.rebuilt ? ", rebuilt" : ""}`;
      });
      for (const frame of STATS_TIME_FRAMES) {
        const at = new Date(start + run * INTERVAL_MINUTES[frame] * 60_000);
        const marked = await dirty(frame);
        await time(`incremental ${frame}`, run, async () => {
          const r = await stats.refresh(frame, at);
          return `${marked} users marked; ${r.users} users (${r.rankedUsers} ranked), ${r.trollUsers} on the troll board; window +${run * INTERVAL_MINUTES[frame]} min`;
        });
      }
    }
    await time("all four frames (one admin refresh)", 1, async () => {
      const r = await stats.refreshByAdmin(rc, STATS_TIME_FRAMES);
      return `${r.length} frames, journaled`;
    });
    await time("streak job", 1, async () => `${await stats.resetStreaks()} streaks ended`);
    // the user ranked USERS/4 on the TOTAL board (by its order, not a stored rank: both schemas have the order)
    const someone: string = (
      await ds.query(
        `SELECT s.user_id FROM user_stats s JOIN "user" u ON u.id = s.user_id
         WHERE s.time_frame = 'total' AND u.show_on_leaderboard AND u.enabled AND NOT u.deleted
         ORDER BY s.leader_score DESC, s.user_id OFFSET $1 LIMIT 1`,
        [Math.floor(USERS / 4) - 1],
      )
    )[0]?.user_id;
    // Reads as the server itself: every client's users, no acting user (as the old calls with no client and no viewer).
    for (const run of [1, 2, 3]) {
      await time("read: leaderboard page of 100", run, async () => `${(await stats.leaderboard(rc, "total", 100, 0)).nodes.length} rows`);
      await time("read: leaderboardWindow (size 5)", run, async () => `${(await stats.leaderboardWindow(rc, someone, "total", 5))?.length ?? 0} rows`);
      await time("read: userStats (4 frames)", run, async () => `${(await stats.userStats(rc, someone)).length} frames`);
      await time("read: trollboard page of 100", run, async () => `${(await stats.trollboard(rc, "total", 100, 0, null)).nodes.length} rows`);
    }

    console.log(`\nChorus bench (leaderboard${quick ? ", quick" : ""}), ${new Date().toISOString()}, data: ${JSON.stringify(counts)}\n`);
    console.log("| step | run | ms (wall) | PostgreSQL CPU ms | bench CPU ms | result |");
    console.log("|---|---|---|---|---|---|");
    for (const r of results) console.log(`| ${r.step} | ${r.run} | ${r.ms} | ${r.pgCpuMs} | ${r.nodeCpuMs} | ${r.detail} |`);
  } finally {
    if (ds.isInitialized) await ds.destroy();
    await pubSub.close();
    if (keep) console.error(`kept database ${db.name} (reuse with --db ${db.name})`);
    else await db.drop();
  }
}

function existingDatabase(name: string) {
  const url = new URL(baseDatabaseUrl());
  url.pathname = "/" + name;
  return { name, url: url.toString(), drop: async () => undefined };
}

const CLIENT_ID = "00000000-0000-4000-8000-00000000b0b0";

/**
 * New activity of skewed users, created now: `BURST` messages (trees of 6), as many tasks (done), 70 % as many
 * labels and 30 % as many ballots; ids beyond the generated ones.
 */
async function burst(ds: import("typeorm").DataSource, run: number): Promise<string> {
  // beyond the generated ids, and apart from earlier runs' bursts on a kept database
  const off = MESSAGES * (1 + run) + (BURST_BASE % 100_000) * 10_000;
  const n = Math.ceil(BURST / 6) * 6;
  await ds.transaction(async (em) => {
    await em.query(`SELECT setseed(0.${run}7)`);
    await em.query(
      `INSERT INTO message (id, parent_id, message_tree_id, user_id, role, api_client_id, frontend_message_id, created_date, text,
                            depth, deleted, review_count, review_result, emojis)
       SELECT ${uuid("'m' || i")}, CASE WHEN i % 6 = 0 THEN NULL ELSE ${uuid("'m' || (i - i % 6)")} END, ${uuid("'m' || (i - i % 6)")},
              ${skewedUser("random()")}, CASE WHEN i % 6 IN (0, 4, 5) THEN 'prompter' ELSE 'assistant' END,
              '${CLIENT_ID}', 'bench-' || i, now() - random() * interval '5 minutes', 'message ' || i, CASE WHEN i % 6 = 0 THEN 0 ELSE 1 END,
              false, 3, random() < 0.95, '{}'::jsonb
       FROM generate_series(${off}, ${off + n - 1}) AS i`,
    );
    await em.query(
      `INSERT INTO message_tree_state (message_tree_id, goal_tree_size, max_depth, max_children_count, state, active, lang)
       SELECT ${uuid("'m' || i")}, 6, 3, 3, 'ready_for_export', false, 'en' FROM generate_series(${off}, ${off + n - 1}, 6) AS i`,
    );
    await em.query(
      `INSERT INTO task (id, created_date, user_id, payload_type, payload, api_client_id, ack, done)
       SELECT ${uuid("'t' || i")}, now(), ${skewedUser("random()")}, 'LabelAssistantReplyPayload', '{"mode": "full"}'::jsonb, '${CLIENT_ID}', true, true
       FROM generate_series(${off}, ${off + n - 1}) AS i`,
    );
    await em.query(
      `INSERT INTO text_labels (id, user_id, created_date, api_client_id, message_id, labels, task_id)
       SELECT ${uuid("'l' || i")}, ${skewedUser("random()")}, now(), '${CLIENT_ID}', ${uuid(`'m' || (${off} + floor(random() * ${n})::int)`)},
              '{"spam": 0, "quality": 0.75}'::jsonb, ${uuid("'lt' || i")}
       FROM generate_series(${off}, ${off + Math.floor(n * 0.7) - 1}) AS i ON CONFLICT DO NOTHING`,
    );
    await em.query(
      `INSERT INTO message_reaction (task_id, user_id, created_date, payload_type, payload, api_client_id, message_id)
       SELECT ${uuid("'r' || i")}, ${skewedUser("random()")}, now(), 'RankingReactionPayload',
              jsonb_build_object('type', 'message_ranking', 'ranking', jsonb_build_array(0, 1, 2),
                                 'ranked_message_ids', jsonb_build_array(${uuid("'m' || (t * 6 + 1)")}, ${uuid("'m' || (t * 6 + 2)")}, ${uuid("'m' || (t * 6 + 3)")})),
              '${CLIENT_ID}', ${uuid("'m' || (t * 6)")}
       FROM (SELECT i, floor(random() * ${MESSAGES / 6})::int AS t FROM generate_series(${off}, ${off + Math.floor(n * 0.3) - 1}) AS i) AS b`,
    );
  });
  return `${n} messages, ${n} tasks, ${Math.floor(n * 0.7)} labels, ${Math.floor(n * 0.3)} ballots`;
}

/** The data set, in set-based SQL with a fixed seed (setseed before each table keeps every table reproducible). */
async function generate(ds: import("typeorm").DataSource) {
  const step = async (name: string, sql: string) => {
    const t = Date.now();
    await ds.transaction(async (em) => {
      await em.query(`SELECT setseed(0.42)`);
      await em.query(sql);
    });
    console.error(JSON.stringify({ generated: name, seconds: (Date.now() - t) / 1000 }));
  };
  await ds.query(`INSERT INTO api_client (id, name, key_hash, key_prefix, trusted, role) VALUES ($1, 'bench', repeat('0', 64), 'chk_bench', true, 'ADMIN')`, [
    CLIENT_ID,
  ]);
  // 2 % hidden, 1 % disabled; streaks of various ages
  await step(
    "users",
    `INSERT INTO "user" (id, username, auth_method, display_name, api_client_id, show_on_leaderboard, enabled,
                         last_activity_date, streak_last_day_date, streak_days)
     SELECT ${uuid("'u' || i")}, 'bench-' || i, 'local', 'Bench User ' || i, '${CLIENT_ID}', i % 50 <> 0, i % 100 <> 7,
            now() - random() * interval '10 days', now() - interval '20 days', 20
     FROM generate_series(1, ${USERS}) AS i`,
  );
  // trees of 6: a prompt and 5 replies (3 assistant, 2 prompter); 95 % accepted, 2 % deleted, a fifth with reactions
  await step(
    "messages",
    `INSERT INTO message (id, parent_id, message_tree_id, user_id, role, api_client_id, frontend_message_id, created_date, text,
                          depth, deleted, review_count, review_result, emojis)
     SELECT ${uuid("'m' || i")},
            CASE WHEN i % 6 = 0 THEN NULL ELSE ${uuid("'m' || (i - i % 6)")} END,
            ${uuid("'m' || (i - i % 6)")},
            ${skewedUser("random()")},
            CASE WHEN i % 6 IN (0, 4, 5) THEN 'prompter' ELSE 'assistant' END,
            '${CLIENT_ID}', 'bench-' || i,
            now() - ((i / 6) * 6 % 365) * interval '1 day' - (i % 6) * interval '10 minutes' - random() * interval '1 day',
            'message ' || i, CASE WHEN i % 6 = 0 THEN 0 ELSE 1 END,
            random() < 0.02, 3, random() < 0.95,
            CASE WHEN random() < 0.2 THEN jsonb_build_object('+1', floor(random() * 4)::int, '-1', floor(random() * 2)::int, 'red_flag', floor(random() * 1.3)::int)
                 ELSE '{}'::jsonb END
     FROM generate_series(0, ${MESSAGES - 1}) AS i`,
  );
  await step(
    "tree states",
    `INSERT INTO message_tree_state (message_tree_id, goal_tree_size, max_depth, max_children_count, state, active, lang)
     SELECT ${uuid("'m' || i")}, 6, 3, 3, CASE WHEN random() < 0.1 THEN 'aborted_low_grade' ELSE 'ready_for_export' END, false, 'en'
     FROM generate_series(0, ${MESSAGES - 1}, 6) AS i`,
  );
  // 80 % label tasks (simple or full), the rest reply tasks; 90 % done
  await step(
    "tasks",
    `INSERT INTO task (id, created_date, user_id, payload_type, payload, api_client_id, ack, done)
     SELECT ${uuid("'t' || i")}, now() - random() * interval '365 days', ${skewedUser("random()")},
            (ARRAY['LabelInitialPromptPayload', 'LabelAssistantReplyPayload', 'LabelPrompterReplyPayload', 'LabelAssistantReplyPayload', 'AssistantReplyPayload'])[1 + i % 5],
            jsonb_build_object('mode', CASE WHEN random() < 0.7 THEN 'full' ELSE 'simple' END),
            '${CLIENT_ID}', true, random() < 0.9
     FROM generate_series(1, ${TASKS}) AS i`,
  );
  await step(
    "text labels",
    `INSERT INTO text_labels (id, user_id, created_date, api_client_id, message_id, labels, task_id)
     SELECT ${uuid("'l' || i")}, ${skewedUser("random()")}, now() - random() * interval '365 days', '${CLIENT_ID}',
            ${uuid(`'m' || floor(random() * ${MESSAGES})::int`)},
            jsonb_build_object('spam', (random() < 0.05)::int, 'lang_mismatch', (random() < 0.03)::int, 'pii', (random() < 0.01)::int,
                               'not_appropriate', (random() < 0.02)::int, 'quality', round(random()::numeric * 4) / 4,
                               'humor', round(random()::numeric * 4) / 4, 'toxicity', round(random()::numeric * 4) / 4),
            ${uuid("'lt' || i")}
     FROM generate_series(1, ${LABELS}) AS i
     ON CONFLICT DO NOTHING`,
  );
  // ballots over the three assistant replies of a tree
  await step(
    "ranking ballots",
    `INSERT INTO message_reaction (task_id, user_id, created_date, payload_type, payload, api_client_id, message_id)
     SELECT ${uuid("'r' || i")}, ${skewedUser("random()")}, now() - random() * interval '365 days', 'RankingReactionPayload',
            jsonb_build_object('type', 'message_ranking', 'ranking', jsonb_build_array(0, 1, 2),
                               'ranked_message_ids', jsonb_build_array(${uuid("'m' || (t * 6 + 1 + i % 3)")}, ${uuid("'m' || (t * 6 + 1 + (i + 1) % 3)")}, ${uuid("'m' || (t * 6 + 1 + (i + 2) % 3)")})),
            '${CLIENT_ID}', ${uuid("'m' || (t * 6)")}
     FROM (SELECT i, floor(random() * ${MESSAGES / 6})::int AS t FROM generate_series(1, ${BALLOTS}) AS i) AS b`,
  );
  await ds.query(`ANALYZE`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
