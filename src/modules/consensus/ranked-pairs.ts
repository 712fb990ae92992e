/**
 * Merging several people's rankings of the same replies into one consensus order: Tideman's ranked pairs,
 * exactly as the reference computes it (spec §4.3), so that a dataset re-scored here orders replies the same
 * way the original did. The tie-breaks matter for that: candidates are indexed by their lowercase id string,
 * equal margins keep that index order, and a perfect tie goes to the smaller id.
 */

/** One ranking: message ids, best first. */
export type Ballot = readonly string[];

/**
 * Thrown when a ballot names a message twice. The reference fails the same way (its assertion that every
 * restricted ballot has |C| entries), which moves the tree to `scoring_failed`.
 */
export class MalformedBallotError extends Error {
  constructor(readonly messageId: string) {
    super(`A ranking lists message ${messageId} more than once.`);
    this.name = "MalformedBallotError";
  }
}

/** Ids compare as their canonical lowercase strings, which for UUIDs is their numeric (and Postgres) order. */
function compareIds(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  return x < y ? -1 : x > y ? 1 : 0;
}

function assertNoDuplicates(ballot: Ballot): void {
  const seen = new Set<string>();
  for (const id of ballot) {
    if (seen.has(id)) throw new MalformedBallotError(id);
    seen.add(id);
  }
}

/**
 * Step 1 and 3: the ids every ballot contains, sorted by id. Only those can be compared fairly, since a reply
 * missing from one ballot (deleted or added after that ranking) has no position there.
 */
export function commonCandidates(ballots: readonly Ballot[]): string[] {
  if (ballots.length === 0) return [];
  for (const ballot of ballots) assertNoDuplicates(ballot);
  let common = new Set(ballots[0]);
  for (const ballot of ballots.slice(1)) {
    const present = new Set(ballot);
    common = new Set([...common].filter((id) => present.has(id)));
  }
  return [...common].sort(compareIds);
}

/** True when `target` can be reached from `start` along locked edges. */
function reachable(locked: readonly (readonly boolean[])[], start: number, target: number): boolean {
  const stack = [start];
  const visited = new Set<number>([start]);
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (node === target) return true;
    locked[node].forEach((edge, next) => {
      if (edge && !visited.has(next)) {
        visited.add(next);
        stack.push(next);
      }
    });
  }
  return false;
}

/**
 * The consensus order (best first) of the ids all ballots share (steps 1–7 of §4.3). Ids missing from any
 * ballot are left out; with fewer than two shared ids the answer is just those ids, and callers treat it as
 * "nothing to rank" (see `rankAssignment`).
 */
export function rankedPairs(ballots: readonly Ballot[]): string[] {
  const candidates = commonCandidates(ballots);
  const n = candidates.length;
  if (n < 2) return candidates;

  const indexOf = new Map(candidates.map((id, index) => [id, index]));
  // Step 2: each ballot restricted to the shared ids, as positions per candidate index.
  const positions = ballots.map((ballot) => {
    const position = new Array<number>(n);
    ballot.filter((id) => indexOf.has(id)).forEach((id, place) => (position[indexOf.get(id)!] = place));
    return position;
  });

  // Step 4: margins D[i][j] = (# ballots with i above j) − (# ballots with j above i).
  const margin = candidates.map(() => new Array<number>(n).fill(0));
  for (const position of positions) {
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        if (i !== j && position[i] < position[j]) {
          margin[i][j] += 1;
          margin[j][i] -= 1;
        }
      }
    }
  }

  // Step 5: every non-losing pair, ties in both directions, row-major, then a stable sort by margin.
  const pairs: { winner: number; loser: number; margin: number }[] = [];
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      if (i !== j && margin[i][j] >= 0) pairs.push({ winner: i, loser: j, margin: margin[i][j] });
    }
  }
  pairs.sort((a, b) => b.margin - a.margin); // Array.prototype.sort is stable (ES2019).

  // Step 6: lock in strongest first, skipping any pair that would close a cycle.
  const locked = candidates.map(() => new Array<boolean>(n).fill(false));
  for (const { winner, loser } of pairs) {
    if (!reachable(locked, loser, winner)) locked[winner][loser] = true;
  }

  // Step 7: peel off sources, smallest index first when several remain.
  const remaining = new Set(candidates.keys());
  const order: string[] = [];
  while (remaining.size > 0) {
    const source = [...remaining].find((node) => ![...remaining].some((other) => locked[other][node]));
    if (source === undefined) {
      // Lock-in never closes a cycle, so a source always exists; reaching here means a bug above.
      throw new Error("ranked pairs: locked graph has a cycle");
    }
    order.push(candidates[source]);
    remaining.delete(source);
  }
  return order;
}

/** What step 8 does to one parent's children. */
export type RankAssignment =
  | { applies: false; commonCount: number }
  | {
      applies: true;
      /** Consensus order of the shared ids, best first. */
      consensus: string[];
      /**
       * New `rank` for every sibling: its position in the consensus, or null when the ballots did not all rank
       * it (the reference clears only ranks that were set; writing null over null leaves the same state).
       */
      ranks: Map<string, number | null>;
    };

/**
 * Step 8: new ranks for a parent's children (`siblingIds`: all of them, whatever their deleted or review
 * state) from the rankings collected for that parent. With fewer than two ids shared by every ballot nothing
 * changes (no error), as in the reference. Consensus ids that are no longer siblings are ignored.
 */
export function rankAssignment(siblingIds: readonly string[], ballots: readonly Ballot[]): RankAssignment {
  const consensus = rankedPairs(ballots);
  if (consensus.length < 2) return { applies: false, commonCount: consensus.length };
  const position = new Map(consensus.map((id, index) => [id, index]));
  const ranks = new Map<string, number | null>(siblingIds.map((id) => [id, position.get(id) ?? null]));
  return { applies: true, consensus, ranks };
}
