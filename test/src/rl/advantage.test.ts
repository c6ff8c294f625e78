import { describe, expect, it } from 'vitest';
import { fracZeroStd, groupAdvantages, tokenAdvantageScale } from '../../../src/rl/advantage.ts';
import { augmentedReward } from '../../../src/rl/rewards/combine.ts';

describe('GRPO advantages', () => {
  it('normalises by the group mean and unbiased std', () => {
    // rewards 1,0,0,1: mean 0.5, unbiased std sqrt(1/3)
    const a = groupAdvantages([1, 0, 0, 1], 0);
    const s = Math.sqrt(1 / 3);
    expect(Array.from(a)).toEqual([0.5 / s, -0.5 / s, -0.5 / s, 0.5 / s].map(Math.fround));
  });

  it('gives zeros for an all-equal group and for a group of one', () => {
    expect(Array.from(groupAdvantages([1, 1, 1]))).toEqual([0, 0, 0]);
    expect(Array.from(groupAdvantages([0.7]))).toEqual([0]);
  });

  it('applies ε in the denominator', () => {
    const a = groupAdvantages([1, 0], 1);
    const s = Math.SQRT1_2; // unbiased std of {1, 0}
    expect(a[0]).toBeCloseTo(0.5 / (s + 1), 6);
  });

  it('α = 0 is outcome-only and α = 1 perception-only', () => {
    expect(augmentedReward(0, 1, 0)).toBe(0);
    expect(augmentedReward(1, 1, 0)).toBe(1);
    expect(augmentedReward(0.5, 1, 0)).toBe(0.5);
  });

  it('token reweighting with λ = |p|/|y| leaves advantages unchanged', () => {
    const maskP = [0, 1, 1, 0, 0, 0, 0, 0];
    const maskR = [0, 0, 0, 1, 1, 1, 1, 1];
    const scale = tokenAdvantageScale(2 / 7, maskP, maskR);
    for (const s of scale) expect(s).toBeCloseTo(1, 6);
    const tilted = tokenAdvantageScale(0.5, maskP, maskR);
    expect(tilted[1]).toBeCloseTo((0.5 * 7) / 2, 6);
    expect(tilted[4]).toBeCloseTo((0.5 * 7) / 5, 6);
    expect(tilted[0]).toBe(1);
  });

  it('counts groups with zero reward spread', () => {
    expect(fracZeroStd([[1, 1], [0, 1], [0, 0], [1]])).toBe(0.75);
  });
});
