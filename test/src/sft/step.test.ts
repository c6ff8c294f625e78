/**
 * sftStep on the tiny model (wasm): the λ objective at the batch's perception token fraction makes the same
 * update as standard SFT; NGDiff's λ is the formula on gradients computed independently, its update is
 * λ·g_p + (1−λ)·g_r, and its guards hold for an empty reasoning span; a non-finite step is refused.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { AdamW } from '../../../src/model/adamw.ts';
import { weightsSha256 } from '../../../src/model/checkpoint.ts';
import { prepareBatch, type PreparedBatch, type TokenLogprobs } from '../../../src/model/logprobs.ts';
import { promptTokens } from '../../../src/prompt.ts';
import { applyGradients, combineGradients, disposeGradients, gradients } from '../../../src/model/train.ts';
import { createVlm, disposeVlm, param, type Vlm } from '../../../src/model/vlm.ts';
import { sftStep } from '../../../src/sft/step.ts';
import { encode } from '../../../src/tokenizer.ts';
import { resolveBackend } from '../../../src/backend/index.ts';
import { BUCKET, pixels, tiny } from '../model/fixtures.ts';

// wasm: the same kernels' math as cpu at a tenth of the time; nothing here depends on the backend.
beforeAll(async () => {
  await resolveBackend('wasm', { env: {}, log: () => {} });
});

// eps = 1 keeps AdamW's first update linear in the gradient (≈ lr·g for small g), so two updates are
// compared through the weights without Adam's g/|g| amplifying float rounding in near-zero gradients.
const OPTIM = { lr: 1, eps: 1, warmupSteps: 0, weightDecay: 0, clipNorm: 0 };

/** Two rows with the same perception and reasoning lengths (so per-example and batch token means agree). */
function sameShapeBatch(): PreparedBatch {
  const texts = [
    '<caption>(0,1),(1,2)</caption>two colours<answer>0:1,1:2,2:1</answer>',
    '<caption>(0,2),(1,2)</caption>two colours<answer>0:1,1:1,2:2</answer>',
  ];
  return prepareBatch(
    tiny,
    texts.map((t, i) => ({ pixels: pixels(tiny, i), prompt: promptTokens('Q'), response: encode(t) })),
    BUCKET,
  );
}

/** Rows of different lengths: a general batch. */
function mixedBatch(): PreparedBatch {
  const texts = ['<caption>(0,1)</caption>one edge, two colours<answer>0:1,1:2</answer>', '<caption>(0,1),(0,2),(1,2)</caption>3<answer>0:1,1:2,2:3</answer>'];
  return prepareBatch(
    tiny,
    texts.map((t, i) => ({ pixels: pixels(tiny, 10 + i), prompt: promptTokens('Colour it.'), response: encode(t) })),
    BUCKET,
  );
}

async function maxAbsDiff(a: Vlm, b: Vlm): Promise<number> {
  let max = 0;
  for (const [name, v] of a.params) {
    const x = (await v.data()) as Float32Array;
    const y = (await param(b, name).data()) as Float32Array;
    for (let i = 0; i < x.length; i++) max = Math.max(max, Math.abs(x[i] - y[i]));
  }
  return max;
}

/** mean_b of the per-example span mean NLL (sftStep's Lp/|p| with the caption tags, and Lr/|r|). */
const spanMean = (out: TokenLogprobs, mask: tf.Tensor2D): tf.Scalar =>
  tf.mean(tf.div(tf.neg(tf.sum(tf.mul(out.logp, mask), 1)), tf.maximum(tf.sum(mask, 1), 1))) as tf.Scalar;
const lossP = (out: TokenLogprobs) => spanMean(out, tf.sub(out.mask, out.maskR) as tf.Tensor2D);
const lossR = (out: TokenLogprobs) => spanMean(out, out.maskR);

