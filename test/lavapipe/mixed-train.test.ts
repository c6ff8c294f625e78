/**
 * Mixed precision's learning side on this adapter's tensor cores (issue 17): a few training steps of a tiny
 * model under `--precision mixed` — trainStep's, and SFT's with NGDiff (two backward passes, λ from their
 * norms on the device) — follow the same steps in fp32 on the same device, and dynamic loss scaling
 * works end to end — a step whose scaled gradients overflow f16 is refused by the guarded update on the
 * device, the scale is lowered and the step retried, and only the accepted attempt moves the weights.
 *
 * Bound: MIXED_STEP_LOSS_ABS on every step's loss, bench/parity.ts's mixed loss bound (2^-12 of tiny's ~4.5:
 * as if only the loss were rounded to f16); measured on lavapipe ≤ 2.2e-5 over the 4 steps.
 */
import { afterAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { resolveBackend, type ResolvedBackend } from '../../src/backend/index.ts';
import { AdamW } from '../../src/model/adamw.ts';
import { prepareBatch, type PreparedBatch, type TokenLogprobs } from '../../src/model/logprobs.ts';
import { LOSS_SCALE_INIT, lossScaleOf, restoreLossScale, type LossScaleState } from '../../src/model/loss-scale.ts';
import { trainStep } from '../../src/model/train.ts';
import { createVlm, disposeVlm, type Vlm } from '../../src/model/vlm.ts';
import { sftStep } from '../../src/sft/step.ts';
import { mixedPrecision } from '../../src/webgpu/index.ts';
import { BUCKET, rows, tiny } from '../src/model/fixtures.ts';
import { MIXED_LOSS_ABS } from '../../bench/checks/tc-parity.ts';

const STEPS = 4;
const MIXED_STEP_LOSS_ABS = MIXED_LOSS_ABS;
const crossEntropy = ({ logp, mask }: TokenLogprobs): tf.Scalar => tf.div(tf.neg(tf.sum(tf.mul(logp, mask))), tf.maximum(tf.sum(mask), 1)) as tf.Scalar;

/** One step of each kind, returning its loss. */
type Step = (m: Vlm, opt: AdamW, batch: PreparedBatch) => Promise<number>;
const TRAIN_STEP: Step = async (m, opt, batch) => (await trainStep(m, opt, batch, crossEntropy)).loss;
const SFT_NGDIFF_STEP: Step = async (m, opt, batch) => (await sftStep(m, opt, batch, { kind: 'ngdiff' })).loss;

interface Run {
  readonly losses: number[];
  readonly steps: number;
  readonly scales: (LossScaleState | undefined)[]; // after each step
  readonly finite: boolean;
}

let backend: ResolvedBackend | undefined;
afterAll(async () => {
  await backend?.dispose();
});

/** STEPS steps of a fresh tiny model (seed 4) on one batch; `startScale`: the loss scale the first step tries. */
async function run(precision: 'fp32' | 'mixed', step: Step, startScale?: number): Promise<Run> {
  backend = await resolveBackend('webgpu', { precision, log: () => {} });
  expect(backend.precision).toBe(precision);
  expect(mixedPrecision()).toBe(precision === 'mixed');
  const m = createVlm(tiny, 4);
  const opt = new AdamW(m.params, { lr: 1e-3 });
  if (startScale !== undefined) restoreLossScale(opt, { scale: startScale, goodSteps: 0 });
  const batch = prepareBatch(tiny, rows(tiny, 2), BUCKET);
  const losses: number[] = [];
  const scales: (LossScaleState | undefined)[] = [];
  for (let i = 0; i < STEPS; i++) {
    losses.push(await step(m, opt, batch));
    scales.push(lossScaleOf(opt)?.state());
  }
  const weights = await Promise.all([...m.params.values()].map((v) => v.data()));
  const finite = weights.every((w) => (w as Float32Array).every(Number.isFinite));
  const steps = opt.step;
  expect(backend.gpuErrors()).toEqual([]);
  opt.dispose();
  disposeVlm(m);
  // A later fp32 request would keep an active mixed backend (resolveBackend takes mixed as satisfying fp32).
  await backend.dispose();
  return { losses, steps, scales, finite };
}

describe('training steps under --precision mixed', () => {
  let fp32: Run;

  it('fp32 on this device learns (the reference)', async () => {
    fp32 = await run('fp32', TRAIN_STEP);
    expect(fp32.scales.every((s) => s === undefined)).toBe(true);
    expect(fp32.losses[STEPS - 1]).toBeLessThan(fp32.losses[0] as number);
  });

  it(`mixed follows fp32 within ${MIXED_STEP_LOSS_ABS} a step, the loss scale counting good steps`, async () => {
    const mixed = await run('mixed', TRAIN_STEP);
    console.log(JSON.stringify({ fp32: fp32.losses, mixed: mixed.losses }));
    for (let i = 0; i < STEPS; i++) expect(Math.abs((mixed.losses[i] as number) - (fp32.losses[i] as number))).toBeLessThanOrEqual(MIXED_STEP_LOSS_ABS);
    expect(mixed.losses.some((l, i) => l !== fp32.losses[i])).toBe(true); // f16 operands: not bit-equal to fp32
    expect(mixed.scales.at(-1)).toEqual({ scale: LOSS_SCALE_INIT, goodSteps: STEPS });
    expect(mixed.steps).toBe(STEPS);
  });

  it('skips a step whose scaled gradients overflow f16, lowers the scale and retries', async () => {
    const mixed = await run('mixed', TRAIN_STEP, 2 ** 24); // 2^24 × the output gradients is far past f16's 65504
    console.log(JSON.stringify({ overflowStart: mixed.scales }));
    const first = mixed.scales[0] as LossScaleState;
    expect(first.scale).toBeLessThan(2 ** 24); // lowered at least once
    expect(first.goodSteps).toBe(1); // then accepted
    expect(mixed.steps).toBe(STEPS); // refused attempts did not count as optimizer steps
    expect(mixed.finite).toBe(true); // nor wrote their infinities into the weights
    for (let i = 0; i < STEPS; i++) expect(Math.abs((mixed.losses[i] as number) - (fp32.losses[i] as number))).toBeLessThanOrEqual(MIXED_STEP_LOSS_ABS);
  });

  it(`SFT steps with NGDiff follow fp32 within ${MIXED_STEP_LOSS_ABS} a step`, async () => {
    const sft32 = await run('fp32', SFT_NGDIFF_STEP);
    const sftMixed = await run('mixed', SFT_NGDIFF_STEP);
    console.log(JSON.stringify({ sftFp32: sft32.losses, sftMixed: sftMixed.losses }));
    expect(sft32.losses[STEPS - 1]).toBeLessThan(sft32.losses[0] as number);
    for (let i = 0; i < STEPS; i++) expect(Math.abs((sftMixed.losses[i] as number) - (sft32.losses[i] as number))).toBeLessThanOrEqual(MIXED_STEP_LOSS_ABS);
    expect(sftMixed.scales.at(-1)).toEqual({ scale: LOSS_SCALE_INIT, goodSteps: STEPS });
  });
});
