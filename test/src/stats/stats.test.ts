/**
 * The report's tests against values computed independently. Reference numbers come from scipy 1.17.1
 * (python3 on the dev machine, 2026-12-04):
 *   stats.binomtest(k, n, 0.5).pvalue · stats.norm.cdf / ppf · stats.t.cdf(t, df)
 *   Williams' t: the Steiger (1980) eq. 14 formula written in numpy, p = 2·stats.t.sf(|t|, n − 3)
 * Holm's values are worked by hand (in the test's comment).
 */
import { describe, expect, it } from 'vitest';
import { binomialCdf, binomialTwoSidedHalf, normalCdf, normalQuantile, studentTCdf } from '../../../src/stats/distributions.ts';
import { williamsTest } from '../../../src/stats/dependent-correlations.ts';
import { holmAdjust } from '../../../src/stats/holm.ts';
import { differences, mcnemarExact, mcnemarFloor, minimalDetectableEffect, pairedBootstrap } from '../../../src/stats/paired.ts';

describe('distributions (scipy reference values)', () => {
  it('exact binomial at ½', () => {
    expect(binomialTwoSidedHalf(2, 10)).toBeCloseTo(0.109375, 12);
    expect(binomialTwoSidedHalf(0, 6)).toBeCloseTo(0.03125, 12);
    expect(binomialTwoSidedHalf(5, 10)).toBe(1);
    expect(binomialTwoSidedHalf(1, 20)).toBeCloseTo(4.00543212890625e-5, 15);
    expect(binomialTwoSidedHalf(460, 1000)).toBeCloseTo(0.012444146277171799, 10);
    expect(binomialTwoSidedHalf(0, 0)).toBe(1);
    expect(() => binomialTwoSidedHalf(3, 2)).toThrow('binomialTwoSidedHalf: need integers 0 ≤ k ≤ n, got k=3, n=2');
  });
  it('binomial CDF (scipy stats.binom.cdf)', () => {
    expect(binomialCdf(0, 16, 0.05)).toBeCloseTo(0.4401266686517657, 12);
    expect(binomialCdf(3, 128, 0.05)).toBeCloseTo(0.11267670131110824, 12);
    expect(binomialCdf(57, 128, 0.05)).toBeCloseTo(1, 12);
    expect(binomialCdf(-1, 5, 0.5)).toBe(0);
  });
  it('normal CDF and quantile', () => {
    const cdf: [number, number][] = [
      [-3.2, 0.0006871379379158471],
      [-1, 0.15865525393145707],
      [0, 0.5],
      [0.5, 0.6914624612740131],
      [1.959963984540054, 0.975],
      [4, 0.9999683287581669],
    ];
    for (const [z, p] of cdf) expect(Math.abs(normalCdf(z) - p)).toBeLessThan(2e-7);
    const q: [number, number][] = [
      [1e-6, -4.753424308822899],
      [0.001, -3.090232306167813],
      [0.025, -1.9599639845400545],
      [0.3, -0.5244005127080409],
      [0.8, 0.8416212335729143],
      [0.9999, 3.719016485455709],
    ];
    for (const [p, z] of q) expect(Math.abs(normalQuantile(p) - z)).toBeLessThan(1e-6);
    expect(() => normalQuantile(1)).toThrow('normalQuantile: p must lie in (0, 1), got 1');
  });
  it("Student's t CDF", () => {
    const ref: [number, number, number][] = [
      [-2.1, 5, 0.044876624942299395],
      [1.3, 125, 0.9020034860419908],
      [-0.5, 2, 0.33333333333333337],
      [3.7, 2497, 0.99988987207124],
      [0, 7, 0.5],
    ];
    for (const [t, df, p] of ref) expect(studentTCdf(t, df)).toBeCloseTo(p, 10);
  });
});

describe('McNemar exact', () => {
  it('counts discordant pairs, pools strata and skips unscored puzzles', () => {
    // x right / y wrong twice, y right / x wrong eight times: binomtest(2, 10) = 0.109375.
    const x = [1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0];
    const y = [0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0];
    const m = mcnemarExact([{ x, y }]);
    expect(m).toMatchObject({ n: 12, onlyX: 2, onlyY: 8, difference: 0.5 });
    expect(m.p).toBeCloseTo(0.109375, 12);
    const split = mcnemarExact([
      { x: x.slice(0, 6), y: y.slice(0, 6) },
      { x: [...x.slice(6), null], y: [...y.slice(6), 1] },
    ]);
    expect(split).toMatchObject({ n: 12, onlyX: 2, onlyY: 8, p: m.p });
  });
  it('all-equal pairs and n = 0 give p = 1', () => {
    expect(mcnemarExact([{ x: [1, 0, 1], y: [1, 0, 1] }])).toEqual({ n: 3, onlyX: 0, onlyY: 0, difference: 0, p: 1 });
    expect(mcnemarExact([{ x: [], y: [] }])).toEqual({ n: 0, onlyX: 0, onlyY: 0, difference: 0, p: 1 });
    expect(mcnemarExact([])).toMatchObject({ n: 0, p: 1 });
  });
  it('refuses mismatched or non-binary input', () => {
    expect(() => mcnemarExact([{ x: [1], y: [1, 0] }])).toThrow('mcnemarExact: the two outcome vectors differ in length (1 vs 2)');
    expect(() => mcnemarExact([{ x: [0.5], y: [1] }])).toThrow('mcnemarExact: outcomes must be 0 or 1, got 0.5 and 1 at puzzle 0');
  });
  it('the floor: 6 one-way discordant pairs are the fewest that reach p < 0.05', () => {
    expect(binomialTwoSidedHalf(0, 5)).toBeGreaterThan(0.05);
    expect(binomialTwoSidedHalf(0, 6)).toBeLessThan(0.05);
    expect(mcnemarFloor(8, 0.05)).toBe(6 / 8);
    expect(mcnemarFloor(5, 0.05)).toBe(Infinity);
    expect(mcnemarFloor(100, 0.01)).toBe(0.08); // 2·½^8 = 0.0078 < 0.01 < 2·½^7
  });
});

