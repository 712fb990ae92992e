import { expect } from "chai";
import {
  bootstrapIntervals,
  cellCounts,
  cellTable,
  fitBradleyTerry,
  pairsFromCounts,
  rankRanges,
  ratingOf,
  type BattleRecord,
} from "../../../src/modules/arena/bradley-terry.js";
import { drawPair, pairWeight, type PairCandidateStats } from "../../../src/modules/arena/pair-sampling.js";
import { createRng } from "../../../src/db/random.js";

/**
 * An independent fit: Zermelo's / Hunter's MM iteration on the strengths' exponentials, with ties as half wins,
 * run until nothing moves. Shares no code with the Newton fit under test.
 */
function mmFit(k: number, battles: BattleRecord[]): number[] {
  const score = Array.from({ length: k }, () => 0);
  const games = Array.from({ length: k }, () => Array.from({ length: k }, () => 0));
  for (const b of battles) {
    score[b.a] += b.scoreA;
    score[b.b] += 1 - b.scoreA;
    games[b.a][b.b]++;
    games[b.b][b.a]++;
  }
  let p = Array.from({ length: k }, () => 1);
  for (let iter = 0; iter < 100_000; iter++) {
    const next = p.map((pi, i) => {
      let denom = 0;
      for (let j = 0; j < k; j++) if (j !== i && games[i][j] > 0) denom += games[i][j] / (pi + p[j]);
      return score[i] / denom;
    });
    const geo = Math.exp(next.reduce((s, x) => s + Math.log(x), 0) / k);
    const normalised = next.map((x) => x / geo);
    const moved = Math.max(...normalised.map((x, i) => Math.abs(Math.log(x) - Math.log(p[i]))));
    p = normalised;
    if (moved < 1e-13) break;
  }
  return p.map((x) => Math.log(x));
}

/** Battles drawn from known strengths: ties with probability τ ≤ 2·min(σ, 1−σ), so E[score] = σ(s_a − s_b). */
function simulate(strengths: number[], n: number, rng: () => number): BattleRecord[] {
  const out: BattleRecord[] = [];
  for (let t = 0; t < n; t++) {
    const a = Math.floor(rng() * strengths.length);
    let b = Math.floor(rng() * (strengths.length - 1));
    if (b >= a) b++;
    const p = 1 / (1 + Math.exp(strengths[b] - strengths[a]));
    const tie = 0.5 * Math.min(p, 1 - p);
    const r = rng();
    out.push({ a, b, scoreA: r < tie ? 0.5 : r < tie + p - tie / 2 ? 1 : 0 });
  }
  return out;
}

const centred = (xs: number[]) => {
  const m = xs.reduce((s, x) => s + x, 0) / xs.length;
  return xs.map((x) => x - m);
};

describe("arena: Bradley–Terry fit", () => {
  it("equals an independent MM fit (ties as half wins) to 1e-9", () => {
    const rng = createRng(7);
    const truth = [-1.2, -0.4, 0, 0.3, 1.1, 0.2];
    const battles = simulate(truth, 3000, rng);
    const table = cellTable(truth.length, battles);
    const fitted = fitBradleyTerry(truth.length, pairsFromCounts(table, cellCounts(table)));
    const independent = centred(mmFit(truth.length, battles));
    for (let i = 0; i < truth.length; i++) expect(Math.abs(fitted[i] - independent[i])).to.be.below(1e-9);
    expect(Math.abs([...fitted].reduce((s, x) => s + x, 0))).to.be.below(1e-9);
  });

  it("gives a model that never lost a finite strength, above all others", () => {
    const battles: BattleRecord[] = [
      { a: 0, b: 1, scoreA: 1 },
      { a: 0, b: 2, scoreA: 1 },
      { a: 1, b: 2, scoreA: 0.5 },
      { a: 2, b: 1, scoreA: 1 },
    ];
    const table = cellTable(3, battles);
    const s = fitBradleyTerry(3, pairsFromCounts(table, cellCounts(table)));
    expect([...s].every(Number.isFinite)).to.equal(true);
    expect(s[0]).to.be.above(s[1]).and.above(s[2]);
  });

  it("95% bootstrap intervals cover the true strengths about 95% of the time (200 simulated leaderboards)", () => {
    const rng = createRng(11);
    const truth = centred([-0.8, -0.3, 0, 0.4, 0.7]);
    let covered = 0;
    let total = 0;
    for (let rep = 0; rep < 200; rep++) {
      const table = cellTable(truth.length, simulate(truth, 400, rng));
      const { lower, upper } = bootstrapIntervals(table, 200, 0.95, rng);
      truth.forEach((t, i) => {
        total++;
        if (lower[i] <= t && t <= upper[i]) covered++;
      });
    }
    const rate = covered / total;
    expect(rate).to.be.within(0.91, 0.985);
  });

  it("rank ranges follow the intervals: overlapping models share ranks, separated ones do not", () => {
    const { best, worst } = rankRanges([2, 1.5, -1, -1.2], [3, 2.5, 0, -0.5]);
    expect(best).to.deep.equal([1, 1, 3, 3]);
    expect(worst).to.deep.equal([2, 2, 4, 4]);
    expect(ratingOf(0)).to.equal(1000);
    expect(ratingOf(Math.LN10)).to.be.closeTo(1400, 1e-9);
  });
});

describe("arena: pair sampling", () => {
  const stats = (battles: Record<string, number>, widths: Record<string, number | null>): PairCandidateStats => ({
    battles: (a, b) => battles[[a, b].sort().join("|")] ?? 0,
    width: (m) => widths[m] ?? null,
  });

  it("favours pairs with few battles and models with wide intervals, and only draws available models", () => {
    const s = stats({ "a|b": 100, "a|c": 0, "b|c": 100 }, { a: 0.2, b: 0.2, c: 0.2 });
    expect(pairWeight(s, "a", "c")).to.be.above(pairWeight(s, "a", "b"));
    const wide = stats({}, { a: 0.1, b: 0.1, c: 2 });
    expect(pairWeight(wide, "a", "c")).to.be.above(pairWeight(wide, "a", "b"));
    const rng = createRng(3);
    const seen = new Map<string, number>();
    let aFirst = 0;
    for (let n = 0; n < 4000; n++) {
      const pair = drawPair(["a", "b", "c"], s, rng)!;
      expect(pair[0]).to.not.equal(pair[1]);
      if (pair[0] < pair[1]) aFirst++;
      const key = [...pair].sort().join("|");
      seen.set(key, (seen.get(key) ?? 0) + 1);
    }
    expect(seen.get("a|c")!).to.be.above(seen.get("a|b")! * 5);
    expect(aFirst / 4000).to.be.within(0.45, 0.55);
    expect(drawPair(["a"], s, rng)).to.equal(null);
    expect(drawPair([], s, rng)).to.equal(null);
  });
});
