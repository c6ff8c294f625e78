/**
 * SFT objectives over per-token log-probs (docs/architecture.md §5). Every function takes the model's per-token
 * log-probs of the target tokens and the perception/reasoning masks, all [B, T], and returns a scalar.
 *   standard : token-averaged cross entropy over all response tokens of the batch
 *   lambda   : per example λ·Lp/|p| + (1−λ)·Lr/|r|, then the batch mean
 *   ngdiff   : the lambda form with λ from the gradient norms of the two parts (see ngdiffLambda)
 * An example with an empty span contributes 0 for that span (guarded division), never NaN.
 * Training (step.ts) differentiates the two parts of an objective separately — `partLoss` — and adds their
 * gradients with `partWeights`: the same formulas as the whole losses here, split for the per-part norms.
 */
import * as tf from '@tensorflow/tfjs';

// The objective's name and parser live apart from the tensor code, so config and CLI help load no tfjs.
import type { SftObjective } from './objective-spec.ts';
export { objectiveName, parseObjective, type SftObjective } from './objective-spec.ts';

export interface TokenBatch {
  readonly logp: tf.Tensor2D; // [B, T] log-prob of each target token
  readonly maskP: tf.Tensor2D; // [B, T] 1 on perception tokens
  readonly maskR: tf.Tensor2D; // [B, T] 1 on reasoning tokens
}

/** Token-averaged cross entropy over every response token in the batch. */
export function standardLoss({ logp, maskP, maskR }: TokenBatch): tf.Scalar {
  return tf.tidy(() => {
    const mask = tf.add(maskP, maskR); // [B, T]
    const total = tf.sum(tf.mul(logp, mask)); // []
    return tf.div(tf.neg(total), tf.maximum(tf.sum(mask), 1)) as tf.Scalar; // []
  });
}

/** Per-example mean NLL over one span: [B]; 0 where the span is empty. */
export function spanLoss(logp: tf.Tensor2D, mask: tf.Tensor2D): tf.Tensor1D {
  return tf.tidy(() => {
    const nll = tf.neg(tf.sum(tf.mul(logp, mask), 1)); // [B]
    return tf.div(nll, tf.maximum(tf.sum(mask, 1), 1)) as tf.Tensor1D; // [B]
  });
}

/** Batch means of Lp/|p| and Lr/|r| as scalars (the two NGDiff passes and the per-step diagnostics). */
export function perceptionLoss(batch: TokenBatch): tf.Scalar {
  return tf.tidy(() => tf.mean(spanLoss(batch.logp, batch.maskP)) as tf.Scalar);
}
export function reasoningLoss(batch: TokenBatch): tf.Scalar {
  return tf.tidy(() => tf.mean(spanLoss(batch.logp, batch.maskR)) as tf.Scalar);
}

/** λ·Lp/|p| + (1−λ)·Lr/|r| per example, then the batch mean. λ may be a number or a [B] tensor. */
export function reweightedLoss(batch: TokenBatch, lambda: number | tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => {
    const lp = spanLoss(batch.logp, batch.maskP); // [B]
    const lr = spanLoss(batch.logp, batch.maskR); // [B]
    const l = typeof lambda === 'number' ? tf.scalar(lambda) : lambda; // [] or [B]
    const perExample = tf.add(tf.mul(l, lp), tf.mul(tf.sub(1, l), lr)); // [B]
    return tf.mean(perExample) as tf.Scalar;
  });
}

/** Σ over the batch of −logp on `mask`, divided by every response token of the batch: []. */
export function tokenShareLoss({ logp, maskP, maskR }: TokenBatch, mask: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => tf.div(tf.neg(tf.sum(tf.mul(logp, mask))), tf.maximum(tf.sum(tf.add(maskP, maskR)), 1)) as tf.Scalar);
}

export type LossPart = 'perception' | 'reasoning';

/**
 * One part of the objective as training differentiates it: under standard the part's token sum over all
 * response tokens (the two parts add up to standardLoss), else the span mean mean_b(L/|span|) that λ weighs.
 */
export function partLoss(objective: SftObjective, batch: TokenBatch, part: LossPart): tf.Scalar {
  const mask = part === 'perception' ? batch.maskP : batch.maskR;
  if (objective.kind === 'standard') return tokenShareLoss(batch, mask);
  return tf.tidy(() => tf.mean(spanLoss(batch.logp, mask)) as tf.Scalar);
}

/**
 * λ of an update: NGDiff's from the two parts' gradient norms (on the device), the fixed λ, or under standard
 * the batch's perception token fraction (reported; standard weighs its token-sum parts 1 and 1).
 */
export function objectiveLambda(objective: SftObjective, normP: tf.Scalar, normR: tf.Scalar, tokenFraction: number): tf.Scalar {
  if (objective.kind === 'ngdiff') return ngdiffLambda(normP, normR);
  return tf.scalar(objective.kind === 'lambda' ? objective.lambda : tokenFraction);
}

/** The weights of the perception and reasoning parts' gradients: 1 and 1 under standard, else λ and 1 − λ. */
export function partWeights(objective: SftObjective, lambda: tf.Scalar): [tf.Scalar, tf.Scalar] {
  if (objective.kind === 'standard') return [tf.scalar(1), tf.scalar(1)];
  return [tf.clone(lambda), tf.tidy(() => tf.sub(1, lambda) as tf.Scalar)];
}

/** partWeights as numbers, from the λ the update used (read back). */
export function partWeightValues(objective: SftObjective, lambda: number): [number, number] {
  return objective.kind === 'standard' ? [1, 1] : [lambda, 1 - lambda];
}

/**
 * NGDiff's weight: λ = (1/‖g_p‖) / (1/‖g_p‖ + 1/‖g_r‖), i.e. ‖g_r‖/(‖g_p‖+‖g_r‖), so the part with the smaller
 * gradient gets the larger weight. Guards: a zero (or non-finite) norm means that part has no signal — its
 * span was empty — so all weight goes to the other part; both zero gives 0.5. Computed on the device, so an
 * SFT step is queued whole (step.ts) without reading the norms back first.
 */
export function ngdiffLambda(normP: tf.Scalar, normR: tf.Scalar): tf.Scalar {
  return tf.tidy(() => {
    const okP = tf.logicalAnd(tf.isFinite(normP), tf.greater(normP, 0)); // [] bool
    const okR = tf.logicalAnd(tf.isFinite(normR), tf.greater(normR, 0));
    const both = tf.div(normR, tf.add(normP, normR)); // []
    const oneSided = tf.where(okP, tf.scalar(1), tf.where(okR, tf.scalar(0), tf.scalar(0.5))); // []
    return tf.where(tf.logicalAnd(okP, okR), both, oneSided) as tf.Scalar;
  });
}

/** Diagnostics logged every step: the perception share of tokens, of the loss and of the gradient norm. */
export function perceptionShares(
  tokensP: number,
  tokensR: number,
  lossP: number,
  lossR: number,
  normP: number,
  normR: number,
): { tokenFraction: number; lossShare: number; gradShare: number } {
  const share = (p: number, r: number) => (p + r > 0 ? p / (p + r) : 0);
  return { tokenFraction: share(tokensP, tokensR), lossShare: share(lossP * tokensP, lossR * tokensR), gradShare: share(normP, normR) };
}
