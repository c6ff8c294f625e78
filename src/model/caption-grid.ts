/**
 * The caption grid (model.gridStart > 0), for tasks whose caption (and answer) is a grid of the image's cells:
 *   caption: the text token at gridStart + r·gridStride + c, the one that predicts the caption's entry for
 *            cell (r, c), also receives patch (r, c)'s embedding and the cell's embedding;
 *   answer : (model.gridAnswerStart > 0) the token at gridAnswerStart + r·gridStride + c, which predicts the
 *            answer's entry for cell (r, c), receives the cell's embedding only (never the patch: the answer
 *            must come from the caption and reasoning, not from re-reading the image);
 *   cell embedding = gridRow[r] + gridCol[c] (+ gridBox[box] when the side is a square), learned.
 *
 * Why: a model trained from scratch with absolute text positions must otherwise learn, for each of 81
 * cells separately, which patch a caption entry reads and which caption entries an answer entry depends on.
 * Measured with the tiny model (perception loss only, fresh 20-blank Sudoku puzzles, batch 8, lr 3e-3, wasm):
 * without the grid L_p sat at the digit prior (2.02 nats) from step 75 to 175; sharing only the patch's
 * position vector with the text position left it there too (2.011 at step 150); with the patch's embedding
 * L_p fell to 0.75 by step 50 and 0.26 by step 100 (held-out greedy cell accuracy 0.926). On the H100 the
 * `small` model then read captions (a_p 8.6%, train L_p 0.003) but wrote no correct answer in 600 steps at
 * 8, 14 or 20 blanks (train L_r 0.29–0.47 a token): copying 60–70 givens from caption to answer is the same
 * per-cell alignment problem, which the shared row/column/box embeddings address.
 */
import * as tf from '@tensorflow/tfjs';
import type { CaptionGrid } from '../records.ts';
import { modelConfig, patchCount, type ModelConfig, type ModelSize } from './config.ts';
import { keptConstant } from './kept-constant.ts';
import { param, type Vlm } from './vlm.ts';

/** Cells per row and column of the model's patch grid. */
export const gridSide = (c: ModelConfig): number => c.inputSize / c.patch;
/** The box side when the grid side is a square (Sudoku's 3 for 9), else 0 (no box embedding). */
export const gridBoxSide = (c: ModelConfig): number => (Number.isInteger(Math.sqrt(gridSide(c))) ? Math.sqrt(gridSide(c)) : 0);
/** Rows the grid input gathers from per sample: P caption rows (patch + cell), a zero row, P answer rows (cell). */
export const gridRowsPer = (c: ModelConfig): number => 2 * patchCount(c) + 1;

/** Which row of a sample's grid rows each text position reads, [maxText]; P (the zero row) for none. */
export function gridRowOf(c: ModelConfig): Int32Array {
  const side = gridSide(c);
  const p = side * side;
  const out = new Int32Array(c.maxText).fill(p);
  if (c.gridStart === 0) return out;
  for (let r = 0; r < side; r++) {
    for (let col = 0; col < side; col++) {
      out[c.gridStart + r * c.gridStride + col] = r * side + col;
      if (c.gridAnswerStart > 0) out[c.gridAnswerStart + r * c.gridStride + col] = p + 1 + r * side + col;
    }
  }
  return out;
}

/** gridRowOf as an int32 tensor [maxText], built once per backend and config and kept (training and decoders). */
export function gridRowTensor(c: ModelConfig): tf.Tensor1D {
  const key = [c.maxText, c.inputSize, c.patch, c.gridStart, c.gridStride, c.gridAnswerStart].join(':');
  return keptConstant(`gridRowOf:${key}`, () => tf.tensor1d(gridRowOf(c), 'int32'));
}

/** Cell embeddings, [P, d]: gridRow[r] + gridCol[c] (+ gridBox[box]) for cell r·side + c. */
function cellEmbeddings(m: Vlm): tf.Tensor2D {
  const side = gridSide(m.config);
  const box = gridBoxSide(m.config);
  const cells = Array.from({ length: side * side }, (_, k) => k);
  const pick = (name: string, index: (k: number) => number) =>
    tf.gather(
      param(m, name) as tf.Tensor2D,
      keptConstant(`gridCells:${side}:${name}`, () => tf.tensor1d(cells.map(index), 'int32')),
    );
  const rc = tf.add(
    pick('gridRow', (k) => Math.floor(k / side)),
    pick('gridCol', (k) => k % side),
  ); // [P, d]
  if (!box) return rc as tf.Tensor2D;
  const boxOf = (k: number) => Math.floor(Math.floor(k / side) / box) * box + Math.floor((k % side) / box);
  return tf.add(rc, pick('gridBox', boxOf)) as tf.Tensor2D; // [P, d]
}

/**
 * Each sample's grid rows, flattened for gathering: [B, P, d] image embeddings → [B·(2P+1), d]: patch k's
 * embedding + cell k's (caption rows), a zero row, then cell k's embedding alone (answer rows).
 */
export function gridRows(m: Vlm, image: tf.Tensor3D): tf.Tensor2D {
  const [b, p, d] = image.shape;
  const cells = tf.reshape(cellEmbeddings(m), [1, p, d]); // [1, P, d]
  const rows = tf.concat([tf.add(image, cells), tf.zeros([b, 1, d]), tf.tile(cells, [b, 1, 1])], 1); // [B, 2P+1, d]
  return tf.reshape(rows, [b * (2 * p + 1), d]); // [B·(2P+1), d]
}

/** What the caption grid adds to text tokens at `positions` [B, T]: [B, T, d], zero off the grid. */
export function gridInput(c: ModelConfig, rows: tf.Tensor2D, positions: tf.Tensor2D): tf.Tensor3D {
  const [b, t] = positions.shape;
  const per = gridRowsPer(c);
  const row = tf.gather(gridRowTensor(c), positions); // [B, T] in [0, 2P]
  const flat = tf.add(row, tf.reshape(tf.range(0, b * per, per, 'int32'), [b, 1])); // [B, T] into rows
  return tf.reshape(tf.gather(rows, tf.reshape(flat, [b * t])), [b, t, c.d]); // [B, T, d]
}

/**
 * Model `overrides` on `size` plus the options that turn the grid on for a task layout, when the model's
 * patch grid matches it. Options the caller gives win: `--model.gridStart=0` turns it off.
 */
export function withCaptionGrid(grid: CaptionGrid | undefined, size: ModelSize, overrides: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const c = modelConfig(size, overrides);
  if (!grid || gridSide(c) !== grid.side) return { ...overrides };
  return { gridStart: grid.start, gridStride: grid.stride, ...(grid.answerStart ? { gridAnswerStart: grid.answerStart } : {}), ...overrides };
}
