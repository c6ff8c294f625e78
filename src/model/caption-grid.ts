/**
 * The caption grid (model.gridStart > 0): the text token at position gridStart + r·gridStride + c, the one
 * that predicts a grid caption's entry for cell (r, c), also receives patch (r, c)'s embedding.
 *
 * Why: a model trained from scratch must otherwise learn which of the 81 patches each entry of a Sudoku
 * caption reads. Measured with the tiny model (perception loss only, fresh 20-blank puzzles, batch 8, lr 3e-3,
 * wasm): without it L_p sat at the digit prior (2.02 nats) from step 75 to 175; sharing only the patch's
 * position vector with the text position left it there too (2.011 at step 150); with the patch's embedding
 * L_p fell to 0.79 by step 50 and 0.36 by step 75. The model still has to read each digit off its patch and
 * to write the answer; the grid only says where to look, as a layout-aware VLM's position scheme would.
 */
import * as tf from '@tensorflow/tfjs';
import { modelConfig, patchCount, type ModelConfig, type ModelSize } from './config.ts';

/** Which patch each text position reads under the caption grid, [maxText]; P (a zero row) for none. */
export function gridPatchOf(c: ModelConfig): Int32Array {
  const side = c.inputSize / c.patch;
  const out = new Int32Array(c.maxText).fill(side * side);
  if (c.gridStart === 0) return out;
  for (let r = 0; r < side; r++) for (let col = 0; col < side; col++) out[c.gridStart + r * c.gridStride + col] = r * side + col;
  return out;
}

/** Each row's image embeddings followed by a zero row, flattened for gathering: [B, P, d] → [B·(P+1), d]. */
export function gridRows(image: tf.Tensor3D): tf.Tensor2D {
  const [b, p, d] = image.shape;
  return tf.reshape(tf.concat([image, tf.zeros([b, 1, d])], 1), [b * (p + 1), d]); // [B·(P+1), d]
}

/** What the caption grid adds to text tokens at `positions` [B, T]: [B, T, d], zero off the grid. */
export function gridInput(c: ModelConfig, rows: tf.Tensor2D, positions: tf.Tensor2D): tf.Tensor3D {
  const [b, t] = positions.shape;
  const per = patchCount(c) + 1;
  const patch = tf.gather(tf.tensor1d(gridPatchOf(c), 'int32'), positions); // [B, T] in [0, P]
  const row = tf.add(patch, tf.reshape(tf.range(0, b * per, per, 'int32'), [b, 1])); // [B, T] into rows
  return tf.reshape(tf.gather(rows, tf.reshape(row, [b * t])), [b, t, c.d]); // [B, T, d]
}

/**
 * A task's caption layout: its query is fixed, so the response starts at text position `start`, and the
 * response's first token (<caption>) predicts cell (0, 0); `stride` tokens a grid row of `side` cells.
 */
export interface CaptionGrid {
  readonly start: number;
  readonly side: number;
  readonly stride: number;
}

/**
 * Model `overrides` on `size` plus the options that turn the caption grid on for a task with one, when the
 * model's patch grid matches the caption's. Options the caller gives win: `--model.gridStart=0` turns it off.
 */
export function withCaptionGrid(grid: CaptionGrid | undefined, size: ModelSize, overrides: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const c = modelConfig(size, overrides);
  if (!grid || c.inputSize / c.patch !== grid.side) return { ...overrides };
  return { gridStart: grid.start, gridStride: grid.stride, ...overrides };
}
