/**
 * One model leaderboard from the counted battles' tallies: strengths, intervals, rank ranges, records and the
 * pairwise matrices. Pure (the caller reads the tallies and injects the randomness), so the bench and the tests
 * run exactly what the server runs.
 */
import type { Rng } from "../../db/random.js";
import { bootstrapIntervals, fitBradleyTerry, pairsFromCounts, rankRanges, ratingOf, type CellTable, type FitOptions, DEFAULT_FIT } from "./bradley-terry.js";

/** Battles between two models with one outcome, as SQL's GROUP BY gives them. */
export interface BattleTally {
  modelA: string;
  modelB: string;
  /** 1: A won, 0: B won, 0.5: tie or both bad. */
  scoreA: number;
  count: number;
}

export interface LeaderboardSettings {
  bootstrapSamples: number;
  confidenceLevel: number;
  ridge: number;
}

export interface Standing {
  model: string;
  strength: number;
  strengthLower: number | null;
  strengthUpper: number | null;
  rating: number;
  ratingLower: number | null;
  ratingUpper: number | null;
  rankBest: number;
  rankWorst: number;
  battles: number;
  wins: number;
  losses: number;
  ties: number;
  winRate: number;
}

export interface LeaderboardResult {
  models: Standing[];
  winRateMatrix: number[][];
  battleMatrix: number[][];
  battles: number;
  bootstrapSamples: number;
  confidenceLevel: number;
  ridge: number;
}

/** The cell table of the tallies: each battle is one entry of `cellOf`, so resampling draws battles. */
function tableOf(k: number, index: Map<string, number>, tallies: readonly BattleTally[]): CellTable {
  const cells: CellTable["cells"] = [];
  const total = tallies.reduce((s, t) => s + t.count, 0);
  const cellOf = new Int32Array(total);
  let at = 0;
  for (const t of tallies) {
    const a = index.get(t.modelA)!;
    const b = index.get(t.modelB)!;
    const swap = a > b;
    cells.push({ i: swap ? b : a, j: swap ? a : b, scoreI: swap ? 1 - t.scoreA : t.scoreA });
    cellOf.fill(cells.length - 1, at, at + t.count);
    at += t.count;
  }
  return { k, cells, cellOf };
}

export function computeLeaderboard(tallies: readonly BattleTally[], settings: LeaderboardSettings, rng: Rng): LeaderboardResult {
  const used = tallies.filter((t) => t.count > 0 && t.modelA !== t.modelB);
  const names = [...new Set(used.flatMap((t) => [t.modelA, t.modelB]))].sort();
  const k = names.length;
  const index = new Map(names.map((n, i) => [n, i]));
  const table = tableOf(k, index, used);
  const counts = new Float64Array(table.cells.length);
  used.forEach((t, n) => (counts[n] = t.count));
  const fit: FitOptions = { ...DEFAULT_FIT, ridge: settings.ridge };
  const strengths = fitBradleyTerry(k, pairsFromCounts(table, counts), fit);
  const boot = settings.bootstrapSamples > 0 && k > 0 ? bootstrapIntervals(table, settings.bootstrapSamples, settings.confidenceLevel, rng, fit) : null;
  const ranks = boot ? rankRanges(boot.lower, boot.upper) : rankRanges(strengths, strengths);

  const record = names.map(() => ({ battles: 0, wins: 0, losses: 0, ties: 0 }));
  const score = names.map(() => new Array<number>(k).fill(0));
  const games = names.map(() => new Array<number>(k).fill(0));
  for (const t of used) {
    const a = index.get(t.modelA)!;
    const b = index.get(t.modelB)!;
    record[a].battles += t.count;
    record[b].battles += t.count;
    if (t.scoreA === 1) {
      record[a].wins += t.count;
      record[b].losses += t.count;
    } else if (t.scoreA === 0) {
      record[b].wins += t.count;
      record[a].losses += t.count;
    } else {
      record[a].ties += t.count;
      record[b].ties += t.count;
    }
    score[a][b] += t.scoreA * t.count;
    score[b][a] += (1 - t.scoreA) * t.count;
    games[a][b] += t.count;
    games[b][a] += t.count;
  }
  const order = names.map((_, i) => i).sort((x, y) => strengths[y] - strengths[x] || names[x].localeCompare(names[y]));
  const models: Standing[] = order.map((i) => ({
    model: names[i],
    strength: strengths[i],
    strengthLower: boot ? boot.lower[i] : null,
    strengthUpper: boot ? boot.upper[i] : null,
    rating: ratingOf(strengths[i]),
    ratingLower: boot ? ratingOf(boot.lower[i]) : null,
    ratingUpper: boot ? ratingOf(boot.upper[i]) : null,
    rankBest: ranks.best[i],
    rankWorst: ranks.worst[i],
    ...record[i],
    winRate: record[i].battles > 0 ? (record[i].wins + record[i].ties / 2) / record[i].battles : 0,
  }));
  return {
    models,
    winRateMatrix: order.map((i) => order.map((j) => (games[i][j] > 0 ? score[i][j] / games[i][j] : -1))),
    battleMatrix: order.map((i) => order.map((j) => games[i][j])),
    battles: table.cellOf.length,
    bootstrapSamples: boot ? settings.bootstrapSamples : 0,
    confidenceLevel: settings.confidenceLevel,
    ridge: settings.ridge,
  };
}
