/**
 * The GRPO policy loss (docs/architecture.md §5) over per-token tensors [B, T]:
 *   ratio     = exp(clamp(logp − logp_old, ±20))                (token level; GSPO: one per sequence)
 *   surrogate = −min(ratio·A, clip(ratio, 1−εlow, 1+εhigh)·A);  for A < 0 also capped at −c·A (dual clip, c = 3)
 *   kl (k3)   = exp(ref − logp) − (ref − logp) − 1, clamped to ±10
 *   loss      = aggregate(surrogate + β·kl)   with `token-mean` or `seq-mean-token-mean`
 * Returns the loss and the statistics the dashboard shows (clip fractions, KL), as scalars.
 */
import * as tf from '@tensorflow/tfjs';

export type LossAggregation = 'token-mean' | 'seq-mean-token-mean';

export interface GrpoLossConfig {
  readonly clipLow: number; // ε_low, e.g. 0.2
  readonly clipHigh: number; // ε_high, e.g. 0.2 (or 0.28 for clip-higher)
  readonly dualClip: number; // c, 3
  readonly klCoef: number; // β
  readonly aggregation: LossAggregation;
  readonly gspo: boolean; // sequence-level ratio (geometric mean of token ratios)
}

export const GRPO_LOSS_DEFAULTS: GrpoLossConfig = {
  clipLow: 0.2,
  clipHigh: 0.2,
  dualClip: 3,
  klCoef: 0.01,
  aggregation: 'token-mean',
  gspo: false,
};

export interface GrpoInputs {
  readonly logp: tf.Tensor2D; // [B, T] current policy
  readonly oldLogp: tf.Tensor2D; // [B, T] policy that sampled
  readonly refLogp: tf.Tensor2D; // [B, T] frozen reference
  readonly advantages: tf.Tensor2D; // [B, T] per-token advantages (after any token reweighting)
  readonly mask: tf.Tensor2D; // [B, T] 1 on trained response tokens
}

export interface GrpoLoss {
  readonly loss: tf.Scalar;
  readonly kl: tf.Scalar; // mean k3 over masked tokens
  readonly clipFracLow: tf.Scalar; // fraction of masked tokens where the lower clip is active
  readonly clipFracHigh: tf.Scalar; // … the upper clip
  readonly dualClipFrac: tf.Scalar; // … the dual clip
}

/** Masked aggregation of a per-token quantity [B, T] into a scalar. */
export function aggregate(values: tf.Tensor2D, mask: tf.Tensor2D, how: LossAggregation): tf.Scalar {
  return tf.tidy(() => {
    const masked = tf.mul(values, mask); // [B, T]
    if (how === 'token-mean') return tf.div(tf.sum(masked), tf.maximum(tf.sum(mask), 1)) as tf.Scalar;
    const perSeq = tf.div(tf.sum(masked, 1), tf.maximum(tf.sum(mask, 1), 1)); // [B]
    const hasTokens = tf.cast(tf.greater(tf.sum(mask, 1), 0), 'float32'); // [B]
    return tf.div(tf.sum(tf.mul(perSeq, hasTokens)), tf.maximum(tf.sum(hasTokens), 1)) as tf.Scalar;
  });
}

function maskedFraction(condition: tf.Tensor2D, mask: tf.Tensor2D): tf.Scalar {
  return aggregate(tf.cast(condition, 'float32') as tf.Tensor2D, mask, 'token-mean');
}

export function grpoLoss(inputs: GrpoInputs, config: GrpoLossConfig = GRPO_LOSS_DEFAULTS): GrpoLoss {
  return tf.tidy(() => {
    const { logp, oldLogp, refLogp, advantages: adv, mask } = inputs;
    let logRatio = tf.clipByValue(tf.sub(logp, oldLogp), -20, 20) as tf.Tensor2D; // [B, T]
    if (config.gspo) {
      // GSPO: the sequence's mean token log-ratio, broadcast back to its tokens.
      const seqMean = tf.div(tf.sum(tf.mul(logRatio, mask), 1, true), tf.maximum(tf.sum(mask, 1, true), 1)); // [B, 1]
      logRatio = tf.mul(tf.onesLike(logRatio), seqMean) as tf.Tensor2D; // [B, T]
    }
    const ratio = tf.exp(logRatio) as tf.Tensor2D; // [B, T]
    const clipped = tf.clipByValue(ratio, 1 - config.clipLow, 1 + config.clipHigh); // [B, T]
    const unclippedObj = tf.mul(ratio, adv); // [B, T]
    const clippedObj = tf.mul(clipped, adv); // [B, T]
    const pgLoss = tf.neg(tf.minimum(unclippedObj, clippedObj)); // [B, T]
    // Dual clip: for negative advantages, the loss is capped at −c·A (a huge ratio cannot blow it up).
    const negative = tf.less(adv, 0); // [B, T]
    const dualCap = tf.mul(-config.dualClip, adv); // [B, T]
    // Written with minimum, not a where on a logicalAnd mask: LogicalAnd has no gradient in tfjs.
    const policyLoss = tf.where(negative, tf.minimum(pgLoss, dualCap), pgLoss) as tf.Tensor2D; // [B, T]
    const dualActive = tf.logicalAnd(negative, tf.greater(pgLoss, dualCap)) as tf.Tensor2D; // [B, T] (statistics only)
    const delta = tf.clipByValue(tf.sub(refLogp, logp), -20, 20); // [B, T]
    const k3 = tf.clipByValue(tf.sub(tf.sub(tf.exp(delta), delta), 1), -10, 10) as tf.Tensor2D; // [B, T]
    const perToken = tf.add(policyLoss, tf.mul(config.klCoef, k3)) as tf.Tensor2D; // [B, T]
    // The clip is "active" where the clipped term won the min and differs from the unclipped one.
    const clipWins = tf.less(clippedObj, unclippedObj); // [B, T]
    const low = tf.logicalAnd(clipWins, tf.less(ratio, 1 - config.clipLow)) as tf.Tensor2D;
    const high = tf.logicalAnd(clipWins, tf.greater(ratio, 1 + config.clipHigh)) as tf.Tensor2D;
    return {
      loss: aggregate(perToken, mask, config.aggregation),
      kl: aggregate(k3, mask, 'token-mean'),
      clipFracLow: maskedFraction(low, mask),
      clipFracHigh: maskedFraction(high, mask),
      dualClipFrac: maskedFraction(dualActive, mask),
    };
  });
}
