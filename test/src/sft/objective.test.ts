import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  ngdiffLambda,
  objectiveLambda,
  parseObjective,
  partLoss,
  partWeights,
  perceptionShares,
  reweightedLoss,
  standardLoss,
  type SftObjective,
  type TokenBatch,
} from '../../../src/sft/objective.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function batch(): TokenBatch {
  // Two examples of different span lengths; padding positions have both masks 0.
  return {
    logp: tf.tensor2d([
      [-0.5, -1.0, -2.0, -0.1, -0.3, 0],
      [-0.2, -0.4, -0.6, -0.8, -1.0, -1.2],
    ]),
    maskP: tf.tensor2d([
      [1, 1, 0, 0, 0, 0],
      [1, 0, 0, 0, 0, 0],
    ]),
    maskR: tf.tensor2d([
      [0, 0, 1, 1, 1, 0],
      [0, 1, 1, 1, 1, 1],
    ]),
  };
}

describe('SFT objectives', () => {
  it("reweighting with λ equal to each example's perception token fraction equals the standard loss when examples have equal length", () => {
    // λ_i = |p_i|/|y_i| gives Σ_i (Lp_i + Lr_i)/|y_i| / B, the per-example token mean; with equal |y_i| that is the token mean.
    const b: TokenBatch = {
      logp: tf.tensor2d([
        [-0.5, -1.0, -2.0, -0.1],
        [-0.2, -0.4, -0.6, -0.8],
      ]),
      maskP: tf.tensor2d([
        [1, 1, 0, 0],
        [1, 0, 0, 0],
      ]),
      maskR: tf.tensor2d([
        [0, 0, 1, 1],
        [0, 1, 1, 1],
      ]),
    };
    const lambda = tf.tensor1d([2 / 4, 1 / 4]);
    expect(reweightedLoss(b, lambda).arraySync()).toBeCloseTo(standardLoss(b).arraySync(), 6);
  });

  it('reweighting with λ_i = |p_i|/|y_i| equals the per-example token-mean cross entropy in general', () => {
    const b = batch();
    const lambda = tf.tensor1d([2 / 5, 1 / 6]);
    const perExample = ((0.5 + 1.0 + 2.0 + 0.1 + 0.3) / 5 + (0.2 + 0.4 + 0.6 + 0.8 + 1.0 + 1.2) / 6) / 2;
    expect(reweightedLoss(b, lambda).arraySync()).toBeCloseTo(perExample, 6);
    expect(standardLoss(b).arraySync()).toBeCloseTo((0.5 + 1.0 + 2.0 + 0.1 + 0.3 + 0.2 + 0.4 + 0.6 + 0.8 + 1.0 + 1.2) / 11, 6);
  });

  it('fixed λ weighs the span means', () => {
    const b = batch();
    const lp = ((0.5 + 1.0) / 2 + 0.2) / 2;
    const lr = ((2.0 + 0.1 + 0.3) / 3 + (0.4 + 0.6 + 0.8 + 1.0 + 1.2) / 5) / 2;
    expect(reweightedLoss(b, 0.2).arraySync()).toBeCloseTo(0.2 * lp + 0.8 * lr, 6);
  });

  it('the parts training differentiates, weighed as training weighs them, are the whole losses', () => {
    const b = batch();
    const whole = (objective: SftObjective, norms: [number, number]) =>
      tf.tidy(() => {
        const lambda = objectiveLambda(objective, tf.scalar(norms[0]), tf.scalar(norms[1]), 3 / 11); // the batch's perception token fraction
        const [wP, wR] = partWeights(objective, lambda);
        return tf.add(tf.mul(wP, partLoss(objective, b, 'perception')), tf.mul(wR, partLoss(objective, b, 'reasoning'))).arraySync() as number;
      });
    expect(whole({ kind: 'standard' }, [1, 1])).toBeCloseTo(standardLoss(b).arraySync(), 6);
    expect(whole({ kind: 'lambda', lambda: 0.2 }, [1, 1])).toBeCloseTo(reweightedLoss(b, 0.2).arraySync(), 6);
    expect(whole({ kind: 'ngdiff' }, [3, 1])).toBeCloseTo(reweightedLoss(b, 0.25).arraySync(), 6); // NGDiff: λ = ‖g_r‖/(‖g_p‖+‖g_r‖) = 1/4
  });

  it('NGDiff λ follows the formula and guards zero and non-finite norms', () => {
    const lambda = (p: number, r: number) => tf.tidy(() => ngdiffLambda(tf.scalar(p), tf.scalar(r)).arraySync());
    expect(lambda(3, 1)).toBeCloseTo(1 / 3 / (1 / 3 + 1 / 1), 7);
    expect(lambda(0, 2)).toBe(0);
    expect(lambda(2, 0)).toBe(1);
    expect(lambda(0, 0)).toBe(0.5);
    expect(lambda(Number.NaN, 1)).toBe(0);
    expect(lambda(1, Number.POSITIVE_INFINITY)).toBe(1);
  });

  it('perception shares sum to one with the reasoning shares', () => {
    const s = perceptionShares(10, 90, 2, 1, 0.5, 1.5);
    expect(s.tokenFraction).toBeCloseTo(0.1, 12);
    expect(s.lossShare).toBeCloseTo(20 / (20 + 90), 12);
    expect(s.gradShare).toBeCloseTo(0.25, 12);
  });

  it('parses objectives with exact messages', () => {
    expect(parseObjective('lambda:0.2')).toEqual({ kind: 'lambda', lambda: 0.2 });
    expect(parseObjective('ngdiff')).toEqual({ kind: 'ngdiff' });
    expect(() => parseObjective('lambda:2')).toThrow("objective must be standard, lambda:X with X in [0, 1], or ngdiff, got 'lambda:2'");
  });
});
