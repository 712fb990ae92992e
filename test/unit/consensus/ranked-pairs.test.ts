import { expect } from "chai";
import { MalformedBallotError, commonCandidates, rankAssignment, rankedPairs, type Ballot } from "../../../src/modules/consensus/ranked-pairs.js";
import { seededRng } from "./rng.js";

function repeat(ballot: Ballot, times: number): Ballot[] {
  return Array.from({ length: times }, () => ballot);
}

/**
 * A line-by-line port of the reference's `ranked_pairs` (utils/ranking.py: argsort tallies, condorcet-loser
 * cycle detection, recursive winner extraction), used as an oracle for randomized ballots.
 */
function referenceRankedPairs(ranks: string[][]): string[] {
  const names = [...ranks[0]].sort();
  const n = names.length;
  const positions = ranks.map((ballot) => names.map((name) => ballot.indexOf(name)));
  const tallies = names.map(() => new Array<number>(n).fill(0));
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      tallies[i][j] = positions.filter((p) => p[i] < p[j]).length;
      tallies[j][i] = positions.filter((p) => p[j] < p[i]).length;
    }
  }
  const margins = tallies.map((row, i) => row.map((value, j) => value - tallies[j][i]));
  const majorities: [number, number, number][] = [];
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) if (margins[i][j] >= 0 && i !== j) majorities.push([i, j, margins[i][j]]);
  majorities.sort((a, b) => b[2] - a[2]);

  const cycleDetect = (pairs: [number, number][]): boolean => {
    if (pairs.length <= 1) return false;
    const losers = [...new Set(pairs.map((p) => p[1]))].filter((l) => !pairs.some((p) => p[0] === l));
    if (losers.length === 0) return true;
    return cycleDetect(pairs.filter((p) => !losers.includes(p[1])));
  };
  let lockIns: [number, number][] = [];
  for (const [x, y] of majorities) {
    lockIns.push([x, y]);
    if (cycleDetect(lockIns)) lockIns = lockIns.slice(0, -1);
  }
  const getWinner = (pairs: [number, number][]): number => {
    const losers = new Set(pairs.map((p) => p[1]));
    const winners = [...new Set(pairs.map((p) => p[0]))].sort((a, b) => a - b);
    return winners.find((w) => !losers.has(w))!;
  };
  const getRanking = (pairs: [number, number][]): number[] => {
    if (pairs.length === 1) return [...pairs[0]];
    const w = getWinner(pairs);
    return [w, ...getRanking(pairs.filter(([a]) => a !== w))];
  };
  return getRanking(lockIns).map((index) => names[index]);
}

