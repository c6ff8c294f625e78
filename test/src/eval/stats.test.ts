import { describe, expect, it } from 'vitest';
import { pearson, proportion, stdUnbiased } from '../../../src/eval/stats.ts';

describe('stats', () => {
  it('gives Wilson intervals that contain the estimate and stay in [0,1]', () => {
    const p = proportion(30, 100);
    expect(p.value).toBe(0.3);
    expect(p.ci95[0]).toBeCloseTo(0.2189, 3); // Wilson interval for 30/100
    expect(p.ci95[1]).toBeCloseTo(0.3958, 3);
    expect(proportion(0, 10).ci95[0]).toBe(0);
    expect(proportion(10, 10).ci95[1]).toBe(1);
    expect(proportion(0, 0)).toEqual({ value: 0, successes: 0, count: 0, ci95: [0, 1] });
  });

  it('computes Pearson r against known values', () => {
    expect(pearson([1, 2, 3, 4], [2, 4, 6, 8]).r).toBeCloseTo(1, 12);
    expect(pearson([1, 2, 3, 4], [8, 6, 4, 2]).r).toBeCloseTo(-1, 12);
    // x = 1..5, y = (2,1,4,3,5): r = 0.8
    const c = pearson([1, 2, 3, 4, 5], [2, 1, 4, 3, 5]);
    expect(c.r).toBeCloseTo(0.8, 12);
    expect(c.ci95[0]).toBeLessThan(0.8);
    expect(c.ci95[1]).toBeGreaterThan(0.8);
    expect(Number.isNaN(pearson([1, 1, 1], [1, 2, 3]).r)).toBe(true);
    expect(() => pearson([1], [1, 2])).toThrow('pearson: lengths differ (1 vs 2)');
  });

  it('uses the unbiased standard deviation', () => {
    expect(stdUnbiased([1, 2, 3, 4])).toBeCloseTo(Math.sqrt(5 / 3), 12);
    expect(stdUnbiased([3])).toBe(0);
  });
});
