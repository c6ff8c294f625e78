/**
 * Training primitives on top of per-token log-probs. A loss function maps TokenLogprobs ([B, R] logp and
 * masks) to a scalar; SFT (standard, λ, NGDiff) and GRPO losses are written on top of this by their flows.
 *   gradients()      one backward pass → loss, grads by short name, global norm (all tensors, caller owns)
 *   applyGradients() clip to the optimizer's clipNorm, then one AdamW update
 *   trainStep()      both, with gradient accumulation over micro-batches; downloads loss and norm
 * NGDiff calls gradients() twice, reads the two norms, combineGradients() and applyGradients().
 */
import * as tf from '@tensorflow/tfjs';
import type { AdamW } from './adamw.ts';
import { prepareBatch, tokenLogprobs, type PreparedBatch, type ScoreRow, type TokenLogprobs } from './logprobs.ts';
import type { Vlm } from './vlm.ts';
import { fusedOptimizer } from './webgpu-fused.ts';
import { ageWebgpuPool } from './webgpu-pool.ts';

export type LossFn = (out: TokenLogprobs) => tf.Scalar;
export type Grads = Record<string, tf.Tensor>; // short parameter name → gradient, same shape
export type TrainBatch = readonly ScoreRow[] | PreparedBatch;

export interface Gradients {
  readonly loss: tf.Scalar;
  readonly grads: Grads;
  readonly norm: tf.Scalar; // global L2 norm over all gradients
}

const prepared = (m: Vlm, batch: TrainBatch): PreparedBatch =>
  Array.isArray(batch) ? prepareBatch(m.config, batch as ScoreRow[]) : (batch as PreparedBatch);

/** Global L2 norm over every gradient: []. On webgpu two fused Σg² dispatches over all gradients (webgpu-fused.ts). */
export function globalNorm(grads: Grads): tf.Scalar {
  const fused = fusedOptimizer();
  return tf.tidy(() => {
    if (fused) return tf.sqrt(tf.sum(fused.sumSquares(Object.values(grads)))) as tf.Scalar; // []
    const squares = Object.values(grads).map((g) => tf.sum(tf.square(g))); // [] each
    return tf.sqrt(tf.addN(squares)) as tf.Scalar; // []
  });
}

/** One forward + backward pass of `lossFn` over `batch`. The caller disposes the result (disposeGradients). */
export function gradients(m: Vlm, batch: TrainBatch, lossFn: LossFn): Gradients {
  const layout = prepared(m, batch);
  const byVariable = new Map([...m.params].map(([name, v]) => [v.name, name]));
  return tf.tidy(() => {
    const { value, grads } = tf.variableGrads(() => lossFn(tokenLogprobs(m, layout)), [...m.params.values()]);
    const named: Grads = {};
    for (const [varName, g] of Object.entries(grads)) if (g) named[byVariable.get(varName)!] = g;
    return { loss: value, grads: named, norm: globalNorm(named) };
  });
}

export function disposeGradients(g: Gradients | Grads): void {
  if ('grads' in g && 'norm' in g && g.loss instanceof tf.Tensor) tf.dispose([g.loss, g.norm as tf.Tensor, ...Object.values(g.grads as Grads)]);
  else tf.dispose(Object.values(g as Grads));
}

/** Σ weight·grads over the parts (a parameter missing from a part counts as zero). New tensors. */
export function combineGradients(parts: readonly (readonly [number, Grads])[]): Grads {
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
 */
export async function trainStep(m: Vlm, optimizer: AdamW, batch: TrainBatch | readonly TrainBatch[], lossFn: LossFn): Promise<StepResult> {
  const micro = isMicroBatchList(batch) ? batch : [batch as TrainBatch];
  if (micro.length === 0) throw new Error('trainStep: no micro-batches');
  const lr = optimizer.lr;
  let mean: Grads;
  let norm: tf.Scalar; // []
  let lossSum: tf.Scalar; // []
  if (micro.length === 1) {
    // One micro-batch: its gradients and norm as they are (a ·1 copy and a second norm would be exact no-ops).
    const g = gradients(m, micro[0], lossFn);
    ({ grads: mean, norm, loss: lossSum } = g);
  } else {
    let sum: Grads | undefined;
    lossSum = tf.scalar(0);
    for (const mb of micro) {
      const g = gradients(m, mb, lossFn);
      const next = sum ? combineGradients([[1, sum], [1, g.grads]]) : combineGradients([[1, g.grads]]);
      if (sum) tf.dispose(Object.values(sum));
      sum = next;
      const nextLoss = tf.add(lossSum, g.loss) as tf.Scalar;
      lossSum.dispose();
      lossSum = nextLoss;
      disposeGradients(g);
    }
    mean = combineGradients([[1 / micro.length, sum!]]);
    tf.dispose(Object.values(sum!));
    norm = globalNorm(mean); // []
  }
  // A non-finite norm would turn every weight into NaN through the clip scale: refuse the update instead.
  const [loss, gradNorm] = await Promise.all([lossSum.data(), norm.data()]);
  if (!Number.isFinite(gradNorm[0]) || !Number.isFinite(loss[0])) {
    tf.dispose([lossSum, norm, ...Object.values(mean)]);
    throw new Error(`trainStep: loss ${loss[0]} / gradient norm ${gradNorm[0]} is not finite at step ${optimizer.step + 1}; weights unchanged`);
  }
  applyGradients(optimizer, mean, norm);
  tf.dispose([lossSum, norm, ...Object.values(mean)]);
  return { step: optimizer.step, loss: loss[0] / micro.length, gradNorm: gradNorm[0], lr };
}

/** A list of micro-batches, as opposed to one batch given as a list of rows. */
function isMicroBatchList(batch: TrainBatch | readonly TrainBatch[]): batch is readonly TrainBatch[] {
  if (!Array.isArray(batch)) return false;
  const first = batch[0] as unknown;
  return first !== undefined && (Array.isArray(first) || (typeof first === 'object' && first !== null && 'promptColumns' in first));
}
