import { expect } from "chai";
import {
  krippendorffAlpha,
  krippendorffAlphaFromMatrix,
  unitsFromMatrix,
  type KrippendorffMetric,
  type RatingValue,
} from "../../../src/modules/agreement/krippendorff.js";

const TOLERANCE = 1e-9;
const _ = null; // a missing value, so the matrices below line up like the published tables

/**
 * Krippendorff, K. (2011). "Computing Krippendorff's Alpha-Reliability", section E (nominal data, any number of
 * observers, missing data), and the same data for the other metrics. Rows: observers A, B, C, D; columns: units 1–12.
 * Unit 12 holds a single value, so it is unpairable and dropped (some reproductions, e.g. R irr's kripp.alpha example,
 * put that lone 3 under observer C; it makes no difference).
 *
 * Worked by hand. Pairable units 1–11 hold n = 40 values. Coincidences (each pair weighted 1 / (m_u − 1)):
 *   o11 = 7, o22 = 10, o33 = 8, o44 = 4, o55 = 3,
 *   o12 = o21 = 4/3, o23 = o32 = 4/3, o13 = o14 = o24 = o34 = 1/3 (and symmetric), o_k5 = 0 for k ≠ 5,
 *   marginals n_1..n_5 = 9, 13, 10, 5, 3 (as printed in the paper).
 * Nominal:  Σ_{c≠k} o_ck = 40 − 32 = 8;  Σ_{c≠k} n_c n_k = 40² − (81+169+100+25+9) = 1216
 *           α = 1 − (n − 1) · 8 / 1216 = 1 − 312/1216 = 0.743421  (published: 0.743)
 *           D_o = 8/40 = 0.2,  D_e = 1216 / (40·39) = 0.779487
 * Interval: Σ o_ck (c−k)² = 2·(4/3·1 + 1/3·4 + 1/3·9 + 4/3·1 + 1/3·4 + 1/3·1) = 52/3
 *           Σ n_c n_k (c−k)² = 2·(117+360+405+432+130+260+351+50+120+15) = 4480
 *           α = 1 − 39 · (52/3) / 4480 = 1 − 676/4480 = 0.849107  (published: 0.849)
 * Ordinal:  δ² = (Σ_{g=c..k} n_g − (n_c+n_k)/2)²: δ²12 = 121, δ²13 = 506.25, δ²14 = 900, δ²15 = 1156, δ²23 = 132.25,
 *           δ²24 = 361, δ²25 = 529, δ²34 = 56.25, δ²35 = 132.25, δ²45 = 16
 *           Σ o_ck δ² = 1891;  Σ n_c n_k δ² = 399480;  α = 1 − 39 · 1891 / 399480 = 0.815388  (published: 0.815)
 * Ratio:    δ² = ((c−k)/(c+k))²;  Σ o_ck δ² = 59357/66150 = 0.897309;  Σ n_c n_k δ² = 4570493/26460 = 172.732162
 *           α = 1 − 39 · 0.897309 / 172.732162 = 18222619/22852465 = 0.797403  (published: 0.797)
 */
const KRIPPENDORFF_2011: (number | null)[][] = [
  [1, 2, 3, 3, 2, 1, 4, 1, 2, _, _, _],
  [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, _, 3],
  [_, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, _],
  [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, _],
];

/**
 * Wikipedia, "Krippendorff's alpha", section "A computational example" (3 coders × 15 units, with missing data).
 * Published: α_nominal = 0.691, α_interval = 0.811 (the fast-krippendorff package's tests pin 0.691358 and 0.810845).
 *
 * Worked by hand. Pairable units: 3–13 and 15 (12 units); unit 1 has one value, units 2 and 14 none, so 3 are dropped.
 * Coincidences: o11 = 6, o13 = o31 = 1, o22 = 4, o33 = 7, o34 = o43 = 2, o44 = 3;  n_1..n_4 = 7, 4, 10, 5;  n = 26.
 * Nominal:  Σ_{c≠k} o_ck = 6;  Σ_{c≠k} n_c n_k = 26² − (49+16+100+25) = 486;  α = 1 − 25·6/486 = 56/81 = 0.691358
 * Interval: Σ o_ck (c−k)² = 2·(1·4 + 2·1) = 12;  Σ n_c n_k (c−k)² = 2·(28+280+315+40+80+50) = 1586
 *           α = 1 − 25·12/1586 = 0.810845
 */
const WIKIPEDIA_EXAMPLE: (number | null)[][] = [
  [_, _, _, _, _, 3, 4, 1, 2, 1, 1, 3, 3, _, 3],
  [1, _, 2, 1, 3, 3, 4, 3, _, _, _, _, _, _, _],
  [_, _, 2, 1, 3, 4, 4, _, 2, 1, 1, 3, 3, _, 4],
];

