/**
 * Paired comparisons: the exact McNemar test against hand-computed binomial tails, the paired bootstrap
 * interval (deterministic for a seed, covering the observed difference, excluding 0 only when one side
 * dominates), pairing by sample id across runs and modes, and exact messages on bad input.
 */
import { describe, expect, it } from 'vitest';
import type { EvalRecord } from '../../../src/eval/eval-record.ts';
import { differs, mcnemarExact, pairedComparison } from '../../../src/eval/paired.ts';
import { compareRuns, perceptionLag, scoresBySample } from '../../../src/eval/paired-runs.ts';

describe('mcnemarExact', () => {
  it('is twice the smaller binomial(½) tail of the discordant pairs, capped at 1', () => {
    expect(mcnemarExact(0, 5)).toBeCloseTo(2 / 32, 12);
    expect(mcnemarExact(9, 1)).toBeCloseTo((2 * (1 + 10)) / 1024, 12);
    expect(mcnemarExact(2, 12)).toBeCloseTo((2 * (1 + 14 + 91)) / 16384, 12);
    expect(mcnemarExact(3, 3)).toBe(1);
    expect(mcnemarExact(0, 0)).toBe(1);
    expect(() => mcnemarExact(-1, 2)).toThrow('mcnemarExact: onlyA must be a non-negative integer, got -1');
  });
});

describe('pairedComparison', () => {
  const ones = (n: number) => new Array<number>(n).fill(1);
  const zeros = (n: number) => new Array<number>(n).fill(0);

  it('counts the discordant pairs and gives the same interval for the same seed', () => {
    const a = [...ones(10), ...zeros(10), ...ones(2), ...zeros(8)];
    const b = [...ones(10), ...zeros(10), ...zeros(2), ...ones(8)];
    const c = pairedComparison(a, b);
    expect(c).toMatchObject({ n: 30, a: 12 / 30, b: 18 / 30, onlyA: 2, onlyB: 8 });
    expect(c.diff).toBeCloseTo(0.2, 12);
    expect(c.pValue).toBeCloseTo(mcnemarExact(2, 8), 12);
    expect(c.ci95[0]).toBeLessThanOrEqual(c.diff);
    expect(c.ci95[1]).toBeGreaterThanOrEqual(c.diff);
    expect(pairedComparison(a, b).ci95).toEqual(c.ci95);
  });

  it('excludes 0 when one side wins every discordant pair, and not when they split evenly', () => {
    const win = pairedComparison([...zeros(12), ...ones(20)], [...ones(12), ...ones(20)]);
    expect(win.ci95[0]).toBeGreaterThan(0);
    expect(differs(win)).toBe(true);
    const even = pairedComparison([...ones(6), ...zeros(6), ...ones(20)], [...zeros(6), ...ones(6), ...ones(20)]);
    expect(even.diff).toBe(0);
    expect(even.ci95[0]).toBeLessThan(0);
    expect(even.ci95[1]).toBeGreaterThan(0);
    expect(differs(even)).toBe(false);
    expect(even.pValue).toBe(1);
  });

  it('refuses unpaired or non-binary scores', () => {
    expect(() => pairedComparison([1, 0], [1])).toThrow('pairedComparison: the two score lists differ in length (2 vs 1); pair them by sample first');
    expect(() => pairedComparison([1, 0.5], [1, 1])).toThrow('pairedComparison: scores must be 0 or 1, got 0.5 and 1 at sample 1');
  });
});

const e2e = (id: string, a: number, ap: number): EvalRecord => ({ sampleId: id, mode: 'e2e', completion: 0, text: '', a, ap, arCond: a });
const cf = (id: string, ar: number): EvalRecord => ({ sampleId: id, mode: 'counterfactual', completion: 0, text: '', ar });

describe('paired runs', () => {
  it('pairs records by sample id, whatever their order, and leaves out failed requests', () => {
    const base = [e2e('s1', 0, 0), e2e('s2', 0, 1), e2e('s3', 1, 1), cf('s1', 1), cf('s2', 1), cf('s3', 1)];
    const other = [e2e('s3', 1, 1), e2e('s1', 1, 1), { ...e2e('s2', 0, 0), failed: 'timeout' }, cf('s2', 0), cf('s1', 1), cf('s3', 0)];
    expect([...scoresBySample(other, 'ap')]).toEqual([
      ['s3', 1],
      ['s1', 1],
    ]);
    const ap = compareRuns(base, other, 'ap');
    expect(ap).toMatchObject({ n: 2, a: 0.5, b: 1, onlyA: 0, onlyB: 1 }); // s1 and s3 only: s2 failed in `other`
    const ar = compareRuns(base, other, 'ar');
    expect(ar).toMatchObject({ n: 3, a: 1, onlyA: 2, onlyB: 0 });
  });

  it('reads a_r − a_p within a run on the samples scored in both modes', () => {
    const records = [e2e('s1', 0, 0), e2e('s2', 0, 0), e2e('s3', 1, 1), e2e('s4', 0, 1), cf('s1', 1), cf('s2', 1), cf('s3', 1), cf('s4', 0)];
    const lag = perceptionLag(records);
    expect(lag).toMatchObject({ n: 4, a: 0.5, b: 0.75, onlyA: 1, onlyB: 2 });
    expect(lag.diff).toBeCloseTo(0.25, 12);
  });

  it('names a record that lacks its metric', () => {
    const broken = { sampleId: 's9', mode: 'e2e', completion: 0, text: '' } as EvalRecord;
    expect(() => scoresBySample([broken], 'ap')).toThrow('evaluation record of s9 (e2e) has no ap');
  });
});
