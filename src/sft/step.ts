/**
 * One SFT update with its asymmetry diagnostics (docs/architecture.md §5). Every objective runs two backward passes —
 * the perception part and the reasoning part of the loss — so the per-step gradient norms and shares are
 * measured the same way for all objectives, and the update is their exact sum:
 *
 *   standard : parts Σ_p ℓ / N and Σ_r ℓ / N         (N = response tokens in the batch) → token-mean CE
 *   lambda   : parts λ·mean_b(Lp/|p|), (1−λ)·mean_b(Lr/|r|)
 *   ngdiff   : raw parts g_p = ∇mean_b(Lp/|p|), g_r = ∇mean_b(Lr/|r|); λ = ‖g_r‖/(‖g_p‖+‖g_r‖) from their
 *              global norms (before clipping); update λ·g_p + (1−λ)·g_r
 *
 * Perception here is the caption WITH its two tags (everything before the reasoning span): the tags must be
 * learned for the response to parse, and under a λ objective a token in neither span would get no gradient.
 */
import * as tf from '@tensorflow/tfjs';
import type { AdamW } from '../model/adamw.ts';
import type { PreparedBatch, TokenLogprobs } from '../model/logprobs.ts';
import { combineGradients, disposeGradients, gradients, type Grads } from '../model/train.ts';
import { queueGuardedUpdate } from '../model/guarded-update.ts';
import { refusalOf, withLossScale } from '../model/loss-scale.ts';
import type { Vlm } from '../model/vlm.ts';
import { yieldIfDue } from '../event-loop.ts';
import { objectiveLambda, partLoss, partWeights, partWeightValues, perceptionShares, type SftObjective, type TokenBatch } from './objective.ts';

export interface SftStepStats {
  readonly step: number; // optimizer steps done
  readonly loss: number; // the objective's value
  readonly lossP: number; // mean_b Lp/|p|
  readonly lossR: number; // mean_b Lr/|r|
  readonly lambda: number; // λ in use (standard: the batch's perception token fraction)
  readonly gradNormP: number; // ‖∇ perception part of the objective‖
  readonly gradNormR: number; // ‖∇ reasoning part of the objective‖
  readonly gradShareP: number; // gradNormP / (gradNormP + gradNormR)
  readonly rawGradNormP: number; // ‖∇ mean_b Lp/|p|‖ (what NGDiff balances); equals gradNormP/λ for λ objectives
  readonly rawGradNormR: number;
  readonly gradNorm: number; // global norm of the update before clipping
  readonly tokenFraction: number; // perception tokens / response tokens in the batch
  readonly lossShareP: number; // perception share of the summed token losses
  readonly tokens: number; // response tokens in the batch
  readonly lr: number;
}

/** The objective's token batch: the perception mask includes the caption tags (every response token before the reasoning span). */
const tokenBatch = (out: TokenLogprobs): TokenBatch => ({ logp: out.logp, maskP: tf.sub(out.mask, out.maskR) as tf.Tensor2D, maskR: out.maskR }); // [B, R] each

/** Batch token counts from the prepared layout (CPU-side, no GPU read). */
function tokenCounts(batch: PreparedBatch): { p: number; r: number; all: number } {
  let p = 0;
  let r = 0;
  let all = 0;
  for (let i = 0; i < batch.mask.length; i++) {
    all += batch.mask[i];
    r += batch.maskR[i];
  }
  p = all - r;
  return { p, r, all };
}

/**
 * The whole update is queued before anything is read back — both backward passes, λ (NGDiff's from the two
 * norms, on the device), the combined gradient and the guarded AdamW update (model/guarded-update.ts) —
 * then one read-back of every figure: the GPU never waits for the CPU in the middle of a step. A part whose
 * loss or norm is not finite refuses the update on the device; the step then throws "weights unchanged".
 */
