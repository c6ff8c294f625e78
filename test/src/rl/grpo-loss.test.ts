import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { aggregate, GRPO_LOSS_DEFAULTS, grpoLoss } from '../../../src/rl/grpo-loss.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const t2 = (rows: number[][]) => tf.tensor2d(rows);

describe('grpoLoss', () => {
  it('has KL 0 when the policy equals the reference, and equals −A·ratio on-policy', () => {
    const logp = t2([[-1, -2, -0.5]]);
    const out = grpoLoss({ logp, oldLogp: logp, refLogp: logp, advantages: t2([[2, 2, 2]]), mask: t2([[1, 1, 1]]) });
    expect(out.kl.arraySync()).toBeCloseTo(0, 7);
    expect(out.loss.arraySync()).toBeCloseTo(-2, 6);
    expect(out.clipFracHigh.arraySync()).toBe(0);
  });

  it('has gradients that raise the log-prob of positive-advantage tokens and lower negative ones', () => {
    const logp = tf.variable(t2([[-1, -1]]));
    const old = t2([[-1, -1]]);
    const grads = tf.grad(
      (lp: tf.Tensor) =>
        grpoLoss({ logp: lp as tf.Tensor2D, oldLogp: old, refLogp: old, advantages: t2([[1, -1]]), mask: t2([[1, 1]]) }, { ...GRPO_LOSS_DEFAULTS, klCoef: 0 })
          .loss,
    )(logp);
    const g = grads.arraySync() as number[][];
    expect(g[0][0]).toBeLessThan(0); // descending the loss raises logp where A > 0
    expect(g[0][1]).toBeGreaterThan(0);
  });

  it('clips exactly where the ratio leaves [1−ε, 1+ε] in the direction of the advantage', () => {
    const old = t2([[0, 0, 0, 0]]);
    // ratios e^0.5 ≈ 1.65 (A>0: clipped high), e^−0.5 ≈ 0.61 (A<0: clipped low), e^0.1 (inside), e^0.5 with A<0 (not clipped)
    const logp = t2([[0.5, -0.5, 0.1, 0.5]]);
    const adv = t2([[1, -1, 1, -1]]);
    const out = grpoLoss({ logp, oldLogp: old, refLogp: logp, advantages: adv, mask: t2([[1, 1, 1, 1]]) }, { ...GRPO_LOSS_DEFAULTS, klCoef: 0 });
    expect(out.clipFracHigh.arraySync()).toBeCloseTo(0.25, 6);
    expect(out.clipFracLow.arraySync()).toBeCloseTo(0.25, 6);
    const expected = (-1.2 + 0.8 - Math.exp(0.1) + Math.exp(0.5)) / 4;
    expect(out.loss.arraySync()).toBeCloseTo(expected, 5);
  });

  it('caps negative-advantage losses at −c·A (dual clip)', () => {
    const out = grpoLoss(
      { logp: t2([[3]]), oldLogp: t2([[0]]), refLogp: t2([[3]]), advantages: t2([[-1]]), mask: t2([[1]]) },
      { ...GRPO_LOSS_DEFAULTS, klCoef: 0 },
    );
    expect(out.loss.arraySync()).toBeCloseTo(3, 6); // ratio e^3 ≈ 20 would give 20; capped at c·|A| = 3
    expect(out.dualClipFrac.arraySync()).toBe(1);
  });

  it('aggregates token-mean and seq-mean-token-mean as named', () => {
    const values = t2([
      [1, 1, 1, 0],
      [4, 0, 0, 0],
    ]);
    const mask = t2([
      [1, 1, 1, 0],
      [1, 0, 0, 0],
    ]);
    expect(aggregate(values, mask, 'token-mean').arraySync()).toBeCloseTo(7 / 4, 6);
    expect(aggregate(values, mask, 'seq-mean-token-mean').arraySync()).toBeCloseTo((1 + 4) / 2, 6);
  });

  it('uses one sequence-level ratio under GSPO', () => {
    const old = t2([[0, 0]]);
    const logp = t2([[0.2, -0.2]]); // mean log-ratio 0 → ratio 1 on both tokens
    const out = grpoLoss({ logp, oldLogp: old, refLogp: logp, advantages: t2([[1, 1]]), mask: t2([[1, 1]]) }, { ...GRPO_LOSS_DEFAULTS, klCoef: 0, gspo: true });
    expect(out.loss.arraySync()).toBeCloseTo(-1, 6);
  });

  it('keeps the tensor count flat', () => {
    const before = tf.memory().numTensors;
    const x = t2([[0, 0]]);
    const out = grpoLoss({ logp: x, oldLogp: x, refLogp: x, advantages: x, mask: x });
    tf.dispose([x, out.loss, out.kl, out.clipFracLow, out.clipFracHigh, out.dualClipFrac]);
    expect(tf.memory().numTensors).toBe(before);
  });
});