describe("krippendorffAlpha", () => {
  describe("Krippendorff (2011) 4 observers × 12 units with missing data", () => {
    it("gives nominal α = 0.743 with the published coincidence marginals", () => {
      const result = krippendorffAlphaFromMatrix(KRIPPENDORFF_2011, "nominal");
      expect(result.alpha).to.be.closeTo(1 - 312 / 1216, TOLERANCE);
      expect(result.alpha!.toFixed(3)).to.equal("0.743");
      expect(result.observedDisagreement).to.be.closeTo(8 / 40, TOLERANCE);
      expect(result.expectedDisagreement).to.be.closeTo(1216 / 1560, TOLERANCE);
      expect(result.pairableValues).to.equal(40);
      expect(result.units).to.equal(11);
      expect(result.droppedUnits).to.equal(1);
      expect(result.raters).to.equal(4);
      expect(result.valueFrequencies).to.deep.equal([
        { value: 1, frequency: 9 },
        { value: 2, frequency: 13 },
        { value: 3, frequency: 10 },
        { value: 4, frequency: 5 },
        { value: 5, frequency: 3 },
      ]);
    });

    it("gives interval α = 0.849", () => {
      const result = krippendorffAlphaFromMatrix(KRIPPENDORFF_2011, "interval");
      expect(result.alpha).to.be.closeTo(1 - 676 / 4480, TOLERANCE);
      expect(result.alpha!.toFixed(3)).to.equal("0.849");
      expect(result.observedDisagreement).to.be.closeTo(52 / 3 / 40, TOLERANCE);
      expect(result.expectedDisagreement).to.be.closeTo(4480 / 1560, TOLERANCE);
    });

    it("gives ordinal α = 0.815", () => {
      const result = krippendorffAlphaFromMatrix(KRIPPENDORFF_2011, "ordinal");
      expect(result.alpha).to.be.closeTo(1 - (39 * 1891) / 399480, TOLERANCE);
      expect(result.alpha!.toFixed(3)).to.equal("0.815");
    });

    it("gives ratio α = 0.797", () => {
      const result = krippendorffAlphaFromMatrix(KRIPPENDORFF_2011, "ratio");
      expect(result.alpha).to.be.closeTo(18222619 / 22852465, TOLERANCE);
      expect(result.alpha!.toFixed(3)).to.equal("0.797");
    });

    it("gives the same result from the (rater, value) unit-list form, with rater names", () => {
      const observers = ["A", "B", "C", "D"];
      const units = KRIPPENDORFF_2011[0].map((__, unitIndex) =>
        observers.flatMap((raterId, row) => {
          const value = KRIPPENDORFF_2011[row][unitIndex];
          return value === null ? [] : [{ raterId, value }];
        }),
      );
      for (const metric of ["nominal", "ordinal", "interval", "ratio"] as const) {
        expect(krippendorffAlpha(units, metric)).to.deep.equal(krippendorffAlphaFromMatrix(KRIPPENDORFF_2011, metric));
      }
    });

    it("is unaffected by the unpairable unit 12 (dropping it changes nothing but the dropped count)", () => {
      const withoutUnit12 = KRIPPENDORFF_2011.map((row) => row.slice(0, 11));
      const full = krippendorffAlphaFromMatrix(KRIPPENDORFF_2011, "interval");
      const trimmed = krippendorffAlphaFromMatrix(withoutUnit12, "interval");
      expect(trimmed).to.deep.equal({ ...full, droppedUnits: 0 });
    });
  });

  describe("Wikipedia computational example, 3 coders × 15 units", () => {
    it("gives nominal α = 0.691", () => {
      const result = krippendorffAlphaFromMatrix(WIKIPEDIA_EXAMPLE, "nominal");
      expect(result.alpha).to.be.closeTo(56 / 81, TOLERANCE);
      expect(result.alpha!.toFixed(6)).to.equal("0.691358");
      expect(result.pairableValues).to.equal(26);
      expect(result.units).to.equal(12);
      expect(result.droppedUnits).to.equal(3);
      expect(result.raters).to.equal(3);
      expect(result.valueFrequencies.map((entry) => entry.frequency)).to.deep.equal([7, 4, 10, 5]);
    });

    it("gives interval α = 0.811", () => {
      const result = krippendorffAlphaFromMatrix(WIKIPEDIA_EXAMPLE, "interval");
      expect(result.alpha).to.be.closeTo(1 - 300 / 1586, TOLERANCE);
      expect(result.alpha!.toFixed(6)).to.equal("0.810845");
    });

    it("treats string labels as nominal categories (same α with the values renamed)", () => {
      const names: Record<number, string> = { 1: "spam", 2: "toxic", 3: "ok", 4: "great" };
      const labelled = WIKIPEDIA_EXAMPLE.map((row) => row.map((value) => (value === null ? null : names[value])));
      expect(krippendorffAlphaFromMatrix(labelled, "nominal").alpha).to.be.closeTo(56 / 81, TOLERANCE);
    });
  });

  describe("degenerate inputs", () => {
    const allMetrics: KrippendorffMetric[] = ["nominal", "ordinal", "interval", "ratio"];

    it("returns null everywhere when there are no units", () => {
      expect(krippendorffAlpha([], "nominal")).to.deep.equal({
        alpha: null,
        metric: "nominal",
        units: 0,
        droppedUnits: 0,
        raters: 0,
        pairableValues: 0,
        observedDisagreement: null,
        expectedDisagreement: null,
        valueFrequencies: [],
      });
    });

    it("returns null with a single rater: no unit has two values to pair", () => {
      const result = krippendorffAlphaFromMatrix([[1, 2, 3, 4]], "interval");
      expect(result.alpha).to.equal(null);
      expect(result.observedDisagreement).to.equal(null);
      expect(result.expectedDisagreement).to.equal(null);
      expect(result.pairableValues).to.equal(0);
      expect(result.units).to.equal(0);
      expect(result.droppedUnits).to.equal(4);
      expect(result.raters).to.equal(0);
    });

    it("returns null when several raters never rate the same unit", () => {
      const result = krippendorffAlphaFromMatrix(
        [
          [1, _, _],
          [_, 2, _],
          [_, _, 3],
        ],
        "nominal",
      );
      expect(result.alpha).to.equal(null);
      expect(result.droppedUnits).to.equal(3);
    });

    it("returns null when every pairable value is the same (D_o = D_e = 0: no variation)", () => {
      for (const metric of allMetrics) {
        const result = krippendorffAlphaFromMatrix(
          [
            [2, 2, 2],
            [2, 2, _],
            [2, 2, 2],
          ],
          metric,
        );
        expect(result.alpha, metric).to.equal(null);
        expect(result.observedDisagreement, metric).to.equal(0);
        expect(result.expectedDisagreement, metric).to.equal(0);
        expect(result.pairableValues, metric).to.equal(8);
      }
    });

    it("returns null for all-zero ratio data (0 vs 0 is no difference)", () => {
      expect(
        krippendorffAlphaFromMatrix(
          [
            [0, 0],
            [0, 0],
          ],
          "ratio",
        ).alpha,
      ).to.equal(null);
    });

    it("gives α = 0 for a single unit with two different values", () => {
      // n = 2, n_1 = n_2 = 1, o12 = o21 = 1: D_o = 2δ²/2 = δ², D_e = 2δ²/(2·1) = δ², so α = 1 − 1 = 0 for any metric.
      for (const metric of allMetrics) {
        const result = krippendorffAlpha(
          [
            [
              { raterId: "a", value: 1 },
              { raterId: "b", value: 3 },
            ],
          ],
          metric,
        );
        expect(result.alpha, metric).to.be.closeTo(0, TOLERANCE);
        expect(result.units, metric).to.equal(1);
      }
    });

    it("gives α = null for a single unit whose values agree (no variation to compare against)", () => {
      const result = krippendorffAlpha(
        [
          [
            { raterId: "a", value: 4 },
            { raterId: "b", value: 4 },
          ],
        ],
        "nominal",
      );
      expect(result.alpha).to.equal(null);
    });

    it("gives α = 1 for two raters in perfect agreement, for every metric", () => {
      for (const metric of allMetrics) {
        const result = krippendorffAlphaFromMatrix(
          [
            [1, 2, 3, 4, 5],
            [1, 2, 3, 4, 5],
          ],
          metric,
        );
        expect(result.alpha, metric).to.equal(1);
        expect(result.observedDisagreement, metric).to.equal(0);
      }
    });

    it("gives α = 1 for perfect agreement with missing values; lone values are dropped", () => {
      const result = krippendorffAlphaFromMatrix(
        [
          [1, 2, _, 3, 5],
          [1, 2, 4, _, _],
          [_, 2, 4, 3, _],
        ],
        "nominal",
      );
      expect(result.alpha).to.equal(1);
      expect(result.units).to.equal(4);
      expect(result.droppedUnits).to.equal(1);
      expect(result.pairableValues).to.equal(9);
    });

    it("goes negative for systematic disagreement (two raters always swapping a binary value)", () => {
      // Units (0,1), (1,0): n_0 = n_1 = 2, o01 = o10 = 2.  D_o = 4/4 = 1,  D_e = 2·2·2/(4·3) = 2/3,  α = 1 − 3/2 = −0.5.
      const twoUnits = krippendorffAlphaFromMatrix(
        [
          [0, 1],
          [1, 0],
        ],
        "nominal",
      );
      expect(twoUnits.alpha).to.be.closeTo(-0.5, TOLERANCE);
      // Units (0,1), (1,0), (0,1): n_0 = n_1 = 3, o01 = o10 = 3.  D_o = 1,  D_e = 2·9/(6·5) = 0.6,  α = −2/3.
      // In general N such units give α = 1 − (2N − 1)/N, tending to −1.
      const threeUnits = krippendorffAlphaFromMatrix(
        [
          [0, 1, 0],
          [1, 0, 1],
        ],
        "nominal",
      );
      expect(threeUnits.alpha).to.be.closeTo(-2 / 3, TOLERANCE);
      // With 0/1 values the interval δ² equals the nominal one, so the interval α is the same.
      expect(
        krippendorffAlphaFromMatrix(
          [
            [0, 1, 0],
            [1, 0, 1],
          ],
          "interval",
        ).alpha,
      ).to.be.closeTo(-2 / 3, TOLERANCE);
    });

    it("credits near misses under the interval metric but not under the nominal one", () => {
      // Two raters, units (1,1), (2,2), (3,4), (5,5): one off-by-one disagreement.
      // n = 8, n_1 = 2, n_2 = 2, n_3 = 1, n_4 = 1, n_5 = 2; o34 = o43 = 1.
      // Nominal:  α = 1 − 7·2 / (64 − (4+4+1+1+4)) = 1 − 14/50 = 0.72.
      // Interval: Σ o δ² = 2;  Σ n_c n_k (c−k)² = 2·(4·1 + 2·4 + 2·9 + 4·16 + 2·1 + 2·4 + 4·9 + 1·1 + 2·4 + 2·1) = 302;
      //           α = 1 − 7·2/302 = 0.953642.
      const matrix = [
        [1, 2, 3, 5],
        [1, 2, 4, 5],
      ];
      expect(krippendorffAlphaFromMatrix(matrix, "nominal").alpha).to.be.closeTo(1 - 14 / 50, TOLERANCE);
      expect(krippendorffAlphaFromMatrix(matrix, "interval").alpha).to.be.closeTo(1 - 14 / 302, TOLERANCE);
    });
  });

  describe("input checks", () => {
    it("rejects a rater giving two values to one unit", () => {
      const unit = [
        { raterId: "a", value: 1 },
        { raterId: "a", value: 2 },
      ];
      expect(() => krippendorffAlpha([unit], "nominal")).to.throw(RangeError, /more than one value to unit 0/);
    });

    it("rejects strings for numeric metrics and negatives for ratio", () => {
      const strings = [
        [
          { raterId: "a", value: "x" },
          { raterId: "b", value: 1 },
        ],
      ];
      expect(() => krippendorffAlpha(strings, "interval")).to.throw(TypeError, /needs numeric values/);
      expect(() => krippendorffAlpha(strings, "ordinal")).to.throw(TypeError, /needs numeric values/);
      expect(() =>
        krippendorffAlphaFromMatrix(
          [
            [-1, 2],
            [1, 2],
          ],
          "ratio",
        ),
      ).to.throw(RangeError, /≥ 0/);
    });

    it("rejects non-finite numbers and values that are neither strings nor numbers", () => {
      expect(() =>
        krippendorffAlphaFromMatrix(
          [
            [Number.NaN, 2],
            [1, 2],
          ],
          "nominal",
        ),
      ).to.throw(RangeError, /not a finite/);
      const boolean = [
        [
          { raterId: "a", value: true as unknown as RatingValue },
          { raterId: "b", value: 1 },
        ],
      ];
      expect(() => krippendorffAlpha(boolean, "nominal")).to.throw(TypeError, /string or a number/);
    });

    it("rejects ragged matrices and unknown metrics", () => {
      expect(() =>
        krippendorffAlphaFromMatrix(
          [
            [1, 2, 3],
            [1, 2],
          ],
          "nominal",
        ),
      ).to.throw(RangeError, /row 1 has 2 units/);
      expect(() => krippendorffAlphaFromMatrix([[1], [1]], "cardinal" as KrippendorffMetric)).to.throw(RangeError, /Unknown/);
    });

    it("turns a matrix into units keyed by row index, skipping missing cells", () => {
      expect(
        unitsFromMatrix([
          [1, _],
          [2, 3],
        ]),
      ).to.deep.equal([
        [
          { raterId: "0", value: 1 },
          { raterId: "1", value: 2 },
        ],
        [{ raterId: "1", value: 3 }],
      ]);
    });
  });
});
