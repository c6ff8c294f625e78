/**
 * Parity of our fused webgpu training kernels (AdamW, Σg² here; LayerNorm, matmul+bias, GELU, segment sum, our
 * matmul, column sums, attention in op-parity.ts) against the reference ops on the same backend (odd sizes, decay,
 * clip scale), plus the decoding path's checks (decode-parity.ts). Run by bench/parity.ts --check (CI: webgpu on Mesa's GLES path;
 * the H100 through the device tool).
 */
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../../src/rng.ts';
import { AdamW } from '../../src/model/adamw.ts';
import { decodeParity, type DecodeParityReport } from './decode-parity.ts';
import { fusedOptimizer, setFusedOptimizer, SUM_SQUARES_CHUNK } from '../../src/webgpu/index.ts';
import { attentionParity, columnSumParity, layerParity, matmulParity, maxRel } from './op-parity.ts';
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
  return new Map(
    SHAPES.map((shape, i) => {
      const size = shape.reduce((a, b) => a * b, 1);
      const t = tf.tensor(
        Float32Array.from({ length: size }, () => rng.normal()),
        shape,
      );
      const v = tf.variable(t, true, `${prefix}/w${i}`);
      t.dispose();
      return [`w${i}`, v] as const;
    }),
  );
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
      for (const [name, v] of fusedParams)
        grads[name] = tf.tensor(
          Float32Array.from({ length: v.size }, () => 3 * gradRng.normal()),
          v.shape,
        );
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
      adamwRel = Math.max(
        adamwRel,
        await maxRel(fusedParams.get(name)!, refParams.get(name)!),
        await maxRel(fused.m.get(name)!, reference.m.get(name)!),
        await maxRel(fused.v.get(name)!, reference.v.get(name)!),
      );
    }
    return {
      fusedRan,
      guardHeld,
      adamwRel,
      normRel,
      ...(await layerParity()),
      matmulRel: await matmulParity(),
      columnSumRel: await columnSumParity(),
      attentionRel: await attentionParity(),
      ...(await decodeParity()),
    };
  } finally {
    setFusedOptimizer(wasOn);
    fused.dispose();
    reference.dispose();
    tf.dispose([...fusedParams.values(), ...refParams.values()]);
  }
}