describe("consensus: ranked pairs (spec §4.3, §10.2)", () => {
  describe("every row of the §10.2 table", () => {
    const rows: [string, Ballot[], string[]][] = [
      ["[a,b,c]×3", repeat(["a", "b", "c"], 3), ["a", "b", "c"]],
      ["[c,a,b]", [["c", "a", "b"]], ["c", "a", "b"]],
      [
        "[a,b],[b,a] (tie: smaller id wins)",
        [
          ["a", "b"],
          ["b", "a"],
        ],
        ["a", "b"],
      ],
      [
        "[a,b],[b,a],[b,a]",
        [
          ["a", "b"],
          ["b", "a"],
          ["b", "a"],
        ],
        ["b", "a"],
      ],
      [
        "[a,b,c],[b,c,a],[c,a,b] (Condorcet cycle, c→a rejected)",
        [
          ["a", "b", "c"],
          ["b", "c", "a"],
          ["c", "a", "b"],
        ],
        ["a", "b", "c"],
      ],
      [
        "[a,b,c],[a,c,b],[b,a,c]",
        [
          ["a", "b", "c"],
          ["a", "c", "b"],
          ["b", "a", "c"],
        ],
        ["a", "b", "c"],
      ],
      [
        "[a,b,c,d],[d,c,b,a] (all ties)",
        [
          ["a", "b", "c", "d"],
          ["d", "c", "b", "a"],
        ],
        ["a", "b", "c", "d"],
      ],
      [
        "[b,a,c,d],[a,b,d,c]",
        [
          ["b", "a", "c", "d"],
          ["a", "b", "d", "c"],
        ],
        ["a", "b", "c", "d"],
      ],
      [
        "[a,b,c],[b,c,a],[c,a,b],[c,b,a]",
        [
          ["a", "b", "c"],
          ["b", "c", "a"],
          ["c", "a", "b"],
          ["c", "b", "a"],
        ],
        ["c", "a", "b"],
      ],
      [
        "[z,y,x],[z,x,y]",
        [
          ["z", "y", "x"],
          ["z", "x", "y"],
        ],
        ["z", "x", "y"],
      ],
      [
        "(w,x,z,y)×1 + (w,y,x,z)×2 + (x,z,w,y)×5 + (y,w,x,z)×1",
        [...repeat(["w", "x", "z", "y"], 1), ...repeat(["w", "y", "x", "z"], 2), ...repeat(["x", "z", "w", "y"], 5), ...repeat(["y", "w", "x", "z"], 1)],
        ["x", "z", "w", "y"],
      ],
      [
        "(w,x,z,y)×3 + (w,y,x,z)×2 + (x,y,z,w)×4 + (x,z,w,y)×5 + (y,w,x,z)×1",
        [
          ...repeat(["w", "x", "z", "y"], 3),
          ...repeat(["w", "y", "x", "z"], 2),
          ...repeat(["x", "y", "z", "w"], 4),
          ...repeat(["x", "z", "w", "y"], 5),
          ...repeat(["y", "w", "x", "z"], 1),
        ],
        ["x", "z", "w", "y"],
      ],
    ];
    for (const [name, ballots, expected] of rows) {
      it(`${name} ⇒ ${expected.join(",")}`, () => {
        expect(rankedPairs(ballots)).to.deep.equal(expected);
      });
    }

    it("the UUID example from ranking.py ⇒ c5181083…, d11705af…, dcf3d179…", () => {
      const c5 = "c5181083-d3e9-41e7-a935-83fb9fa01488";
      const dc = "dcf3d179-0f34-4c15-ae21-b8feb15e422d";
      const d1 = "d11705af-5575-43e5-b22e-08d155fbaa62";
      const ballots = [
        [c5, dc, d1],
        [d1, c5, dc],
        [dc, c5, d1],
        [d1, c5, dc],
      ];
      expect(rankedPairs(ballots)).to.deep.equal([c5, d1, dc]);
    });
  });

  describe("common set and tie-breaking", () => {
    it("ranks only the ids every ballot contains, keeping each ballot's order among them", () => {
      expect(
        commonCandidates([
          ["A", "B", "C"],
          ["B", "A", "C", "D"],
          ["A", "C", "B"],
        ]),
      ).to.deep.equal(["A", "B", "C"]);
      expect(
        rankedPairs([
          ["e", "b", "a"],
          ["b", "a", "f"],
        ]),
      ).to.deep.equal(["b", "a"]);
    });

    it("orders candidates by lowercase id, so a perfect tie goes to the smaller UUID whatever the case", () => {
      const small = "0000000A-0000-4000-8000-000000000000";
      const large = "0000000b-0000-4000-8000-000000000000";
      expect(
        rankedPairs([
          [large, small],
          [small, large],
        ]),
      ).to.deep.equal([small, large]);
      expect(
        rankedPairs([
          [small, large],
          [large, small],
        ]),
      ).to.deep.equal([small, large]);
    });

    it("answers the shared ids as they are when fewer than two are shared", () => {
      expect(rankedPairs([])).to.deep.equal([]);
      expect(
        rankedPairs([
          ["a", "b"],
          ["c", "d"],
        ]),
      ).to.deep.equal([]);
      expect(
        rankedPairs([
          ["a", "b"],
          ["a", "c"],
        ]),
      ).to.deep.equal(["a"]);
    });

    it("refuses a ballot that names a message twice, as the reference's assertion did", () => {
      expect(() =>
        rankedPairs([
          ["a", "b", "a"],
          ["a", "b"],
        ]),
      ).to.throw(MalformedBallotError, "message a");
    });
  });

  describe("rank assignment (step 8)", () => {
    it("siblings {A,B,C,D}, ballots [A,B,C],[B,A,C,D],[A,C,B] ⇒ A=0, B=1, C=2, D=null", () => {
      const result = rankAssignment(
        ["A", "B", "C", "D"],
        [
          ["A", "B", "C"],
          ["B", "A", "C", "D"],
          ["A", "C", "B"],
        ],
      );
      expect(result.applies).to.equal(true);
      if (!result.applies) return;
      expect(result.consensus).to.deep.equal(["A", "B", "C"]);
      expect([...result.ranks.entries()]).to.deep.equal([
        ["A", 0],
        ["B", 1],
        ["C", 2],
        ["D", null],
      ]);
    });

    it("changes nothing when the ballots share fewer than two ids", () => {
      expect(
        rankAssignment(
          ["A", "B", "C"],
          [
            ["A", "B"],
            ["C", "A"],
          ],
        ),
      ).to.deep.equal({ applies: false, commonCount: 1 });
      expect(rankAssignment(["A", "B"], [["A", "B"], ["C"]])).to.deep.equal({ applies: false, commonCount: 0 });
    });

    it("ignores consensus ids that are no longer siblings", () => {
      const result = rankAssignment(
        ["A", "C"],
        [
          ["A", "B", "C"],
          ["B", "A", "C"],
          ["A", "B", "C"],
        ],
      );
      expect(result.applies).to.equal(true);
      if (!result.applies) return;
      expect(result.consensus).to.deep.equal(["A", "B", "C"]);
      expect([...result.ranks.entries()]).to.deep.equal([
        ["A", 0],
        ["C", 2],
      ]);
    });
  });

  it("reproduces the reference algorithm on 2 000 random ballot sets", () => {
    const rng = seededRng(20240106);
    const hex = () =>
      Math.floor(rng() * 0x100000000)
        .toString(16)
        .padStart(8, "0");
    for (let round = 0; round < 2000; round++) {
      const shared = Array.from({ length: 2 + Math.floor(rng() * 5) }, () => `${hex()}-0000-4000-8000-${hex()}0000`);
      const ballotCount = 1 + Math.floor(rng() * 7);
      const ballots = Array.from({ length: ballotCount }, (_, ballotIndex) => {
        const ballot = shared.map((id) => ({ id, key: rng() }));
        ballot.sort((a, b) => a.key - b.key);
        const ids = ballot.map((entry) => entry.id);
        // Some ballots also rank a reply the others never saw; it must not affect the shared order.
        if (ballotCount > 1 && rng() < 0.3) ids.splice(Math.floor(rng() * (ids.length + 1)), 0, `ffffffff-extra-${ballotIndex}`);
        return ids;
      });
      const restricted = ballots.map((ballot) => ballot.filter((id) => shared.includes(id)));
      expect(rankedPairs(ballots), `round ${round}`).to.deep.equal(referenceRankedPairs(restricted));
    }
  });
});
