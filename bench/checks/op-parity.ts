/**
 * Parity of our webgpu ops against the reference ops on the same backend, value and gradients: LayerNorm,
 * matmul+bias(+residual), GELU, segment sum, the text embedding and the loss head (layerParity), our matmul,
 * column sums and attention. Part of fusedKernelParity (fused-parity.ts); needs the webgpu backend active.
 */
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../../src/rng.ts';
import { embedTokens } from '../../src/model/forward.ts';
import { headLogprobs } from '../../src/model/logprobs.ts';
import { attend, gelu, layerNorm, linear, mergeHeads, MASKED, prefixLmBias, splitHeads } from '../../src/model/layers.ts';
import {
  attentionFused,
  DEFAULT_MATMUL_TILE,
  fusedBackend,
  MATMUL_TILES,
  setBiasGradInMatmul,
  setFusedOptimizer,
  setMatmulTile,
  setPairedDq,
  setSegmentCompact,
} from '../../src/webgpu/index.ts';

/** max|a − b| and max|b|. */
async function diffAndScale(a: tf.Tensor, b: tf.Tensor): Promise<[number, number]> {
  const [x, y] = (await Promise.all([a.data(), b.data()])) as Float32Array[];
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < x.length; i++) {
    diff = Math.max(diff, Math.abs(x[i] - y[i]));
    scale = Math.max(scale, Math.abs(y[i]));
  }
  return [diff, scale];
}

export async function maxRel(a: tf.Tensor, b: tf.Tensor): Promise<number> {
  const [diff, scale] = await diffAndScale(a, b);
  return diff / Math.max(scale, 1e-30);
}

/** Value and gradients of f(x, a, b) under fused kernels and under the reference ops: max rel diff. */
async function bothWays(f: (...xs: tf.Tensor[]) => tf.Tensor, inputs: tf.Tensor[]): Promise<number> {
  const run = (on: boolean) => {
    setFusedOptimizer(on);
    return tf.tidy(() => {
      const weight = tf.tensor(Float32Array.from({ length: f(...inputs).size }, (_, i) => Math.sin(i * 0.7)));
      const loss = (...xs: tf.Tensor[]) => tf.sum(tf.mul(tf.reshape(f(...xs), [-1]), weight));
      const { value, grads } = tf.valueAndGrads(loss)(inputs);
      return [f(inputs[0], inputs[1], inputs[2]), value, ...grads];
    });
  };
  const fusedOut = run(true);
  const refOut = run(false);
  // Each output relative to its own scale, floored at 1e-4 of the largest (as parity.ts does for gradients):
  // an output that is exactly 0 in the reference (LayerNorm's dx at d = 1) must not divide by ~0.
  const pairs = await Promise.all(fusedOut.map((t, i) => diffAndScale(t, refOut[i])));
  const largest = Math.max(...pairs.map(([, scale]) => scale));
  tf.dispose([...fusedOut, ...refOut]);
  return Math.max(...pairs.map(([diff, scale]) => diff / Math.max(scale, 1e-4 * largest, 1e-30)));
}