describe('paired bootstrap', () => {
  it('all-equal differences: estimate 0, interval [0, 0], p = 1; n = 0 likewise', () => {
    expect(pairedBootstrap([[0, 0, 0, 0]], { reps: 200 })).toMatchObject({ n: 4, estimate: 0, ci95: [0, 0], se: 0, p: 1 });
    expect(pairedBootstrap([[]])).toMatchObject({ n: 0, estimate: 0, p: 1, reps: 0 });
    expect(pairedBootstrap([])).toMatchObject({ n: 0, p: 1 });
  });
  it('every difference positive: p at its floor 1/reps', () => {
    expect(pairedBootstrap([[1, 1, 1]], { reps: 500 }).p).toBe(1 / 500);
  });
  it('matches the analytic standard error of a mean and is seeded', () => {
    // 40 values, 20 ones and 20 zeros: sd (population) 0.5, so se of the mean ≈ 0.5/√40 = 0.0791.
    const v = Array.from({ length: 40 }, (_, i) => i % 2);
    const b = pairedBootstrap([v], { reps: 4000, seed: 7 });
    expect(b.estimate).toBe(0.5);
    expect(b.se).toBeGreaterThan(0.0791 * 0.93);
    expect(b.se).toBeLessThan(0.0791 * 1.07);
    expect(b.ci95[0]).toBeGreaterThan(0.3);
    expect(b.ci95[1]).toBeLessThan(0.7);
    expect(pairedBootstrap([v], { reps: 4000, seed: 7 })).toEqual(b);
  });
  it('resamples seeds too: two seeds that disagree widen the interval over one seed of the pooled values', () => {
    const a = Array.from({ length: 50 }, () => 1);
    const b = Array.from({ length: 50 }, () => 0);
    const pooledOneSeed = pairedBootstrap([[...a, ...b]], { reps: 2000 });
    const twoSeeds = pairedBootstrap([a, b], { reps: 2000 });
    expect(twoSeeds.estimate).toBe(0.5);
    expect(twoSeeds.seeds).toBe(2);
    expect(twoSeeds.se).toBeGreaterThan(3 * pooledOneSeed.se); // seed-to-seed spread dominates
  });
  it('differences drop unscored pairs', () => {
    expect(differences([{ x: [0, 1, null], y: [1, 1, 0] }])).toEqual([[1, 0]]);
  });
  it('minimal detectable effect: (z_0.975 + z_0.8)·se', () => {
    expect(minimalDetectableEffect(0.1, 0.05)).toBeCloseTo(0.1 * (1.959963984540054 + 0.8416212335729143), 6);
  });
});

describe("Williams' test of dependent correlations (numpy/scipy formula)", () => {
  it('matches the reference t and p', () => {
    const ref: [number, number, number, number, number, number][] = [
      [0.4, 0.2, 0.5, 100, 2.1398574060840647, 0.0348750480358542],
      [0.12, 0.032, 0.3, 128, 0.8371268236353698, 0.4041189137953116],
      [0.5, 0.3, 0.1, 2500, 8.626051029956251, 1.1097404124508946e-17],
    ];
    for (const [rxy, rxz, ryz, n, t, p] of ref) {
      const w = williamsTest(rxy, rxz, ryz, n);
      expect(w.t).toBeCloseTo(t, 10);
      expect(w.p / p).toBeCloseTo(1, 6);
    }
  });
  it('equal correlations give t 0 and p 1; undefined r or n ≤ 3 give p 1', () => {
    expect(williamsTest(0.3, 0.3, 0.6, 50)).toMatchObject({ t: 0, p: 1 });
    expect(williamsTest(NaN, 0.3, 0.6, 50).p).toBe(1);
    expect(williamsTest(0.9, 0.1, 0.2, 3).p).toBe(1);
    expect(williamsTest(0.3, 0.1, 0.2, 0)).toMatchObject({ p: 1, mde: Infinity });
  });
});

describe('Holm', () => {
  it('hand-worked: sorted 0.005·5, 0.01·4, 0.03·3, 0.04·2 (raised to 0.09), 0.5·1', () => {
    const adj = holmAdjust([0.01, 0.04, 0.03, 0.005, 0.5]);
    const want = [0.04, 0.09, 0.09, 0.025, 0.5];
    adj.forEach((p, i) => expect(p).toBeCloseTo(want[i], 12));
    expect(holmAdjust([])).toEqual([]);
    expect(holmAdjust([0.6, 0.7])).toEqual([1, 1]);
    expect(() => holmAdjust([NaN])).toThrow('holmAdjust: p-values must lie in [0, 1], got NaN');
  });
});
