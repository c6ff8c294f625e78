import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { AdamW } from '../../../src/model/adamw.ts';
import { loadCheckpoint, saveCheckpoint, weightsSha256 } from '../../../src/model/checkpoint.ts';
import { prepareBatch, type TokenLogprobs } from '../../../src/model/logprobs.ts';
import { LossScale, lossScaleOf, refusalOf, withLossScale, type Refusal } from '../../../src/model/loss-scale.ts';
import { setMixedPrecision } from '../../../src/webgpu/index.ts';
import { lossAndGradients, trainStep } from '../../../src/model/train.ts';
import { createVlm, disposeVlm } from '../../../src/model/vlm.ts';
import { BUCKET, rows, tiny, useCpu } from './fixtures.ts';

beforeAll(useCpu);
afterEach(() => setMixedPrecision(false));

const crossEntropy = ({ logp, mask }: TokenLogprobs): tf.Scalar => tf.div(tf.neg(tf.sum(tf.mul(logp, mask))), tf.maximum(tf.sum(mask), 1)) as tf.Scalar;

describe('LossScale', () => {
  it('halves on overflow down to 1, doubles after growthInterval accepted steps in a row', () => {
    const s = new LossScale({ scale: 8, goodSteps: 0 }, 3);
    expect(s.overflowed()).toBe(true);
    expect(s.scale).toBe(4);
    s.accepted();
    s.accepted();
    expect(s.overflowed()).toBe(true); // the run of good steps starts over
    expect(s.state()).toEqual({ scale: 2, goodSteps: 0 });
    s.accepted();
    s.accepted();
    s.accepted();
    expect(s.state()).toEqual({ scale: 4, goodSteps: 0 });
    const floor = new LossScale({ scale: 1, goodSteps: 5 });
    expect(floor.overflowed()).toBe(false);
    expect(floor.scale).toBe(1);
  });

  it('refuses a state it cannot hold, naming it', () => {
    expect(() => new LossScale({ scale: 0.5, goodSteps: 0 })).toThrow('loss scale state {"scale":0.5,"goodSteps":0}');
    expect(() => new LossScale({ scale: 4, goodSteps: -1 })).toThrow('goodSteps a count');
  });

  it('tells an overflow from a real failure and from a step queued behind a refused one', () => {
    expect(refusalOf(1.5, Infinity)).toBe('overflow');
    expect(refusalOf(1.5, Number.NaN)).toBe('overflow');
    expect(refusalOf(Number.NaN, Number.NaN)).toBe('not-finite');
    expect(refusalOf(1.5, 2)).toBe('queued-behind');
  });
});

describe('withLossScale', () => {
  const optimizerOf = () => new AdamW(new Map([['w', tf.variable(tf.scalar(1), true, `ls-${Math.random()}`)]]), { lr: 1e-3 });
  /** An attempt that overflows above `limit` and fails for good at scale `fail`. */
  const attemptUpTo =
    (limit: number, seen: number[], fail = -1) =>
    async (scale: number) => {
      seen.push(scale);
      const refusal: Refusal | undefined = scale === fail ? 'not-finite' : scale > limit ? 'overflow' : undefined;
      return { accepted: refusal === undefined, refusal };
    };

  it('in fp32 runs once at scale 1 and keeps the answer', async () => {
    const seen: number[] = [];
    const result = await withLossScale(optimizerOf(), attemptUpTo(0.5, seen));
    expect(seen).toEqual([1]);
    expect(result.accepted).toBe(false);
  });

  it('under mixed precision retries at half the scale until accepted, and keeps the scale', async () => {
    setMixedPrecision(true);
    const opt = optimizerOf();
    const seen: number[] = [];
    expect((await withLossScale(opt, attemptUpTo(4096, seen))).accepted).toBe(true);
    expect(seen).toEqual([32768, 16384, 8192, 4096]);
    expect(lossScaleOf(opt)!.state()).toEqual({ scale: 4096, goodSteps: 1 });
  });

  it('does not retry a loss that is not finite', async () => {
    setMixedPrecision(true);
    const seen: number[] = [];
    const result = await withLossScale(optimizerOf(), attemptUpTo(1024, seen, 16384));
    expect(seen).toEqual([32768, 16384]);
    expect(result.refusal).toBe('not-finite');
  });
});

describe('loss scaling in the backward pass', () => {
  it('gives the same gradients (still scaled) and loss at a power-of-two scale (exact in fp32)', () => {
    const m = createVlm(tiny, 3);
    const batch = prepareBatch(tiny, rows(tiny, 2), BUCKET);
    const plain = lossAndGradients(m, batch, crossEntropy);
    const scaled = lossAndGradients(m, batch, crossEntropy, 2 ** 12);
    expect(scaled.loss.arraySync()).toBe(plain.loss.arraySync());
    for (const [name, g] of Object.entries(plain.grads)) {
      const unscaled = tf.mul(scaled.grads[name], 2 ** -12);
      expect(Array.from(unscaled.dataSync())).toEqual(Array.from(g.dataSync()));
      unscaled.dispose();
    }
    tf.dispose([plain.loss, scaled.loss, ...Object.values(plain.grads), ...Object.values(scaled.grads)]);
    disposeVlm(m);
  });

  it('trains to the same weights under mixed precision bookkeeping on cpu, and the checkpoint keeps the scale', async () => {
    const batch = prepareBatch(tiny, rows(tiny, 2), BUCKET);
    const run = async (mixed: boolean) => {
      setMixedPrecision(mixed);
      const m = createVlm(tiny, 4);
      const opt = new AdamW(m.params, { lr: 1e-3 });
      for (let i = 0; i < 2; i++) await trainStep(m, opt, batch, crossEntropy);
      return { m, opt, sha: await weightsSha256(m) };
    };
    const fp32 = await run(false);
    const mixed = await run(true);
    expect(mixed.sha).toBe(fp32.sha); // cpu has no f16 matmul: only the scaling runs, and it is exact
    expect(lossScaleOf(mixed.opt)!.state()).toEqual({ scale: 2 ** 15, goodSteps: 2 });
    const dir = await mkdtemp(path.join(tmpdir(), 'asymflow-ls-'));
    try {
      await saveCheckpoint(dir, { model: mixed.m, optimizer: mixed.opt, rngs: {}, cursor: null, metadata: {} });
      setMixedPrecision(false);
      const loaded = await loadCheckpoint(dir);
      expect(lossScaleOf(loaded.optimizer!)!.state()).toEqual({ scale: 2 ** 15, goodSteps: 2 });
      disposeVlm(loaded.model);
      loaded.optimizer!.dispose();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    for (const r of [fp32, mixed]) {
      r.opt.dispose();
      disposeVlm(r.m);
    }
  });
});
