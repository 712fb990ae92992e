import { expect } from "chai";
import {
  averageKendallW,
  kendallW,
  kendallWFromBestFirst,
  rankMatrixFromBestFirst,
  ranksFromBestFirst,
  type BestFirstOrdering,
} from "../../../src/modules/agreement/kendall-w.js";

const TOLERANCE = 1e-9;

/**
 * Siegel, S. (1956). Nonparametric Statistics for the Behavioral Sciences, Kendall coefficient of concordance: three
 * executives each rank six job applicants (a–f), no ties. Published W = 0.16.
 *   X: 1 6 3 2 5 4      rank sums R = 8, 14, 11, 11, 11, 8;  mean m(n+1)/2 = 3·7/2 = 10.5
 *   Y: 1 5 6 4 2 3      S = 2.5² + 3.5² + 0.5² + 0.5² + 0.5² + 2.5² = 25.5
 *   Z: 6 3 2 5 4 1      W = 12·25.5 / (3²·(6³ − 6)) = 306/1890 = 0.161905;  χ² = 3·5·W = 2.428571 (5 df)
 */
const SIEGEL_EXECUTIVES = [
  [1, 6, 3, 2, 5, 4],
  [1, 5, 6, 4, 2, 3],
  [6, 3, 2, 5, 4, 1],
];

/**
 * ProofWiki, "Kendall's Coefficient of Concordance/Examples/Arbitrary Example 1": four judges A–D rank three
 * competitors X, Y, Z. Published W = 1/16.
 *   rank sums X = 1+1+2+3 = 7, Y = 3+2+3+1 = 9, Z = 2+3+1+2 = 8;  mean 4·4/2 = 8;  S = 1 + 1 + 0 = 2
 *   W = 12·2 / (4²·(3³ − 3)) = 24/384 = 1/16;  χ² = 4·2·(1/16) = 0.5 (2 df)
 */
const PROOFWIKI_JUDGES = [
  [1, 3, 2],
  [1, 2, 3],
  [2, 3, 1],
  [3, 1, 2],
];

/**
 * NAG Library, routine G08DAF (nagf_nonpar_concordance_kendall), example program results: three comparisons of ten
 * objects, with ties (the ranks below are NAG's printed data values). Published: W = 0.828, significance 0.008.
 *   tie groups: row 1 {4.5×2, 7.5×2} → T1 = 6 + 6 = 12;  row 2 {2.5×2, 4.5×2, 6.5×2} → T2 = 18;
 *               row 3 {4.5×4, 8×3} → T3 = 60 + 24 = 84;  Σ T = 114
 *   rank sums R = 5.5, 6.5, 9, 13.5, 12, 20, 23, 23.5, 25.5, 26.5;  mean 3·11/2 = 16.5
 *   S = 121 + 100 + 56.25 + 9 + 20.25 + 12.25 + 42.25 + 49 + 81 + 100 = 591
 *   W = 12·591 / (9·990 − 3·114) = 7092/8568 = 0.827731   (without the tie correction: 7092/8910 = 0.795960)
 *   χ² = 3·9·W = 22.348739 (9 df; upper tail ≈ 0.008, as published)
 */
const NAG_G08DAF_TIED = [
  [1.0, 4.5, 2.0, 4.5, 3.0, 7.5, 6.0, 9.0, 7.5, 10.0],
  [2.5, 1.0, 2.5, 4.5, 4.5, 8.0, 9.0, 6.5, 10.0, 6.5],
  [2.0, 1.0, 4.5, 4.5, 4.5, 4.5, 8.0, 8.0, 8.0, 10.0],
];
const NAG_OBJECTS = ["o1", "o2", "o3", "o4", "o5", "o6", "o7", "o8", "o9", "o10"];
/** The same three rows written best-first, tie groups as nested arrays. */
const NAG_BEST_FIRST: BestFirstOrdering[] = [
  ["o1", "o3", "o5", ["o2", "o4"], "o7", ["o6", "o9"], "o8", "o10"],
  ["o2", ["o1", "o3"], ["o4", "o5"], ["o8", "o10"], "o6", "o7", "o9"],
  ["o2", "o1", ["o3", "o4", "o5", "o6"], ["o7", "o8", "o9"], "o10"],
];

