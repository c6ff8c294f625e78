/**
 * An AdamW update queued before anyone knows whether its step was finite (trainStep, train.ts): the device
 * decides, so a step is queued whole and the GPU never waits for a read-back in its middle. The update is
 * refused — p, m and v left as they were — when the loss or the gradient norm is not finite, or when a step
 * queued before it on the same optimizer was refused: the steps behind a refused one took their gradients on
 * weights their caller will be told did not move. Reading a refusal back (settle(false)) rolls the step
 * counter back and starts the chain over for the steps queued after that.
 *
 * On webgpu one packed form (src/webgpu/guarded-step.ts); elsewhere the reference ops below: the clip scale turned
 * negative through tf.where, and AdamW.apply's guarded form. The chain lives on the device in either form, in
 * different places, so the form may not change while steps are unread.
 */
import * as tf from '@tensorflow/tfjs';
import type { AdamW } from './adamw.ts';
import { globalNorm, type Grads } from './grad-norm.ts';
import { fusedBackend, fusedOptimizer, type GuardedEntry, packedApplies, packedUpdateOn, queueGuardedAdamw, releaseGuarded } from '../webgpu/index.ts';

/**
 * Per optimizer: the chain's generation (a refusal read back starts the next), whether the next queued step
 * starts the chain over, the steps queued and not read back, and (reference form) 1 while every step of this
 * generation was accepted ([] bool, on the device; dropped once nothing is unread).
 */
interface Chain {
  generation: number;
  restart: boolean;
  unread: number;
  form?: 'packed' | 'reference'; // of the unread steps: the two forms keep the chain in different places
  ok?: tf.Scalar;
}
const chains = new WeakMap<AdamW, Chain>();
const chainOf = (optimizer: AdamW): Chain => {
  let c = chains.get(optimizer);
  if (!c) {
    chains.set(optimizer, (c = { generation: 0, restart: false, unread: 0 }));
    optimizer.onDispose(releaseOf(optimizer));
  }
  return c;
};

/** Updates queued in each form since the process started (parity checks assert which form ran). */
export const guardedForms = { packed: 0, reference: 0 };

export interface QueuedUpdate {
  readonly verdict: tf.Tensor1D; // [loss, pre-clip norm, 1 accepted / 0 refused]; the caller reads and disposes it
  readonly step: number; // the update's 1-based step
  /** Call once with the verdict read back: a refusal rolls the step counter back and restarts the chain. */
  settle(accepted: boolean): void;
}

/**
 * Queues one AdamW update of `grads` (clipped to the optimizer's clipNorm) behind the device's verdict on
 * `loss` and the gradient norm; `alsoFinite`: scalars the update must be refused over too (an SFT step's
 * parts). `gradScale`: the gradients come multiplied by 1 / gradScale (mixed precision's loss scale), and the
 * update takes them back to their own size inside the clip factor — one multiply of a scalar instead of one
 * dispatch per parameter (~100 at `base`); the verdict's norm is the gradients' own. Neither `grads` nor
 * `loss` is disposed.
 */
