/**
 * Per-token log-probs of given responses (docs/architecture.md §5) with perception/reasoning masks, for SFT, GRPO and
 * evaluation. Rows are laid out so every response starts in the same column:
 *
 *   columns  [0 … Tp)                       [Tp … Tp+R)
 *   row b    PAD… BOS query EOS prefix       response_b  PAD…
 *
 * Prompts are left-padded (pad keys masked, text positions counted from the row's BOS) and responses
 * right-padded, with Tp and R rounded up to a bucket (default 64) so only a few shapes ever reach the
 * backend. Outputs are response-aligned [B, R]: column k is response token k of every row.
 */
import * as tf from '@tensorflow/tfjs';
import { PAD } from '../tokenizer.ts';
import { patchCount, patchDim, type ModelConfig } from './config.ts';
import { headLogits, headTable, hiddenStates, patchify } from './forward.ts';
import { MASKED } from './layers.ts';
import { responseSpans } from '../prompt.ts';
import type { Vlm } from './vlm.ts';
import { fusedBackend, headLogprobsApplies, headLogprobsFused } from '../webgpu/index.ts';

export interface ScoreRow {
  readonly pixels: Float32Array; // model input, inputSize² greyscale values
  readonly prompt: Int32Array; // promptTokens(query, forcedPrefix)
  readonly response: Int32Array; // the tokens to score
}

/** A batch laid out on the CPU, ready to upload (the same batch can be scored several times). */
export interface PreparedBatch {
  readonly rows: number; // B
  readonly promptColumns: number; // Tp
  readonly responseColumns: number; // R
  readonly responseLengths: Int32Array; // [B]
  readonly patches: Float32Array; // [B, P, patch²]
  readonly ids: Int32Array; // [B, Tp+R]
  readonly positions: Int32Array; // [B, Tp+R]
  readonly keyBias: Float32Array; // [B, P+Tp+R]
  readonly targets: Int32Array; // [B, R]
  readonly mask: Float32Array; // [B, R] 1 on every response token
  readonly maskP: Float32Array; // [B, R] 1 on perception tokens
  readonly maskR: Float32Array; // [B, R] 1 on reasoning tokens
}

/** Tensors a loss function receives; all [B, R] float32, response-aligned. */
// A type, not an interface: it then fits tf.tidy's TensorContainer (a record of tensors) without a cast.
export type TokenLogprobs = {
  readonly logp: tf.Tensor2D; // log p(response token k | image, prompt, response[<k])
  readonly mask: tf.Tensor2D; // 1 on real response tokens (tags included)
  readonly maskP: tf.Tensor2D; // 1 strictly inside <caption>…</caption>
  readonly maskR: tf.Tensor2D; // 1 after </caption>
};

export const roundUp = (n: number, bucket: number): number => Math.max(bucket, Math.ceil(n / bucket) * bucket);

/** Lays out `rows` (see the file comment). Throws naming the row when it does not fit the model. */
export function prepareBatch(c: ModelConfig, rows: readonly ScoreRow[], bucket = 64): PreparedBatch {
  if (rows.length === 0) throw new Error('prepareBatch: empty batch');
  const b = rows.length;
  rows.forEach((row, i) => {
    if (row.prompt.length === 0) throw new Error(`prepareBatch: row ${i} has an empty prompt (it needs at least BOS)`);
    if (row.prompt.length + row.response.length > c.maxText) {
      throw new Error(`prepareBatch: row ${i} has ${row.prompt.length} prompt + ${row.response.length} response tokens, over model.maxText ${c.maxText}`);
    }
  });
  const tp = roundUp(Math.max(...rows.map((r) => r.prompt.length)), bucket);
  const r = roundUp(Math.max(...rows.map((r) => r.response.length)), bucket);
  const t = tp + r;
  const prefix = patchCount(c);
  const out = {
    rows: b,
    promptColumns: tp,
    responseColumns: r,
    responseLengths: Int32Array.from(rows, (row) => row.response.length),
    patches: new Float32Array(b * prefix * patchDim(c)),
    ids: new Int32Array(b * t).fill(PAD),
    positions: new Int32Array(b * t),
    keyBias: new Float32Array(b * (prefix + t)),
    targets: new Int32Array(b * r).fill(PAD),
    mask: new Float32Array(b * r),
    maskP: new Float32Array(b * r),
    maskR: new Float32Array(b * r),
  };
  rows.forEach((row, i) => {
    out.patches.set(patchify(row.pixels, c, `prepareBatch: row ${i} pixels`), i * prefix * patchDim(c));
    const start = tp - row.prompt.length; // first real column
    out.ids.set(row.prompt, i * t + start);
    out.ids.set(row.response, i * t + tp);
    for (let col = start; col < tp + row.response.length; col++) out.positions[i * t + col] = col - start;
    for (let col = 0; col < start; col++) out.keyBias[i * (prefix + t) + prefix + col] = MASKED;
    out.targets.set(row.response, i * r);
    out.mask.fill(1, i * r, i * r + row.response.length);
    const spans = responseSpans(row.prompt, row.response);
    out.maskP.fill(1, i * r + spans.perception[0], i * r + spans.perception[1]);
    out.maskR.fill(1, i * r + spans.reasoning[0], i * r + spans.reasoning[1]);
  });
  return out;
}

