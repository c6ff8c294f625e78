/**
 * Training primitives on top of per-token log-probs. A loss function maps TokenLogprobs ([B, R] logp and
 * masks) to a scalar; SFT (standard, λ, NGDiff) and GRPO losses are written on top of this by their flows.
 *   gradients()      one backward pass → loss, grads by short name, global norm (all tensors, caller owns)
 *   applyGradients() clip to the optimizer's clipNorm, then one AdamW update
 *   trainStep()      both, with gradient accumulation over micro-batches, queued whole (guarded-update.ts);
 *                    then one read-back of loss and norm
 * An SFT step (sft/step.ts) calls gradients() twice, combineGradients() and queueGuardedUpdate().
 */
import * as tf from '@tensorflow/tfjs';
import type { AdamW } from './adamw.ts';
import { prepareBatch, tokenLogprobs, type PreparedBatch, type ScoreRow, type TokenLogprobs } from './logprobs.ts';
import type { Vlm } from './vlm.ts';
import { globalNorm, type Grads } from './grad-norm.ts';
import { queueGuardedUpdate } from './guarded-update.ts';
import { ageWebgpuPool } from '../webgpu/index.ts';
import { yieldIfDue } from '../event-loop.ts';
import { refusalOf, withLossScale } from './loss-scale.ts';

export type { Grads } from './grad-norm.ts';
export { globalNorm } from './grad-norm.ts';

export type LossFn = (out: TokenLogprobs) => tf.Scalar;
export type TrainBatch = readonly ScoreRow[] | PreparedBatch;

export interface Gradients {
  readonly loss: tf.Scalar;
  readonly grads: Grads;
  readonly norm: tf.Scalar; // global L2 norm over all gradients
}

const prepared = (m: Vlm, batch: TrainBatch): PreparedBatch => (Array.isArray(batch) ? prepareBatch(m.config, batch as ScoreRow[]) : (batch as PreparedBatch));

/**
 * One forward + backward pass of `lossFn` over `batch`: its loss and gradients (caller disposes). `lossScale`
 * (mixed precision, loss-scale.ts): the backward pass runs on loss·lossScale and the gradients come back still
 * multiplied by it (not finite where f16 overflowed): the guarded update divides them inside its clip factor
 * (queueGuardedUpdate's gradScale) rather than with one dispatch per parameter. The loss is the loss's own.
 */
export function lossAndGradients(m: Vlm, batch: TrainBatch, lossFn: LossFn, lossScale = 1): { loss: tf.Scalar; grads: Grads } {
  const layout = prepared(m, batch);
  const byVariable = new Map([...m.params].map(([name, v]) => [v.name, name]));
  return tf.tidy(() => {
    const scaled = () => {
      const loss = lossFn(tokenLogprobs(m, layout));
      return lossScale === 1 ? loss : (tf.mul(loss, lossScale) as tf.Scalar);
    };
    const { value, grads } = tf.variableGrads(scaled, [...m.params.values()]);
    const named: Grads = {};
    for (const [varName, g] of Object.entries(grads)) if (g) named[byVariable.get(varName)!] = g;
    return { loss: lossScale === 1 ? value : (tf.div(value, lossScale) as tf.Scalar), grads: named };
  });
}

/**
 * lossAndGradients and the gradients' own global norm (the gradients themselves stay multiplied by lossScale).
 * The caller disposes the result (disposeGradients).
 */
export function gradients(m: Vlm, batch: TrainBatch, lossFn: LossFn, lossScale = 1): Gradients {
  const { loss, grads } = lossAndGradients(m, batch, lossFn, lossScale);
  return { loss, grads, norm: lossScale === 1 ? globalNorm(grads) : tf.tidy(() => tf.div(globalNorm(grads), lossScale) as tf.Scalar) };
}

export function disposeGradients(g: Gradients | Grads): void {
  if ('grads' in g && 'norm' in g && g.loss instanceof tf.Tensor) tf.dispose([g.loss, g.norm as tf.Tensor, ...Object.values(g.grads as Grads)]);
  else tf.dispose(Object.values(g as Grads));
}

/** Σ weight·grads over the parts (a parameter missing from a part counts as zero; a weight may be a [] tensor). New tensors. */
export function combineGradients(parts: readonly (readonly [number | tf.Scalar, Grads])[]): Grads {
  return tf.tidy(() => {
    const out: Grads = {};
    for (const [weight, grads] of parts) {
      for (const [name, g] of Object.entries(grads)) {
        const scaled = tf.mul(g, weight); // shape of g
        out[name] = out[name] ? tf.add(out[name], scaled) : scaled;
      }
    }
    return out;
  });
}

/**
 * Clips `grads` to the optimizer's clipNorm (global norm) and applies one AdamW update. Returns the
 * pre-clip global norm as a scalar tensor (caller disposes; it is `precomputedNorm` when given).
 * Does not dispose `grads`.
 */