describe("kendallW", () => {
  describe("published worked examples", () => {
    it("Siegel (1956), 3 executives × 6 applicants without ties: W = 0.16", () => {
      const result = kendallW(SIEGEL_EXECUTIVES);
      expect(result.w).to.be.closeTo(306 / 1890, TOLERANCE);
      expect(result.w!.toFixed(2)).to.equal("0.16");
      expect(result.rankSumSquaredDeviation).to.equal(25.5);
      expect(result.tieCorrection).to.equal(0);
      expect(result.chiSquare).to.be.closeTo((3 * 5 * 306) / 1890, TOLERANCE);
      expect(result.degreesOfFreedom).to.equal(5);
      expect(result.raters).to.equal(3);
      expect(result.items).to.equal(6);
    });

    it("ProofWiki, 4 judges × 3 competitors: W = 1/16", () => {
      const result = kendallW(PROOFWIKI_JUDGES);
      expect(result.w).to.equal(1 / 16);
      expect(result.rankSumSquaredDeviation).to.equal(2);
      expect(result.chiSquare).to.equal(0.5);
      expect(result.degreesOfFreedom).to.equal(2);
    });

    it("NAG G08DAF, 3 comparisons × 10 objects with ties: tie-corrected W = 0.828", () => {
      const result = kendallW(NAG_G08DAF_TIED);
      expect(result.tieCorrection).to.equal(114);
      expect(result.rankSumSquaredDeviation).to.equal(591);
      expect(result.w).to.be.closeTo(7092 / 8568, TOLERANCE);
      expect(result.w!.toFixed(3)).to.equal("0.828");
      expect(result.chiSquare).to.be.closeTo((27 * 7092) / 8568, TOLERANCE);
      expect(result.degreesOfFreedom).to.equal(9);
    });
  });

  describe("degenerate inputs", () => {
    it("gives W = 1 when all raters agree, without and with ties", () => {
      const same = [1, 2, 3, 4, 5];
      expect(kendallW([same, same, same]).w).to.equal(1);
      // Ties: each rater has one pair tied, T_j = 2³ − 2 = 6, Σ T = 18.  R = 4.5, 4.5, 9, 12, mean 7.5,
      // S = 9 + 9 + 2.25 + 20.25 = 40.5.  Uncorrected W would be 12·40.5 / (9·60) = 0.9;
      // corrected W = 486 / (9·60 − 3·18) = 486/486 = 1.
      const tied = [1.5, 1.5, 3, 4];
      const result = kendallW([tied, tied, tied]);
      expect(result.tieCorrection).to.equal(18);
      expect(result.w).to.equal(1);
      expect(result.chiSquare).to.equal(9);
    });

    it("gives W = 0 for two raters in exactly reverse order", () => {
      // Every rank sum is n + 1 = 5, so S = 0.
      const result = kendallW([
        [1, 2, 3, 4],
        [4, 3, 2, 1],
      ]);
      expect(result.w).to.equal(0);
      expect(result.chiSquare).to.equal(0);
      expect(result.rankSumSquaredDeviation).to.equal(0);
    });

    it("is null with a single rater", () => {
      const result = kendallW([[1, 2, 3]]);
      expect(result.w).to.equal(null);
      expect(result.chiSquare).to.equal(null);
      expect(result.raters).to.equal(1);
      expect(result.degreesOfFreedom).to.equal(2);
    });

    it("is null with no raters or a single item", () => {
      expect(kendallW([])).to.deep.equal({
        w: null,
        chiSquare: null,
        raters: 0,
        items: 0,
        degreesOfFreedom: 0,
        rankSumSquaredDeviation: 0,
        tieCorrection: 0,
      });
      const oneItem = kendallW([[1], [1], [1]]);
      expect(oneItem.w).to.equal(null);
      expect(oneItem.degreesOfFreedom).to.equal(0);
    });

    it("is null when every rater ties every item (the corrected denominator is 0)", () => {
      const result = kendallW([
        [2, 2, 2],
        [2, 2, 2],
      ]);
      expect(result.w).to.equal(null);
      expect(result.tieCorrection).to.equal(48);
    });

    it("counts a rater who ties everything as expressing no order", () => {
      // T = 24 for the all-tied rater; denominator 4·24 − 2·24 = 48; R = 3, 4, 5, S = 2; W = 24/48 = 0.5.
      expect(
        kendallW([
          [2, 2, 2],
          [1, 2, 3],
        ]).w,
      ).to.equal(0.5);
    });
  });

  describe("input checks", () => {
    it("rejects rows of different lengths", () => {
      expect(() =>
        kendallW([
          [1, 2, 3],
          [1, 2],
        ]),
      ).to.throw(RangeError, /Rater 1 ranked 2 items, expected 3/);
    });

    it("rejects rows that are not rankings of 1..n with average ranks for ties", () => {
      expect(() =>
        kendallW([
          [1, 2, 3],
          [1, 1, 3],
        ]),
      ).to.throw(RangeError, /2 item\(s\) at rank 1 where 1.5/);
      expect(() =>
        kendallW([
          [1, 2, 3],
          [0, 1, 2],
        ]),
      ).to.throw(RangeError, /not a ranking of 1..3/);
      expect(() =>
        kendallW([
          [1, 2, 3],
          [1, 2, 4],
        ]),
      ).to.throw(RangeError, /not a ranking/);
      expect(() =>
        kendallW([
          [1, 2, 3],
          [1, 2, Number.NaN],
        ]),
      ).to.throw(RangeError, /non-finite/);
    });
  });
});