/** Per-token log-probs and masks of a prepared batch. Pure: call inside tf.tidy (or a gradient function). */
export function tokenLogprobs(m: Vlm, batch: PreparedBatch): TokenLogprobs {
  const { rows: b, promptColumns: tp, responseColumns: r } = batch;
  const prefix = patchCount(m.config);
  const t = tp + r;
  const h = hiddenStates(m, {
    patches: tf.tensor3d(batch.patches, [b, prefix, patchDim(m.config)]), // [B, P, patch²]
    ids: tf.tensor2d(batch.ids, [b, t], 'int32'), // [B, T]
    positions: tf.tensor2d(batch.positions, [b, t], 'int32'), // [B, T]
    keyBias: tf.tensor4d(batch.keyBias, [b, 1, 1, prefix + t]), // [B, 1, 1, P+T]
  }); // [B, P+T, d]
  const predicting = tf.slice(h, [0, prefix + tp - 1, 0], [b, r, m.config.d]) as tf.Tensor3D; // [B, R, d]: column k predicts token k
  const targets = tf.tensor2d(batch.targets, [b, r], 'int32'); // [B, R]
  return {
    logp: headLogprobs(predicting, headTable(m), m.config.tiedHead, targets) as tf.Tensor2D, // [B, R]
    mask: tf.tensor2d(batch.mask, [b, r]), // [B, R]
    maskP: tf.tensor2d(batch.maskP, [b, r]), // [B, R]
    maskR: tf.tensor2d(batch.maskR, [b, r]), // [B, R]
  };
}

/**
 * log softmax(logits)[target] of hidden states h [B, R, d] under a head table (forward.ts headTable), targets
 * int32 [B, R] → [B, R]. One op each way on webgpu (src/webgpu/logprobs.ts), else the tfjs ops below.
 */
export function headLogprobs(h: tf.Tensor3D, table: tf.Tensor2D, tied: boolean, targets: tf.Tensor2D): tf.Tensor2D {
  const fused = fusedBackend();
  if (fused && headLogprobsApplies(h, table, tied, targets)) return headLogprobsFused(fused, h, table, tied, targets) as tf.Tensor2D;
  const z = headLogits(h, table, tied); // [B, R, V]
  const picked = tf.sum(tf.mul(z, tf.oneHot(targets, z.shape[2])), -1); // [B, R]
  return tf.sub(picked, tf.logSumExp(z, -1)) as tf.Tensor2D; // [B, R]
}

/** Scores `rows` (no gradients); the caller disposes the returned tensors (`disposeTokenLogprobs`). */
export function scoreLogprobs(m: Vlm, rows: readonly ScoreRow[] | PreparedBatch, bucket = 64): TokenLogprobs {
  const batch = 'rows' in rows && !Array.isArray(rows) ? (rows as PreparedBatch) : prepareBatch(m.config, rows as ScoreRow[], bucket);
  return tf.tidy(() => tokenLogprobs(m, batch));
}

export function disposeTokenLogprobs(t: TokenLogprobs): void {
  tf.dispose([t.logp, t.mask, t.maskP, t.maskR]);
}

/** Downloaded per-row log-probs of the response tokens (length = each response's length). */
export async function responseLogprobs(m: Vlm, rows: readonly ScoreRow[], bucket = 64): Promise<Float32Array[]> {
  const batch = prepareBatch(m.config, rows, bucket);
  const logp = tf.tidy(() => tokenLogprobs(m, batch).logp); // [B, R]
  const values = (await logp.data()) as Float32Array;
  logp.dispose();
  return rows.map((_, i) => values.slice(i * batch.responseColumns, i * batch.responseColumns + batch.responseLengths[i]));
}