export function applyGradients(optimizer: AdamW, grads: Grads, precomputedNorm?: tf.Scalar): tf.Scalar {
  ageWebgpuPool(); // one tick per optimizer step, SFT and GRPO alike: stale batch shapes' buffers go
  const norm = precomputedNorm ?? globalNorm(grads); // []
  const clip = optimizer.config.clipNorm;
  if (clip <= 0) {
    optimizer.apply(grads);
    return norm;
  }
  // The optimizer multiplies each gradient by the scale (inside its fused kernel on webgpu).
  const scale = tf.tidy(() => tf.minimum(1, tf.div(clip, tf.add(norm, 1e-6))) as tf.Scalar); // []
  optimizer.apply(grads, scale);
  scale.dispose();
  return norm;
}

export interface StepResult {
  readonly step: number; // optimizer steps done after this one
  readonly loss: number; // mean over micro-batches
  readonly gradNorm: number; // global norm before clipping, of the averaged gradient
  readonly lr: number; // learning rate used
}

/**
 * One optimizer step. With several micro-batches the gradients are averaged (each micro-batch's loss is
 * already a mean, so every micro-batch weighs the same).
 *
 * The whole step — forward, backward, clip and AdamW — is queued before the first await, and the update is
 * refused on the device when the loss or the norm is not finite (the clip scale turns negative; AdamW then
 * writes nothing). So the GPU never waits for the CPU in the middle of a step, and a caller may start the
 * next step before awaiting this one (`const next = trainStep(…); await previous;`): queue order makes it read
 * this step's weights. A refused step rejects with "weights unchanged", rolls the optimizer's step counter
 * back, and the steps queued behind it reject too (so await every queued step, or attach a handler, before
 * giving up on the first rejection: an unawaited rejection ends a Node process).
 */
export async function trainStep(m: Vlm, optimizer: AdamW, batch: TrainBatch | readonly TrainBatch[], lossFn: LossFn): Promise<StepResult> {
  const micro = isMicroBatchList(batch) ? batch : [batch as TrainBatch];
  if (micro.length === 0) throw new Error('trainStep: no micro-batches');
  const lr = optimizer.lr;
  const { step, loss, gradNorm, accepted } = await withLossScale(optimizer, (scale) => queueStep(m, optimizer, micro, lossFn, scale));
  if (!accepted) {
    const cause =
      Number.isFinite(loss) && Number.isFinite(gradNorm) ? 'an earlier queued step was not finite' : `loss ${loss} / gradient norm ${gradNorm} is not finite`;
    throw new Error(`trainStep: ${cause} at step ${step}; weights unchanged`);
  }
  return { step, loss: loss / micro.length, gradNorm, lr };
}

/** One attempt at a step: forward, backward and the guarded update queued whole, then one read-back. */
async function queueStep(m: Vlm, optimizer: AdamW, micro: readonly TrainBatch[], lossFn: LossFn, lossScale: number) {
  let mean: Grads;
  let lossSum: tf.Scalar; // []
  if (micro.length === 1) {
    // One micro-batch: its gradients as they are (a ·1 copy would be an exact no-op).
    ({ grads: mean, loss: lossSum } = lossAndGradients(m, micro[0], lossFn, lossScale));
  } else {
    let sum: Grads | undefined;
    lossSum = tf.scalar(0);
    for (const mb of micro) {
      const g = lossAndGradients(m, mb, lossFn, lossScale);
      const next = sum
        ? combineGradients([
            [1, sum],
            [1, g.grads],
          ])
        : combineGradients([[1, g.grads]]);
      if (sum) tf.dispose(Object.values(sum));
      sum = next;
      const nextLoss = tf.add(lossSum, g.loss) as tf.Scalar;
      lossSum.dispose();
      lossSum = nextLoss;
      tf.dispose([g.loss, ...Object.values(g.grads)]);
    }
    mean = combineGradients([[1 / micro.length, sum!]]);
    tf.dispose(Object.values(sum!));
  }
  ageWebgpuPool(); // one tick per optimizer step, SFT and GRPO alike: stale batch shapes' buffers go
  // The gradients are still loss-scaled: the update divides inside its clip factor (one scalar, not a dispatch a parameter).
  const update = queueGuardedUpdate(optimizer, mean, lossSum, [], 1 / lossScale);
  tf.dispose([lossSum, ...Object.values(mean)]);
  const [loss, gradNorm, ok] = await update.verdict.data();
  await yieldIfDue(); // cpu/wasm: data() resolves as a microtask; let the dashboard and signals in
  update.verdict.dispose();
  update.settle(ok === 1);
  return { step: update.step, loss, gradNorm, accepted: ok === 1, refusal: refusalOf(loss, gradNorm) };
}

/** A list of micro-batches, as opposed to one batch given as a list of rows. */
function isMicroBatchList(batch: TrainBatch | readonly TrainBatch[]): batch is readonly TrainBatch[] {
  if (!Array.isArray(batch)) return false;
  const first = batch[0] as unknown;
  return first !== undefined && (Array.isArray(first) || (typeof first === 'object' && first !== null && 'promptColumns' in first));
}
