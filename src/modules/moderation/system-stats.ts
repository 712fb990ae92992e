/** System and tree-manager counts (spec §9.5), read in the caller's transaction so a purge preview can count inside its own. */
import type { DataSource, EntityManager } from "typeorm";
import type { TreeState } from "../trees/message-tree-state.entity.js";
import { SystemStats, TreeManagerStats, TreeMessageCount, TreeStateCount } from "./moderation.types.js";
import type { Visibility } from "../../common/visibility.js";
import type { RequestContext } from "../../common/request-context.js";

/** Message counts; with `vis.apiClientId` (an untrusted moderator) of that client's messages only. */
export async function systemStats(em: EntityManager, vis: Visibility = { apiClientId: null }): Promise<SystemStats> {
  const [totals]: { all: number; active: number; deleted: number; trees: number }[] = await em.query(
    `SELECT count(*)::int AS all, count(*) FILTER (WHERE NOT deleted)::int AS active,
            count(*) FILTER (WHERE deleted)::int AS deleted, count(*) FILTER (WHERE parent_id IS NULL)::int AS trees
     FROM message WHERE ($1::uuid IS NULL OR api_client_id = $1)`,
    [vis.apiClientId],
  );
  const byLang: { lang: string; count: number }[] = await em.query(
    `SELECT lang, count(*)::int AS count FROM message WHERE NOT deleted AND ($1::uuid IS NULL OR api_client_id = $1) GROUP BY lang ORDER BY lang`,
    [vis.apiClientId],
  );
  return Object.assign(new SystemStats(), {
    all: totals.all,
    active: totals.active,
    deleted: totals.deleted,
    messageTrees: totals.trees,
    activeByLang: byLang,
  });
}

/**
 * Trees per state (all trees) and, per tree, its live messages' count, depth and age span. With `vis.apiClientId`
 * (an untrusted moderator): the trees holding a message of that client, and only that client's messages counted.
 */
export async function treeManagerStats(em: EntityManager, onlyActive: boolean, vis: Visibility = { apiClientId: null }): Promise<TreeManagerStats> {
  const states: { state: TreeState; count: number }[] = await em.query(
    `SELECT state, count(*)::int AS count FROM message_tree_state t
     WHERE $1::uuid IS NULL OR EXISTS (SELECT 1 FROM message m WHERE m.message_tree_id = t.message_tree_id AND m.api_client_id = $1)
     GROUP BY state ORDER BY state`,
    [vis.apiClientId],
  );
  const trees: {
    message_tree_id: string;
    state: TreeState;
    goal_tree_size: number;
    depth: number;
    oldest: Date;
    youngest: Date;
    count: number;
  }[] = await em.query(
    `SELECT t.message_tree_id, t.state, t.goal_tree_size, max(m.depth)::int AS depth,
            min(m.created_date) AS oldest, max(m.created_date) AS youngest, count(*)::int AS count
     FROM message_tree_state t JOIN message m ON m.message_tree_id = t.message_tree_id AND NOT m.deleted
       AND ($2::uuid IS NULL OR m.api_client_id = $2)
     WHERE (NOT $1::boolean OR t.active)
     GROUP BY t.message_tree_id, t.state, t.goal_tree_size
     ORDER BY t.message_tree_id`,
    [onlyActive, vis.apiClientId],
  );
  return Object.assign(new TreeManagerStats(), {
    stateCounts: states.map((s) => Object.assign(new TreeStateCount(), s)),
    messageCounts: trees.map((t) =>
      Object.assign(new TreeMessageCount(), {
        messageTreeId: t.message_tree_id,
        state: t.state,
        goalTreeSize: t.goal_tree_size,
        depth: t.depth,
        oldest: t.oldest,
        youngest: t.youngest,
        count: t.count,
      }),
    ),
  });
}

/** The moderators' `systemStats` and `treeManagerStats` queries, counting what the caller may read. */
export class SystemStatsService {
  constructor(private readonly ds: DataSource) {}

  counts(rc: RequestContext): Promise<SystemStats> {
    return systemStats(this.ds.manager, rc.visibility);
  }

  treeManager(rc: RequestContext, onlyActive: boolean): Promise<TreeManagerStats> {
    return treeManagerStats(this.ds.manager, onlyActive, rc.visibility);
  }
}