export async function layerParity(): Promise<{
  layerNormRel: number;
  linearRel: number;
  geluRel: number;
  segmentSumRel: number;
  embedRel: number;
  headLogprobsRel: number;
}> {
  const rng = new Rng('fused-parity').split('layers');
  const t = (...shape: number[]) =>
    tf.tensor(
      Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.normal()),
      shape,
    );
  let layerNormRel = 0;
  let linearRel = 0;
  // d = 40 < 64 lanes covers partial rows. d = 1 is left out: its dx is exactly 0 in the reference and
  // FMA contraction on the H100 leaves ~1e-5 there, a degenerate case the model never has.
  for (const [rows, d] of [
    [15, 40],
    [7, 256],
    [5, 512],
  ]) {
    const inputs = [t(rows, d), t(d), t(d)]; // x [rows, d], gain [d], shift [d]
    layerNormRel = Math.max(layerNormRel, await bothWays((x, g, b) => layerNorm(x, g as tf.Tensor1D, b as tf.Tensor1D), inputs));
    tf.dispose(inputs);
  }
  // x [..., n] with w [n, m]: 6 rows (tfjs's kernels: too few for ours), 64 rows, and a 3-D x of 120 rows
  // (src/webgpu/linear.ts's op); with a residual, also one whose forward splits K (n = 600, one output tile: the
  // addend goes in the reduce kernel); dW split over K (1,200 and 600 rows; m = 70: a partial column tile;
  // n = 200: two tile rows, only the first sums the bias). The bias gradient both inside the dW matmul and
  // through the column sum (src/webgpu/colsum.ts), the former with every matmul tile (64 or 128 columns a tile).
  const biasWas = setBiasGradInMatmul(true);
  const tileWas = setMatmulTile(DEFAULT_MATMUL_TILE);
  const settings: [boolean, string][] = [[false, DEFAULT_MATMUL_TILE], ...MATMUL_TILES.map((name): [boolean, string] => [true, name])];
  for (const [xShape, m, residual, [biasInMatmul, tile]] of settings.flatMap((setting) =>
    (
      [
        [[6, 33], 17, false],
        [[64, 256], 96, false],
        [[3, 40, 48], 20, false],
        [[6, 33], 17, true],
        [[3, 40, 48], 20, true],
        [[64, 600], 32, true],
        [[1200, 40], 70, false],
        [[2, 300, 200], 24, true],
      ] as const
    ).map(([xs, m, r]) => [xs, m, r, setting] as const),
  )) {
    setBiasGradInMatmul(biasInMatmul);
    setMatmulTile(tile);
    const n = xShape[xShape.length - 1];
    const inputs = [t(...xShape), t(n, m), t(m), ...(residual ? [t(...xShape.slice(0, -1), m)] : [])]; // x [..., n], w [n, m], b [m], r [..., m]
    linearRel = Math.max(linearRel, await bothWays((x, w, b, r) => linear(x, w as tf.Tensor2D, b as tf.Tensor1D, r), inputs));
    tf.dispose(inputs);
  }
  setBiasGradInMatmul(biasWas);
  setMatmulTile(tileWas);
  const segmentSumRel = await segmentSumParity(t);
  // The text embedding op (src/webgpu/embed.ts) against gather + add: value and both tables' gradients. 2,100 rows
  // (two full id tiles and a partial one), repeated ids, width 264 (two column blocks, the second partial).
  const ids = tf.tensor2d(
    Int32Array.from({ length: 2100 }, (_, i) => (i * 13) % 37),
    [3, 700],
    'int32',
  );
  const positions = tf.tensor2d(
    Int32Array.from({ length: 2100 }, (_, i) => (i % 700) % 300),
    [3, 700],
    'int32',
  );
  const tables = [t(37, 264), t(300, 264), t(1)]; // tok, pos, and a scale so every input has a gradient
  const embedRel = await bothWays((tok, pos, s) => tf.mul(embedTokens(tok as tf.Tensor2D, pos as tf.Tensor2D, ids, positions), s), tables);
  tf.dispose([ids, positions, ...tables]);
  // The loss head (src/webgpu/logprobs.ts) against logits + oneHot + logSumExp: tied ([V, d] table) and untied ([d, V])
  // head, 120 rows of width 48, vocabulary 37, with one target past the vocabulary and one negative (both pick 0).
  const targets = tf.tensor2d(
    Int32Array.from({ length: 120 }, (_, i) => (i === 7 ? 37 : i === 8 ? -1 : (i * 11) % 37)),
    [3, 40],
    'int32',
  );
  let headLogprobsRel = 0;
  for (const tied of [true, false]) {
    const inputs = [tf.tidy(() => tf.mul(t(3, 40, 48), 2)), tied ? t(37, 48) : t(48, 37), t(1)]; // h, head table, a scale
    headLogprobsRel = Math.max(
      headLogprobsRel,
      await bothWays((h, table, s) => tf.mul(headLogprobs(h as tf.Tensor3D, table as tf.Tensor2D, tied, targets), s), inputs),
    );
    tf.dispose(inputs);
  }
  targets.dispose();
  const xs = [t(33, 70), t(1), t(1)]; // x spans ±3σ: both tails of erf
  const geluRel = await bothWays((x, a, b) => tf.add(gelu(x), tf.mul(a, b)), xs); // a·b: every input needs a gradient
  tf.dispose(xs);
  return { layerNormRel, linearRel, geluRel, segmentSumRel, embedRel, headLogprobsRel };
}