export function queueGuardedUpdate(optimizer: AdamW, grads: Grads, loss: tf.Scalar, alsoFinite: readonly tf.Scalar[] = [], gradScale = 1): QueuedUpdate {
  if (alsoFinite.length > 0) {
    // loss + Σ 0·extra: exactly loss while every extra is finite, NaN as soon as one is not.
    const guarded = tf.tidy(() => tf.add(loss, tf.addN(alsoFinite.map((x) => tf.mul(0, x)))) as tf.Scalar);
    const update = queueGuardedUpdate(optimizer, grads, guarded, [], gradScale);
    guarded.dispose();
    return update;
  }
  const chain = chainOf(optimizer);
  const restart = chain.restart;
  chain.restart = false;
  const generation = chain.generation;
  const step = optimizer.step + 1;
  const entries = entriesOf(optimizer, grads);
  const form = packedUpdateOn() && fusedOptimizer() !== undefined && packedApplies(entries, loss) ? 'packed' : 'reference';
  if (chain.unread > 0 && chain.form !== form) {
    throw new Error(
      `queueGuardedUpdate: the ${form} form with ${chain.unread} ${chain.form} step(s) not read back (the fused kernels or ASYMFLOW_PACKED_UPDATE changed mid-run)`,
    );
  }
  chain.form = form;
  const verdict =
    form === 'packed' ? packedUpdate(optimizer, entries, loss, restart, gradScale) : referenceUpdate(optimizer, grads, loss, chain, restart, gradScale);
  chain.unread++;
  return {
    verdict,
    step,
    settle: (accepted) => {
      chain.unread--;
      if (!accepted) {
        optimizer.step = Math.min(optimizer.step, step - 1);
        // Steps queued behind this one were refused with it; their read-backs must not restart a newer chain.
        if (chain.generation !== generation) return;
        chain.generation++;
        chain.restart = true;
        dropChainTensor(chain);
      } else if (chain.unread === 0) dropChainTensor(chain);
    },
  };
}

const entriesOf = (optimizer: AdamW, grads: Grads): GuardedEntry[] =>
  [...optimizer.params.keys()]
    .filter((name) => grads[name] !== undefined)
    .map((name) => {
      const p = optimizer.params.get(name)!;
      return { p, m: optimizer.m.get(name)!, v: optimizer.v.get(name)!, g: grads[name], decay: optimizer.decays(name, p) };
    });

function packedUpdate(optimizer: AdamW, entries: readonly GuardedEntry[], loss: tf.Scalar, restart: boolean, gradScale: number): tf.Tensor1D {
  const c = optimizer.config;
  const { lr, bc1, bc2 } = optimizer.advance();
  const verdict = queueGuardedAdamw(fusedBackend()!, optimizer, entries, loss, {
    lr,
    beta1: c.beta1,
    beta2: c.beta2,
    eps: c.eps,
    bc1,
    bc2,
    keep: 1 - lr * c.weightDecay,
    clip: c.clipNorm,
    reset: restart,
    gradScale,
  });
  guardedForms.packed++;
  return verdict;
}

function referenceUpdate(optimizer: AdamW, grads: Grads, loss: tf.Scalar, chain: Chain, restart: boolean, gradScale: number): tf.Tensor1D {
  guardedForms.reference++;
  return tf.tidy(() => {
    const norm = gradScale === 1 ? globalNorm(grads) : tf.mul(globalNorm(grads), gradScale); // [] the gradients' own
    const finite = tf.logicalAnd(tf.isFinite(loss), tf.isFinite(norm)); // [] bool
    const before = restart ? undefined : chain.ok;
    const ok = before ? tf.logicalAnd(before, finite) : finite; // [] bool
    const clip = optimizer.config.clipNorm;
    const clipFactor: tf.Tensor = clip > 0 ? tf.minimum(1, tf.div(clip, tf.add(norm, 1e-6))) : tf.scalar(1); // []
    const clipScale = gradScale === 1 ? clipFactor : tf.mul(clipFactor, gradScale); // []
    optimizer.apply(grads, tf.where(ok, clipScale, tf.scalar(-1)) as tf.Scalar, true);
    chain.ok?.dispose();
    chain.ok = tf.keep(ok as tf.Scalar);
    return tf.stack([loss, norm, tf.cast(ok, 'float32')]) as tf.Tensor1D; // [3]
  });
}

function dropChainTensor(chain: Chain): void {
  chain.ok?.dispose();
  chain.ok = undefined;
}

/** Releases everything kept for `optimizer`'s guarded updates; registered with AdamW.onDispose by chainOf. */
const releasers = new WeakMap<AdamW, () => void>();
function releaseOf(optimizer: AdamW): () => void {
  let release = releasers.get(optimizer);
  if (!release) {
    release = () => {
      const chain = chains.get(optimizer);
      if (chain) dropChainTensor(chain);
      chains.delete(optimizer);
      releaseGuarded(optimizer);
    };
    releasers.set(optimizer, release);
  }
  return release;
}
