import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { AdamW, adamwConfig, learningRate } from '../../../src/model/adamw.ts';
import { prepareBatch, type TokenLogprobs } from '../../../src/model/logprobs.ts';
import { promptTokens } from '../../../src/prompt.ts';
import { combineGradients, disposeGradients, gradients, trainStep } from '../../../src/model/train.ts';
import { EXPECTED_REFUSALS, queuedStepsCheck, queuedStepsOk } from '../../../bench/checks/queued-steps.ts';
import { staleChainCheck } from '../../../bench/checks/guarded-parity.ts';
import { weightsSha256 } from '../../../src/model/checkpoint.ts';
import { createVlm, disposeVlm } from '../../../src/model/vlm.ts';
import { encode } from '../../../src/tokenizer.ts';
import { BUCKET, pixels, tiny, useCpu } from './fixtures.ts';

beforeAll(useCpu);

/** Token-averaged cross entropy over every response token. */
const crossEntropy = ({ logp, mask }: TokenLogprobs): tf.Scalar => tf.div(tf.neg(tf.sum(tf.mul(logp, mask))), tf.maximum(tf.sum(mask), 1)) as tf.Scalar;

const TEXTS = ['<caption>1-2 2-3</caption>ok<answer>1</answer>', '<caption>4.5.6</caption>no<answer>2</answer>', '<caption>789</caption>yes<answer>3</answer>'];
/** Rows of 3 prompt and ≤ 32 response tokens: one 64-column layout, cheap enough for many CPU steps. */
const shortRows = (n: number) => TEXTS.slice(0, n).map((t, i) => ({ pixels: pixels(tiny, i), prompt: promptTokens('Q'), response: encode(t) }));

describe('AdamW', () => {
  it('matches a hand computation on one scalar, decoupled decay and warmup included', async () => {
    const w = tf.variable(tf.scalar(2), true, 'adamw-test/w');
    const opt = new AdamW(new Map([['w', w]]), { lr: 0.1, beta1: 0.9, beta2: 0.99, eps: 1e-8, weightDecay: 0.5, warmupSteps: 2, clipNorm: 0 }, () => true);
    let p = 2,
      m = 0,
      v = 0;
    for (const [t, g] of [
      [1, 0.5],
      [2, -1.5],
      [3, 3],
    ] as const) {
      const lr = t <= 2 ? (0.1 * t) / 2 : 0.1;
      p -= lr * 0.5 * p;
      m = 0.9 * m + 0.1 * g;
      v = 0.99 * v + 0.01 * g * g;
      p -= (lr * (m / (1 - 0.9 ** t))) / (Math.sqrt(v / (1 - 0.99 ** t)) + 1e-8);
      const grad = tf.scalar(g);
      opt.apply({ w: grad });
      grad.dispose();
      expect((await w.data())[0]).toBeCloseTo(p, 6);
    }
    expect(opt.step).toBe(3);
    opt.dispose();
    w.dispose();
  });

  it('warms up linearly, then decays by cosine to the floor', () => {
    const c = adamwConfig({ lr: 1, warmupSteps: 10, totalSteps: 110, minLrRatio: 0.1 });
    expect(learningRate(c, 5)).toBeCloseTo(0.5);
    expect(learningRate(c, 10)).toBeCloseTo(1);
    expect(learningRate(c, 60)).toBeCloseTo(0.55);
    expect(learningRate(c, 110)).toBeCloseTo(0.1);
    expect(learningRate(c, 500)).toBeCloseTo(0.1);
    expect(() => adamwConfig({ lr: -1 })).toThrow('optim.lr must be a positive number, got -1');
  });
});

describe('trainStep', () => {
  it('keeps tf.memory().numTensors flat across steps, with accumulation', async () => {
    const m = createVlm(tiny, 2);
    const opt = new AdamW(m.params, { lr: 1e-3 });
    const batch = prepareBatch(tiny, shortRows(2), BUCKET);
    await trainStep(m, opt, batch, crossEntropy);
    const before = tf.memory().numTensors;
    await trainStep(m, opt, [batch, batch], crossEntropy);
    expect(tf.memory().numTensors).toBe(before);
    expect(opt.step).toBe(2);
    opt.dispose();
    disposeVlm(m);
  });

  it('refuses a non-finite loss and leaves the weights unchanged', async () => {
    const m = createVlm(tiny, 2);
    const opt = new AdamW(m.params, { lr: 1e-3 });
    const batch = prepareBatch(tiny, shortRows(1), BUCKET);
    const before = await weightsSha256(m);
    const nanLoss = (t: TokenLogprobs) => tf.mul(crossEntropy(t), NaN) as tf.Scalar;
    await expect(trainStep(m, opt, batch, nanLoss)).rejects.toThrow('trainStep: loss NaN / gradient norm NaN is not finite at step 1; weights unchanged');
    expect(await weightsSha256(m)).toBe(before);
    expect(opt.step).toBe(0);
    opt.dispose();
    disposeVlm(m);
  });

  it('takes queued steps in order, and refuses those queued behind a non-finite one', async () => {
    const report = await queuedStepsCheck();
    expect(report).toEqual({ queuedSame: true, lossesMoved: true, refusals: [...EXPECTED_REFUSALS], refusedHeld: true, resumedSame: true });
    expect(queuedStepsOk(report)).toBe(true);
  });

  it('does not let a refusal read back late restart a newer chain (reference form)', async () => {
    expect(await staleChainCheck()).toEqual([false, false, false, false]);
  });

  it('averages micro-batch gradients, and combines gradients of two losses by weight', async () => {
    const m = createVlm(tiny, 2);
    const [a, b] = shortRows(2).map((r) => prepareBatch(tiny, [r], BUCKET));
    const ga = gradients(m, a, crossEntropy);
    const gb = gradients(m, b, crossEntropy);
    const mixed = combineGradients([
      [0.25, ga.grads],
      [0.75, gb.grads],
    ]);
    const name = 'blocks.0.attn.q.w';
    const [x, y, z] = await Promise.all([ga.grads[name].data(), gb.grads[name].data(), mixed[name].data()]);
    for (let i = 0; i < 50; i++) expect(z[i]).toBeCloseTo(0.25 * x[i] + 0.75 * y[i], 7);
    expect(Object.keys(ga.grads).sort()).toEqual([...m.params.keys()]);
    expect((await ga.norm.data())[0]).toBeGreaterThan(0);
    disposeGradients(ga);
    disposeGradients(gb);
    disposeGradients(mixed);
    disposeVlm(m);
  });

  it('learns: the tiny model overfits a handful of sequences', async () => {
    const m = createVlm(tiny, 3);
    const opt = new AdamW(m.params, { lr: 1e-2, weightDecay: 0, warmupSteps: 5 });
    const batch = prepareBatch(tiny, shortRows(3), BUCKET);
    let loss = Infinity;
    let steps = 0;
    const first = (await trainStep(m, opt, batch, crossEntropy)).loss;
    while (loss > 0.1 && steps < 60) {
      loss = (await trainStep(m, opt, batch, crossEntropy)).loss;
      steps++;
    }
    expect(first).toBeGreaterThan(3);
    expect(loss).toBeLessThan(0.1);
    opt.dispose();
    disposeVlm(m);
  }, 180_000); // ~50 s on an idle 2-core machine, 62 s under load: past the global 60 s
});
