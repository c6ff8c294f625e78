/**
 * Parity of our fused webgpu training kernels (AdamW, Σg², LayerNorm, matmul+bias, GELU, segment sum, our matmul,
 * column sums, attention) against the reference ops on the same backend (odd sizes, decay, clip scale), plus the
 * decoding path's checks (decode-parity.ts). Run by bench/parity.ts --check (CI: webgpu on Mesa's GLES path;
 * the H100 through the device tool).
 */
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../../src/rng.ts';
import { AdamW } from '../../src/model/adamw.ts';
import { decodeParity, type DecodeParityReport } from './decode-parity.ts';
import { embedTokens } from '../../src/model/forward.ts';
import { headLogprobs } from '../../src/model/logprobs.ts';
import { attend, gelu, layerNorm, linear, mergeHeads, MASKED, prefixLmBias, splitHeads } from '../../src/model/layers.ts';
import { attentionFused, DEFAULT_MATMUL_TILE, fusedBackend, fusedOptimizer, MATMUL_TILES, setBiasGradInMatmul, setFusedOptimizer, setMatmulTile, setPairedDq, setSegmentCompact, SUM_SQUARES_CHUNK } from '../../src/webgpu/index.ts';
import { globalNorm } from '../../src/model/train.ts';

export interface FusedParityReport extends DecodeParityReport {
  readonly fusedRan: boolean; // the fused kernel accepted the variables (no fallback)
  readonly guardHeld: boolean; // a guarded update with a negative scale left every p, m and v bit for bit
  readonly adamwRel: number; // max over p, m, v of max|fused − reference| / max|reference|
  readonly normRel: number; // |fused − reference| / reference, global norm and each gradient's Σg²; Infinity if two fused runs differ in a bit
  readonly layerNormRel: number; // LayerNorm value and x/g/b gradients: max rel (floored scale, see bothWays)
  readonly linearRel: number; // linear (one op on webgpu, with and without a residual) value and gradients
  readonly geluRel: number; // GELU value and gradient
  readonly matmulRel: number; // our matmul (tiles, transposes, split K, bias, batch) vs tfjs's webgpu kernel
  readonly columnSumRel: number; // Sum over leading axes (bias / LayerNorm gradients) vs tfjs's webgpu kernel
  readonly attentionRel: number; // fused prefix-LM attention value and q/k/v gradients vs attend()
  readonly segmentSumRel: number; // UnsortedSegmentSum (embedding gradient), both our kernels, vs tfjs's own webgpu kernel
  readonly headLogprobsRel: number; // loss head op (logits, log-sum-exp, target log-prob) value and h/table gradients, tied and untied
  readonly embedRel: number; // text embedding op (gather-add, segment-sum gradients) value and table gradients vs gather + add
}

/**
 * Shapes that cover a partial workgroup, one element, a matrix (> 65535·256 is not needed here), and for Σg²'s
 * chunks (SUM_SQUARES_CHUNK floats): exactly one chunk, and several with a partial last one.
 */
const SHAPES: readonly number[][] = [[1], [37], [256], [33, 64], [300, 17], [SUM_SQUARES_CHUNK], [4, 10000]];

function variables(rng: Rng, prefix: string): Map<string, tf.Variable> {
  return new Map(SHAPES.map((shape, i) => {
    const size = shape.reduce((a, b) => a * b, 1);
    const t = tf.tensor(Float32Array.from({ length: size }, () => rng.normal()), shape);
    const v = tf.variable(t, true, `${prefix}/w${i}`);
    t.dispose();
    return [`w${i}`, v] as const;
  }));
}

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

async function maxRel(a: tf.Tensor, b: tf.Tensor): Promise<number> {
  const [diff, scale] = await diffAndScale(a, b);
  return diff / Math.max(scale, 1e-30);
}

/** Fused Σg² of each gradient against tf.sum(tf.square(g)), each relative to its own value; Infinity unless bit-reproducible. */
async function sumSquaresRel(grads: readonly tf.Tensor[]): Promise<number> {
  const fused = fusedOptimizer();
  if (!fused) return Infinity;
  const [first, again] = [fused.sumSquares(grads), fused.sumSquares(grads)];
  const reference = tf.tidy(() => tf.stack(grads.map((g) => tf.sum(tf.square(g)))));
  const [x, y, z] = (await Promise.all([first.data(), again.data(), reference.data()])) as Float32Array[];
  tf.dispose([first, again, reference]);
  let worst = 0;
  for (let i = 0; i < z.length; i++) {
    if (!Object.is(x[i], y[i])) return Infinity;
    worst = Math.max(worst, Math.abs(x[i] - z[i]) / Math.max(Math.abs(z[i]), 1e-30));
  }
  return worst;
}