export async function sftStep(model: Vlm, optimizer: AdamW, batch: PreparedBatch, objective: SftObjective): Promise<SftStepStats> {
  const counts = tokenCounts(batch);
  const tokenFraction = counts.all > 0 ? counts.p / counts.all : 0;
  const lr = optimizer.lr;
  const standard = objective.kind === 'standard';
  const { step, partP, partR, normP, normR, deviceLambda, gradNorm, accepted } = await withLossScale(optimizer, (scale) =>
    queueSftUpdate(model, optimizer, batch, objective, tokenFraction, scale),
  );
  if (!accepted) {
    throw new Error(
      `sftStep: losses ${partP}/${partR} or gradient norms ${normP}/${normR} (perception/reasoning) are not finite at step ${step}; weights unchanged`,
    );
  }
  // λ and the weights as the update used them: exact numbers for standard and λ, NGDiff's from the device.
  const lambdaUsed = objective.kind === 'ngdiff' ? deviceLambda : objective.kind === 'lambda' ? objective.lambda : tokenFraction;
  const [wP, wR] = partWeightValues(objective, lambdaUsed);

  // The span means for logging; under standard the passes computed token sums, so rescale by the counts.
  const meanP = standard ? (partP * counts.all) / Math.max(counts.p, 1) : partP;
  const meanR = standard ? (partR * counts.all) / Math.max(counts.r, 1) : partR;
  const contributionP = wP * normP;
  const contributionR = wR * normR;
  const shares = perceptionShares(counts.p, counts.r, meanP, meanR, contributionP, contributionR);
  return {
    step,
    loss: standard ? partP + partR : wP * partP + wR * partR,
    lossP: meanP,
    lossR: meanR,
    lambda: lambdaUsed,
    gradNormP: contributionP,
    gradNormR: contributionR,
    gradShareP: shares.gradShare,
    rawGradNormP: standard ? Number.NaN : normP,
    rawGradNormR: standard ? Number.NaN : normR,
    gradNorm,
    tokenFraction,
    lossShareP: shares.lossShare,
    tokens: counts.all,
    lr,
  };
}

/** One attempt at the update: both backward passes, λ, the combined gradient and the guarded update, one read-back. */
async function queueSftUpdate(model: Vlm, optimizer: AdamW, batch: PreparedBatch, objective: SftObjective, tokenFraction: number, lossScale: number) {
  // Pass 1 and 2: the objective's two parts (objective.ts): the raw span means (NGDiff, λ) or the token-sum parts (standard).
  // Gradients stay loss-scaled (their norms are their own): the guarded update divides inside its clip factor.
  const gP = gradients(model, batch, (out) => partLoss(objective, tokenBatch(out), 'perception'), lossScale);
  await yieldIfDue(); // on cpu/wasm a pass is seconds of synchronous work: timers and signals run between them
  const gR = gradients(model, batch, (out) => partLoss(objective, tokenBatch(out), 'reasoning'), lossScale);
  const lambda = tf.tidy(() => objectiveLambda(objective, gP.norm, gR.norm, tokenFraction)); // []
  const [weightP, weightR] = partWeights(objective, lambda);
  const update: Grads = combineGradients([
    [weightP, gP.grads],
    [weightR, gR.grads],
  ]);
  const objectiveLoss = tf.tidy(() => tf.add(tf.mul(weightP, gP.loss), tf.mul(weightR, gR.loss)) as tf.Scalar); // []
  const queued = queueGuardedUpdate(optimizer, update, objectiveLoss, [gP.loss, gR.loss, gP.norm, gR.norm], 1 / lossScale);
  const figures = tf.tidy(() => tf.concat([tf.stack([gP.loss, gR.loss, gP.norm, gR.norm, lambda]), queued.verdict])); // [8]
  tf.dispose([objectiveLoss, lambda, weightP, weightR, queued.verdict, ...Object.values(update)]);
  disposeGradients(gP);
  disposeGradients(gR);
  const [partP, partR, normP, normR, deviceLambda, , gradNorm, accepted] = await figures.data();
  figures.dispose();
  queued.settle(accepted === 1);
  const refusal = refusalOf(partP + partR, Math.abs(normP) + Math.abs(normR));
  return { step: queued.step, partP, partR, normP, normR, deviceLambda, gradNorm, accepted: accepted === 1, refusal };
}
