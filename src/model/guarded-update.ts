/**
 * An AdamW update queued before anyone knows whether its step was finite (trainStep, train.ts): the device
 * decides, so a step is queued whole and the GPU never waits for a read-back in its middle. The update is
 * refused — p, m and v left as they were — when the loss or the gradient norm is not finite, or when a step
 * queued before it on the same optimizer was refused: the steps behind a refused one took their gradients on
 * weights their caller will be told did not move. Reading a refusal back (refuseUpdate) rolls the step
 * counter back and starts the chain over for the steps queued after that.
 *
 * On webgpu one packed form (webgpu-guarded-step.ts); elsewhere, or when a variable shares its buffer, the
 * reference ops below: the clip scale turned negative through tf.where, and AdamW.apply's guarded form.
 */
import * as tf from '@tensorflow/tfjs';
import type { AdamW } from './adamw.ts';
import { globalNorm, type Grads } from './grad-norm.ts';
import { fusedBackend } from './webgpu-raw.ts';
import { queueGuardedAdamw } from './webgpu-guarded-step.ts';
import { fusedOptimizer } from './webgpu-fused.ts';

/** Reference form: per optimizer, 1 while every step queued so far was accepted ([] bool, on the device). */
const acceptedSoFar = new WeakMap<AdamW, tf.Scalar>();
/** A refusal was read back since the last queued step: the next one starts the chain over (both forms). */
const restartChain = new WeakSet<AdamW>();
let packedForm = true;

/** ASYMFLOW_PACKED_UPDATE=0: the reference form on webgpu too (A/B runs). Returns the previous setting. */
export function setPackedUpdate(on: boolean): boolean {
  const was = packedForm;
  packedForm = on;
  return was;
}

/** Updates queued in each form since the process started (parity checks assert which form ran). */
export const guardedForms = { packed: 0, reference: 0 };

/**
 * Queues one AdamW update of `grads` (clipped to the optimizer's clipNorm) behind the device's verdict on
 * `loss` and the gradient norm. Returns [loss, pre-clip norm, 1 accepted / 0 refused] ([3], caller disposes).
 * Neither `grads` nor `loss` is disposed.
 */
export function queueGuardedUpdate(optimizer: AdamW, grads: Grads, loss: tf.Scalar): tf.Tensor1D {
  const restart = restartChain.has(optimizer);
  restartChain.delete(optimizer);
  const b = packedForm && fusedOptimizer() ? fusedBackend() : undefined;
  if (b) {
    const names = [...optimizer.params.keys()].filter((name) => grads[name] !== undefined);
    const entries = names.map((name) => {
      const p = optimizer.params.get(name)!;
      return { p, m: optimizer.m.get(name)!, v: optimizer.v.get(name)!, g: grads[name], decay: optimizer.decays(name, p) };
    });
    const c = optimizer.config;
    const step = optimizer.step + 1;
    const lr = optimizer.lr;
    const verdict = queueGuardedAdamw(b, optimizer, entries, loss, {
      lr, beta1: c.beta1, beta2: c.beta2, eps: c.eps, bc1: 1 - c.beta1 ** step, bc2: 1 - c.beta2 ** step,
      keep: 1 - lr * c.weightDecay, clip: c.clipNorm, reset: restart,
    });
    if (verdict) {
      optimizer.advance();
      guardedForms.packed++;
      return verdict;
    }
  }
  guardedForms.reference++;
  return tf.tidy(() => {
    const norm = globalNorm(grads); // []
    const finite = tf.logicalAnd(tf.isFinite(loss), tf.isFinite(norm)); // [] bool
    const before = restart ? undefined : acceptedSoFar.get(optimizer);
    const ok = before ? tf.logicalAnd(before, finite) : finite; // [] bool
    const clip = optimizer.config.clipNorm;
    const clipScale: tf.Tensor = clip > 0 ? tf.minimum(1, tf.div(clip, tf.add(norm, 1e-6))) : tf.scalar(1); // []
    optimizer.apply(grads, tf.where(ok, clipScale, tf.scalar(-1)) as tf.Scalar, true);
    acceptedSoFar.get(optimizer)?.dispose();
    acceptedSoFar.set(optimizer, tf.keep(ok as tf.Scalar));
    return tf.stack([loss, norm, tf.cast(ok, 'float32')]) as tf.Tensor1D; // [3]
  });
}

/** After reading back a refusal of update `step`: no weight moved from it on; the next queued step starts over. */
export function refuseUpdate(optimizer: AdamW, step: number): void {
  optimizer.step = Math.min(optimizer.step, step - 1);
  acceptedSoFar.get(optimizer)?.dispose();
  acceptedSoFar.delete(optimizer);
  restartChain.add(optimizer);
}