/**
 * UnsortedSegmentSum, both of our kernels (compact and walk, src/webgpu/segment-sum.ts), against tfjs's own webgpu
 * kernel: 3,000 rows into 37 segments (ids spread, 300 columns: two column blocks) and 2,500 rows into 5
 * segments in runs of 600 (whole 1,024-id tiles of one segment).
 */
async function segmentSumParity(t: (...shape: number[]) => tf.Tensor): Promise<number> {
  let worst = 0;
  for (const [n, segments, cols, id] of [
    [3000, 37, 300, (i: number) => (i * 13) % 37],
    [2500, 5, 64, (i: number) => Math.floor(i / 600) % 5],
  ] as const) {
    const rows = t(n, cols);
    const ids = tf.tensor1d(
      Int32Array.from({ length: n }, (_, i) => id(i)),
      'int32',
    );
    setFusedOptimizer(false);
    const reference = tf.unsortedSegmentSum(rows, ids, segments);
    setFusedOptimizer(true);
    for (const compact of [true, false]) {
      const was = setSegmentCompact(compact);
      const ours = tf.unsortedSegmentSum(rows, ids, segments);
      setSegmentCompact(was);
      worst = Math.max(worst, await maxRel(ours, reference));
      ours.dispose();
    }
    tf.dispose([rows, ids, reference]);
  }
  return worst;
}

/**
 * Our matmul (src/webgpu/matmul.ts) against tfjs's own webgpu kernel: every transpose pair, partial tiles,
 * split K (K = 3000 and 2000 with few output tiles), bias with and without a split, batched and broadcast,
 * with every tile shape (4×4, 8×4, 8×8 outputs per thread).
 */
export async function matmulParity(): Promise<number> {
  const rng = new Rng('fused-parity').split('matmul');
  const t = (...shape: number[]) =>
    tf.tensor(
      Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.normal()),
      shape,
    );
  const cases: [number[], number[], boolean, boolean, number?][] = [
    [[70, 33], [33, 50], false, false],
    [[3000, 40], [3000, 24], true, false],
    [[100, 70], [90, 70], false, true],
    [[20, 50], [40, 20], true, true],
    [[3, 40, 20], [3, 20, 30], false, false],
    [[2, 40, 20], [20, 30], false, false],
    [[130, 64], [64, 70], false, false, 70],
    [[20, 2000], [2000, 24], false, false, 24],
    [[17, 300], [300, 65], false, false],
    [[4000, 256], [4000, 256], true, false], // a weight gradient: 16 tiles × 15 splits at 4×4
  ];
  let worst = 0;
  const tileWas = setMatmulTile('4x4');
  for (const [tile, [sa, sb, ta, tb, biasSize]] of MATMUL_TILES.flatMap((name) => cases.map((c) => [name, c] as const))) {
    setMatmulTile(tile);
    const [a, b] = [t(...sa), t(...sb)];
    const bias = biasSize ? t(biasSize) : undefined;
    const run = (on: boolean) => {
      setFusedOptimizer(on);
      return bias ? tf.fused.matMul({ a, b, transposeA: ta, transposeB: tb, bias }) : tf.matMul(a, b, ta, tb);
    };
    const [ours, theirs] = [run(true), run(false)];
    worst = Math.max(worst, await maxRel(ours, theirs));
    tf.dispose([a, b, ours, theirs, ...(bias ? [bias] : [])]);
  }
  setMatmulTile(tileWas);
  return worst;
}

