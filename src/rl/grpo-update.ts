/**
 * The GPU update of one GRPO step (docs/architecture.md §5): PPO epochs over the step's rollouts, each split into
 * mini-batches, one AdamW step per mini-batch with the loss of grpo-loss.ts. Per-token advantages are the
 * sequence advantage, optionally rescaled by RL token reweighting (λ on perception, 1−λ on reasoning).
 * The sampling log-probs are the PPO "old" policy: the ratio is 1 on the first mini-batch of epoch 1.
 */
import * as tf from '@tensorflow/tfjs';
import type { AdamW } from '../model/adamw.ts';
import { prepareBatch, type PreparedBatch } from '../model/logprobs.ts';
import { trainStep } from '../model/train.ts';
import type { Vlm } from '../model/vlm.ts';
import type { Rng } from '../rng.ts';
import { tokenAdvantageScale } from './advantage.ts';
import { grpoLoss, type GrpoLossConfig } from './grpo-loss.ts';

export interface UpdateRow {
  readonly pixels: Float32Array;
  readonly prompt: Int32Array;
  readonly tokens: Int32Array; // the sampled response
  readonly oldLogprobs: Float32Array; // [tokens] under the sampling policy
  readonly refLogprobs: Float32Array; // [tokens] under the frozen reference
  readonly advantage: number;
}

export interface UpdateConfig {
  readonly loss: GrpoLossConfig;
  readonly epochs: number;
  readonly miniBatches: number; // optimizer steps per epoch
  readonly tokenLambda?: number; // RL token reweighting; undefined = off
  readonly bucket?: number; // padding bucket of prompt/response lengths (default 64)
  // Rows per forward/backward pass (0 = the whole mini-batch): micro-batch gradients are averaged into one
  // optimizer step, bounding activation memory (attention is [rows, heads, T, T]); each micro-batch's loss
  // is its own token mean, so micro-batches weigh equally.
  readonly microBatch?: number;
}

export interface UpdateStats {
  readonly loss: number; // mean over mini-batches
  readonly kl: number;
  readonly clipFracLow: number;
  readonly clipFracHigh: number;
  readonly dualClipFrac: number;
  readonly gradNorm: number;
  readonly lr: number; // of the last optimizer step
  readonly optimizerSteps: number;
}

/** The [B, R] CPU arrays of one mini-batch, response-aligned with `batch`. */
export function updateArrays(
  batch: PreparedBatch,
  rows: readonly UpdateRow[],
  tokenLambda?: number,
): { old: Float32Array; ref: Float32Array; adv: Float32Array } {
  const r = batch.responseColumns;
  const old = new Float32Array(rows.length * r);
  const ref = new Float32Array(rows.length * r);
  const adv = new Float32Array(rows.length * r);
  rows.forEach((row, i) => {
    const n = row.tokens.length;
    if (row.oldLogprobs.length !== n || row.refLogprobs.length !== n) {
      throw new Error(`applyGrpoUpdate: row ${i} has ${n} tokens but ${row.oldLogprobs.length} old / ${row.refLogprobs.length} reference log-probs`);
    }
    old.set(row.oldLogprobs, i * r);
    ref.set(row.refLogprobs, i * r);
    const scale =
      tokenLambda === undefined ? undefined : tokenAdvantageScale(tokenLambda, batch.maskP.subarray(i * r, i * r + n), batch.maskR.subarray(i * r, i * r + n));
    for (let k = 0; k < n; k++) adv[i * r + k] = row.advantage * (scale ? scale[k] : 1);
  });
  return { old, ref, adv };
}

/** Splits 0…n−1, shuffled by `rng`, into `parts` near-equal mini-batches. */
export function miniBatchIndices(n: number, parts: number, rng: Rng): number[][] {
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rng.next() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  return Array.from({ length: parts }, (_, p) => order.slice(Math.floor((p * n) / parts), Math.floor(((p + 1) * n) / parts))).filter((b) => b.length > 0);
}

export async function applyGrpoUpdate(model: Vlm, optimizer: AdamW, rows: readonly UpdateRow[], config: UpdateConfig, rng: Rng): Promise<UpdateStats> {
  if (rows.length === 0) throw new Error('applyGrpoUpdate: no rollouts');
  const sums = { loss: 0, kl: 0, clipFracLow: 0, clipFracHigh: 0, dualClipFrac: 0, gradNorm: 0 };
  let steps = 0;
  let lr = optimizer.lr;
  for (let epoch = 0; epoch < config.epochs; epoch++) {
    for (const indices of miniBatchIndices(rows.length, config.miniBatches, rng)) {
      const mine = indices.map((i) => rows[i]);
      const size = config.microBatch && config.microBatch > 0 ? config.microBatch : mine.length;
      const micro: { batch: PreparedBatch; inputs: { old: tf.Tensor2D; ref: tf.Tensor2D; adv: tf.Tensor2D } }[] = [];
      const kept: tf.Scalar[] = [];
      try {
        for (let m = 0; m < mine.length; m += size) {
          const part = mine.slice(m, m + size);
          const batch = prepareBatch(
            model.config,
            part.map((row) => ({ pixels: row.pixels, prompt: row.prompt, response: row.tokens })),
            config.bucket,
          );
          const { old, ref, adv } = updateArrays(batch, part, config.tokenLambda);
          const shape: [number, number] = [batch.rows, batch.responseColumns];
          micro.push({ batch, inputs: { old: tf.tensor2d(old, shape), ref: tf.tensor2d(ref, shape), adv: tf.tensor2d(adv, shape) } }); // [B, R] each
        }
        let call = 0; // trainStep runs the loss once per micro-batch, in order
        const result = await trainStep(
          model,
          optimizer,
          micro.map((x) => x.batch),
          (out) => {
            const { inputs } = micro[call++];
            const l = grpoLoss({ logp: out.logp, oldLogp: inputs.old, refLogp: inputs.ref, advantages: inputs.adv, mask: out.mask }, config.loss);
            // The statistics leave the gradient scope with tf.keep; they are read and disposed below.
            kept.push(...[l.kl, l.clipFracLow, l.clipFracHigh, l.dualClipFrac].map((t) => tf.keep(t)));
            return l.loss;
          },
        );
        const values = await Promise.all(kept.map(async (t) => (await t.data())[0]));
        const statMean = (k: number) => values.filter((_, i) => i % 4 === k).reduce((a, b) => a + b, 0) / micro.length;
        sums.loss += result.loss;
        sums.gradNorm += result.gradNorm;
        sums.kl += statMean(0);
        sums.clipFracLow += statMean(1);
        sums.clipFracHigh += statMean(2);
        sums.dualClipFrac += statMean(3);
        lr = result.lr;
        steps++;
      } finally {
        tf.dispose([...micro.flatMap((x) => [x.inputs.old, x.inputs.ref, x.inputs.adv]), ...kept]);
      }
    }
  }
  return {
    loss: sums.loss / steps,
    kl: sums.kl / steps,
    clipFracLow: sums.clipFracLow / steps,
    clipFracHigh: sums.clipFracHigh / steps,
    dualClipFrac: sums.dualClipFrac / steps,
    gradNorm: sums.gradNorm / steps,
    lr,
    optimizerSteps: steps,
  };
}