/** A guarded update refused on the device (scale −1) writes nothing: every p, m and v the same bits after it. */
async function guardHolds(optimizer: AdamW, grads: Record<string, tf.Tensor>): Promise<boolean> {
  const state = [...optimizer.params.values(), ...optimizer.m.values(), ...optimizer.v.values()];
  const before = await Promise.all(state.map((t) => t.data()));
  const refuse = tf.scalar(-1);
  optimizer.apply(grads, refuse, true);
  optimizer.step -= 1; // as trainStep rolls back a refused step
  refuse.dispose();
  const after = await Promise.all(state.map((t) => t.data()));
  return before.every((b, i) => b.every((x, j) => Object.is(x, after[i][j])));
}

let runs = 0;

/** Needs the webgpu backend active; leaves the fused kernels enabled as it found them. */
export async function fusedKernelParity(steps = 3): Promise<FusedParityReport> {
  if (tf.getBackend() !== 'webgpu') throw new Error(`fusedKernelParity: needs the webgpu backend, active is ${tf.getBackend()}`);
  const wasOn = fusedOptimizer() !== undefined;
  const id = runs++;
  const fusedParams = variables(new Rng('fused-parity').split('w'), `fused${id}`);
  const refParams = variables(new Rng('fused-parity').split('w'), `ref${id}`);
  const config = { lr: 1e-2, weightDecay: 0.1, clipNorm: 1 };
  const decays = (name: string) => name !== 'w1'; // one parameter without decay
  const fused = new AdamW(fusedParams, config, decays);
  const reference = new AdamW(refParams, config, decays);
  const gradRng = new Rng('fused-parity').split('g');
  let normRel = 0;
  let fusedRan = false;
  let guardHeld = true;
  try {
    for (let step = 0; step < steps; step++) {
      const grads: Record<string, tf.Tensor> = {};
      for (const [name, v] of fusedParams) grads[name] = tf.tensor(Float32Array.from({ length: v.size }, () => 3 * gradRng.normal()), v.shape);
      const scale = tf.scalar(0.5 + 0.1 * step);
      setFusedOptimizer(true);
      const probe = fusedOptimizer();
      const normFused = globalNorm(grads);
      const slotsRel = await sumSquaresRel(Object.values(grads));
      guardHeld &&= await guardHolds(fused, grads);
      fused.apply(grads, scale);
      // Read every fused variable back after each update: tfjs caches values it has read, so a kernel that
      // writes in place without dropping that copy leaves the comparison below reading stale weights.
      for (const t of [...fusedParams.values(), ...fused.m.values(), ...fused.v.values()]) await t.data();
      setFusedOptimizer(false);
      const normRef = globalNorm(grads);
      reference.apply(grads, scale);
      if (probe && step === 0) {
        // The AdamW above took the fused path only if the kernel accepts these variables: check directly.
        const fresh = () => {
          const zeros = tf.zeros([5]);
          const v = tf.variable(zeros); // owns zeros' buffer once zeros is disposed
          zeros.dispose();
          return v;
        };
        const [p, m, v, g] = [fresh(), fresh(), fresh(), tf.ones([5])];
        fusedRan = probe.adamw(p, m, v, g, { lr: 1, beta1: 0.9, beta2: 0.95, eps: 1e-8, bc1: 0.1, bc2: 0.05, decay: 0 });
        // m = 0.1 after one step from zero with g = 1: the kernel really wrote in place.
        fusedRan &&= Math.abs((await m.data())[0] - 0.1) < 1e-6;
        tf.dispose([p, m, v, g]);
      }
      normRel = Math.max(normRel, slotsRel, await maxRel(normFused, normRef));
      tf.dispose([normFused, normRef, scale, ...Object.values(grads)]);
    }
    let adamwRel = 0;
    for (const name of fusedParams.keys()) {
      adamwRel = Math.max(adamwRel,
        await maxRel(fusedParams.get(name)!, refParams.get(name)!),
        await maxRel(fused.m.get(name)!, reference.m.get(name)!),
        await maxRel(fused.v.get(name)!, reference.v.get(name)!));
    }
    return { fusedRan, guardHeld, adamwRel, normRel, ...(await layerParity()), matmulRel: await matmulParity(), columnSumRel: await columnSumParity(), attentionRel: await attentionParity(), ...(await decodeParity()) };
  } finally {
    setFusedOptimizer(wasOn);
    fused.dispose();
    reference.dispose();
    tf.dispose([...fusedParams.values(), ...refParams.values()]);
  }
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

async function layerParity(): Promise<{ layerNormRel: number; linearRel: number; geluRel: number; segmentSumRel: number; embedRel: number; headLogprobsRel: number }> {
  const rng = new Rng('fused-parity').split('layers');
  const t = (...shape: number[]) => tf.tensor(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.normal()), shape);
  let layerNormRel = 0;
  let linearRel = 0;
  // d = 40 < 64 lanes covers partial rows. d = 1 is left out: its dx is exactly 0 in the reference and
  // FMA contraction on the H100 leaves ~1e-5 there, a degenerate case the model never has.
  for (const [rows, d] of [[15, 40], [7, 256], [5, 512]]) {
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
  for (const [xShape, m, residual, [biasInMatmul, tile]] of settings.flatMap((setting) => ([[[6, 33], 17, false], [[64, 256], 96, false],
    [[3, 40, 48], 20, false], [[6, 33], 17, true], [[3, 40, 48], 20, true], [[64, 600], 32, true], [[1200, 40], 70, false],
    [[2, 300, 200], 24, true]] as const).map(([xs, m, r]) => [xs, m, r, setting] as const))) {
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
  const ids = tf.tensor2d(Int32Array.from({ length: 2100 }, (_, i) => (i * 13) % 37), [3, 700], 'int32');
  const positions = tf.tensor2d(Int32Array.from({ length: 2100 }, (_, i) => (i % 700) % 300), [3, 700], 'int32');
  const tables = [t(37, 264), t(300, 264), t(1)]; // tok, pos, and a scale so every input has a gradient
  const embedRel = await bothWays((tok, pos, s) => tf.mul(embedTokens(tok as tf.Tensor2D, pos as tf.Tensor2D, ids, positions), s), tables);
  tf.dispose([ids, positions, ...tables]);
  // The loss head (src/webgpu/logprobs.ts) against logits + oneHot + logSumExp: tied ([V, d] table) and untied ([d, V])
  // head, 120 rows of width 48, vocabulary 37, with one target past the vocabulary and one negative (both pick 0).
  const targets = tf.tensor2d(Int32Array.from({ length: 120 }, (_, i) => (i === 7 ? 37 : i === 8 ? -1 : (i * 11) % 37)), [3, 40], 'int32');
  let headLogprobsRel = 0;
  for (const tied of [true, false]) {
    const inputs = [tf.tidy(() => tf.mul(t(3, 40, 48), 2)), tied ? t(37, 48) : t(48, 37), t(1)]; // h, head table, a scale
    headLogprobsRel = Math.max(headLogprobsRel, await bothWays((h, table, s) => tf.mul(headLogprobs(h as tf.Tensor3D, table as tf.Tensor2D, tied, targets), s), inputs));
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
  for (const [n, segments, cols, id] of [[3000, 37, 300, (i: number) => (i * 13) % 37], [2500, 5, 64, (i: number) => Math.floor(i / 600) % 5]] as const) {
    const rows = t(n, cols);
    const ids = tf.tensor1d(Int32Array.from({ length: n }, (_, i) => id(i)), 'int32');
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
  const t = (...shape: number[]) => tf.tensor(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.normal()), shape);
  const cases: [number[], number[], boolean, boolean, number?][] = [
    [[70, 33], [33, 50], false, false], [[3000, 40], [3000, 24], true, false], [[100, 70], [90, 70], false, true],
    [[20, 50], [40, 20], true, true], [[3, 40, 20], [3, 20, 30], false, false], [[2, 40, 20], [20, 30], false, false],
    [[130, 64], [64, 70], false, false, 70], [[20, 2000], [2000, 24], false, false, 24], [[17, 300], [300, 65], false, false],
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
  const t = (...shape: number[]) => tf.tensor(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.normal()), shape);
  const cases: [number[], number[], boolean][] = [[[300, 17], [0], false], [[4, 50, 33], [0, 1], false], [[4, 50, 33], [1, 0], true],
    [[3000, 6], [0], false], [[70, 2, 3], [0], true], [[64, 1], [-2], false], [[2000, 300], [0], false],
    // vec4 columns in one pass (≤ 512 rows), two passes with a partial column block, the train-step bias shape (2 × 593 rows).
    [[400, 64], [0], false], [[5000, 260], [0], false], [[2, 593, 256], [0, 1], false]];
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
  const t = (...shape: number[]) => tf.tensor(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.normal()), shape);
  let worst = 0;
  for (const [batch, heads, dh, prefix, text, padded] of [[2, 2, 8, 5, 70, true], [1, 3, 32, 9, 121, false], [3, 1, 64, 64, 64, true], [2, 1, 64, 81, 512, true]] as const) {
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
    for (const paired of [true, false]) { // both dq kernels (the one-thread-a-row one serves dh not a multiple of 8)
      const was = setPairedDq(paired);
      worst = Math.max(worst, await bothWays(f, inputs));
      setPairedDq(was);
    }
    tf.dispose([...inputs, ...(keyBias ? [keyBias] : [])]);
  }
  return worst;
}