/** Column sums (src/webgpu/colsum.ts) against tfjs's Sum on the same device: one or two leading axes, keepDims, one or two passes, vec4 or f32 columns. */
export async function columnSumParity(): Promise<number> {
  const rng = new Rng('fused-parity').split('colsum');
  const t = (...shape: number[]) =>
    tf.tensor(
      Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.normal()),
      shape,
    );
  const cases: [number[], number[], boolean][] = [
    [[300, 17], [0], false],
    [[4, 50, 33], [0, 1], false],
    [[4, 50, 33], [1, 0], true],
    [[3000, 6], [0], false],
    [[70, 2, 3], [0], true],
    [[64, 1], [-2], false],
    [[2000, 300], [0], false],
    // vec4 columns in one pass (≤ 512 rows), two passes with a partial column block, the train-step bias shape (2 × 593 rows).
    [[400, 64], [0], false],
    [[5000, 260], [0], false],
    [[2, 593, 256], [0, 1], false],
  ];
  let worst = 0;
  for (const [shape, axes, keepDims] of cases) {
    const x = t(...shape);
    setFusedOptimizer(true);
    const ours = tf.sum(x, axes, keepDims);
    setFusedOptimizer(false);
    const theirs = tf.sum(x, axes, keepDims);
    worst = Math.max(worst, ours.shape.join() === theirs.shape.join() ? await maxRel(ours, theirs) : Infinity);
    tf.dispose([x, ours, theirs]);
  }
  return worst;
}

/**
 * Fused attention (src/webgpu/attention.ts) against attend() over split heads with prefixLmBias + key padding:
 * value and q, k, v gradients. Shapes cover dh 8, 32 and 64 (small/base), partial query/key blocks (L = 75, 130 > 64),
 * the bench/train-step layout itself (81 image + 512 text keys, L = 593),
 * a prefix that ends inside a block, no key bias, and left-padded keys in some rows.
 */
export async function attentionParity(): Promise<number> {
  const rng = new Rng('fused-parity').split('attention');
  const t = (...shape: number[]) =>
    tf.tensor(
      Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.normal()),
      shape,
    );
  let worst = 0;
  for (const [batch, heads, dh, prefix, text, padded] of [
    [2, 2, 8, 5, 70, true],
    [1, 3, 32, 9, 121, false],
    [3, 1, 64, 64, 64, true],
    [2, 1, 64, 81, 512, true],
  ] as const) {
    const l = prefix + text;
    const bias = new Float32Array(batch * l);
    // Row r has r·3 left-padding text keys (the layout prepareBatch makes for shorter prompts).
    if (padded) for (let r = 0; r < batch; r++) for (let c = 0; c < 3 * r; c++) bias[r * l + prefix + c] = MASKED;
    const keyBias = padded ? tf.tensor2d(bias, [batch, l]) : undefined; // [B, L]
    const f = (q: tf.Tensor, k: tf.Tensor, v: tf.Tensor) => {
      const fused = fusedBackend();
      if (fused) return attentionFused(fused, q as tf.Tensor3D, k as tf.Tensor3D, v as tf.Tensor3D, heads, prefix, keyBias as tf.Tensor2D | undefined);
      const mask = prefixLmBias(prefix, text); // [L, L]
      const full = keyBias ? tf.add(mask, tf.reshape(keyBias, [batch, 1, 1, l])) : mask;
      const split = (x: tf.Tensor) => splitHeads(x as tf.Tensor3D, heads);
      return mergeHeads(attend(split(q), split(k), split(v), full)); // [B, L, d]
    };
    // Scores of order 1–3 (q, k ~ N(0, 1.5²) at dh 8) so the softmax is neither flat nor one-hot.
    const inputs = [0, 1, 2].map(() => tf.tidy(() => tf.mul(t(batch, l, heads * dh), 1.5))); // q, k, v [B, L, d]
    for (const paired of [true, false]) {
      // both dq kernels (the one-thread-a-row one serves dh not a multiple of 8)
      const was = setPairedDq(paired);
      worst = Math.max(worst, await bothWays(f, inputs));
      setPairedDq(was);
    }
    tf.dispose([...inputs, ...(keyBias ? [keyBias] : [])]);
  }
  return worst;
}