describe('sftStep', () => {
  it('λ = the perception token fraction makes the same update as standard SFT', async () => {
    const batch = sameShapeBatch();
    const a = createVlm(tiny, 3);
    const b = createVlm(tiny, 3);
    const optA = new AdamW(a.params, OPTIM);
    const optB = new AdamW(b.params, OPTIM);
    const standard = await sftStep(a, optA, batch, { kind: 'standard' });
    expect(standard.lambda).toBe(standard.tokenFraction); // standard reports its implicit λ
    const reweighted = await sftStep(b, optB, batch, { kind: 'lambda', lambda: standard.tokenFraction });
    expect(reweighted.loss).toBeCloseTo(standard.loss, 5);
    expect(reweighted.gradNorm).toBeCloseTo(standard.gradNorm, 5);
    expect(await maxAbsDiff(a, b)).toBeLessThan(1e-6);
    // …and a different λ does not (the comparison can fail).
    const c = createVlm(tiny, 3);
    const optC = new AdamW(c.params, OPTIM);
    await sftStep(c, optC, batch, { kind: 'lambda', lambda: 0.9 });
    expect(await maxAbsDiff(a, c)).toBeGreaterThan(1e-4);
    for (const o of [optA, optB, optC]) o.dispose();
    for (const m of [a, b, c]) disposeVlm(m);
  });

  it('NGDiff: λ = (1/‖g_p‖)/(1/‖g_p‖+1/‖g_r‖) from independent gradients, the update is λ·g_p + (1−λ)·g_r, shares sum to 1', async () => {
    const batch = mixedBatch();
    const ref = createVlm(tiny, 4);
    const gP = gradients(ref, batch, lossP);
    const gR = gradients(ref, batch, lossR);
    const [normP] = await gP.norm.data();
    const [normR] = await gR.norm.data();
    const lambda = 1 / normP / (1 / normP + 1 / normR);
    const refOpt = new AdamW(ref.params, OPTIM);
    const update = combineGradients([
      [lambda, gP.grads],
      [1 - lambda, gR.grads],
    ]);
    applyGradients(refOpt, update).dispose();
    tf.dispose(Object.values(update));
    disposeGradients(gP);
    disposeGradients(gR);

    const m = createVlm(tiny, 4);
    const opt = new AdamW(m.params, OPTIM);
    const before = tf.memory().numTensors;
    const s = await sftStep(m, opt, batch, { kind: 'ngdiff' });
    expect(tf.memory().numTensors).toBe(before);
    expect(s.rawGradNormP).toBeCloseTo(normP, 5);
    expect(s.rawGradNormR).toBeCloseTo(normR, 5);
    expect(s.lambda).toBeCloseTo(lambda, 6);
    expect(await maxAbsDiff(m, ref)).toBeLessThan(1e-6);
    // The weighted parts are balanced by construction: λ‖g_p‖ = (1−λ)‖g_r‖, so each has half the norm share.
    expect(s.gradNormP).toBeCloseTo(lambda * normP, 5);
    expect(s.gradShareP).toBeCloseTo(0.5, 6);
    expect(s.gradShareP + s.gradNormR / (s.gradNormP + s.gradNormR)).toBeCloseTo(1, 12);
    expect(s.tokenFraction + batchReasoningFraction(batch)).toBeCloseTo(1, 12);
    expect(s.lossShareP).toBeGreaterThan(0);
    expect(s.lossShareP).toBeLessThan(1);
    refOpt.dispose();
    opt.dispose();
    disposeVlm(ref);
    disposeVlm(m);
  });

  it('NGDiff guards an empty reasoning span: λ = 1, all of the update is perception', async () => {
    const batch = prepareBatch(tiny, [{ pixels: pixels(tiny, 7), prompt: promptTokens('Q'), response: encode('<caption>(0,1)</caption>') }], BUCKET);
    const m = createVlm(tiny, 5);
    const opt = new AdamW(m.params, OPTIM);
    const s = await sftStep(m, opt, batch, { kind: 'ngdiff' });
    expect(s.rawGradNormR).toBe(0);
    expect(s.lambda).toBe(1);
    expect(s.gradShareP).toBe(1);
    expect(s.tokenFraction).toBe(1);
    expect(Number.isFinite(s.loss)).toBe(true);
    opt.dispose();
    disposeVlm(m);
  });

  it('refuses a non-finite step and leaves the weights unchanged', async () => {
    const m = createVlm(tiny, 6);
    const opt = new AdamW(m.params, OPTIM);
    const nan = tf.fill(param(m, 'lnf.g').shape, Number.NaN);
    param(m, 'lnf.g').assign(nan);
    nan.dispose();
    const before = await weightsSha256(m);
    await expect(sftStep(m, opt, mixedBatch(), { kind: 'ngdiff' })).rejects.toThrow(
      /^sftStep: losses NaN\/NaN or gradient norms NaN\/NaN \(perception\/reasoning\) are not finite at step 1; weights unchanged$/,
    );
    expect(await weightsSha256(m)).toBe(before);
    expect(opt.step).toBe(0);
    opt.dispose();
    disposeVlm(m);
  });
});

function batchReasoningFraction(batch: PreparedBatch): number {
  let all = 0;
  let r = 0;
  for (let i = 0; i < batch.mask.length; i++) ((all += batch.mask[i]), (r += batch.maskR[i]));
  return r / all;
}