describe("best-first orderings", () => {
  it("converts each NAG row from its best-first form, tie groups getting average ranks", () => {
    NAG_BEST_FIRST.forEach((ordering, row) => {
      expect(ranksFromBestFirst(ordering, NAG_OBJECTS)).to.deep.equal(NAG_G08DAF_TIED[row]);
    });
  });

  it("gives the published W = 0.828 from best-first lists", () => {
    expect(kendallWFromBestFirst(NAG_BEST_FIRST, NAG_OBJECTS).w).to.be.closeTo(7092 / 8568, TOLERANCE);
    // Without an explicit item set the columns follow the first ordering; W does not depend on column order.
    expect(kendallWFromBestFirst(NAG_BEST_FIRST).w).to.be.closeTo(7092 / 8568, TOLERANCE);
  });

  it("takes the item set and column order from the first ordering when none is given", () => {
    expect(
      rankMatrixFromBestFirst([
        ["b", ["a", "c"]],
        ["a", "b", "c"],
      ]),
    ).to.deep.equal({
      items: ["b", "a", "c"],
      rankings: [
        [1, 2.5, 2.5],
        [2, 1, 3],
      ],
    });
    expect(rankMatrixFromBestFirst([])).to.deep.equal({ items: [], rankings: [] });
  });

  it("rejects unknown, repeated, missing and empty entries", () => {
    const items = ["a", "b", "c"];
    expect(() => ranksFromBestFirst(["a", "b", "z"], items)).to.throw(RangeError, /"z" is not in the common item set/);
    expect(() => ranksFromBestFirst(["a", ["b", "a"], "c"], items)).to.throw(RangeError, /"a" appears more than once/);
    expect(() => ranksFromBestFirst(["a", "b"], items)).to.throw(RangeError, /does not rank item\(s\) "c"/);
    expect(() => ranksFromBestFirst(["a", [], "b", "c"], items)).to.throw(RangeError, /empty tie group/);
    expect(() => ranksFromBestFirst(["a"], ["a", "a"])).to.throw(RangeError, /listed twice/);
  });

  it("rejects raters whose orderings cover different item sets", () => {
    expect(() =>
      kendallWFromBestFirst([
        ["a", "b"],
        ["a", "c"],
      ]),
    ).to.throw(RangeError, /"c" is not in the common item set/);
  });
});

describe("averageKendallW", () => {
  it("averages W over groups with a defined W and counts the degenerate ones", () => {
    const identical = [
      [1, 2, 3],
      [1, 2, 3],
    ];
    const reversed = [
      [1, 2, 3],
      [3, 2, 1],
    ];
    const singleRater = [[1, 2, 3]];
    const allTied = [
      [1.5, 1.5],
      [1.5, 1.5],
    ];
    const result = averageKendallW([identical, reversed, PROOFWIKI_JUDGES, singleRater, allTied]);
    // (1 + 0 + 1/16) / 3 = 17/48
    expect(result.meanW).to.be.closeTo(17 / 48, TOLERANCE);
    expect(result.groupsUsed).to.equal(3);
    expect(result.groupsSkipped).to.equal(2);
    expect(result.results.map((group) => group.w)).to.deep.equal([1, 0, 1 / 16, null, null]);
  });

  it("weights each group once regardless of its number of raters", () => {
    const manyRaters = Array.from({ length: 10 }, () => [1, 2, 3]);
    const result = averageKendallW([
      manyRaters,
      [
        [1, 2],
        [2, 1],
      ],
    ]);
    expect(result.meanW).to.equal(0.5);
  });

  it("gives null when no group is usable", () => {
    expect(averageKendallW([])).to.deep.equal({ meanW: null, groupsUsed: 0, groupsSkipped: 0, results: [] });
    expect(averageKendallW([[[1, 2]]]).meanW).to.equal(null);
    expect(averageKendallW([[[1, 2]]]).groupsSkipped).to.equal(1);
  });

  it("throws on a malformed group rather than skipping it", () => {
    expect(() =>
      averageKendallW([
        [
          [1, 2],
          [1, 1],
        ],
      ]),
    ).to.throw(RangeError);
  });
});
