/**
 * Parity of the fused webgpu optimizer kernels (webgpu-fused.ts) against the reference ops on the same
 * backend: a few AdamW steps with decay, clip scale and odd sizes, and the global gradient norm. Run by
 * bench/parity.ts --check (CI: webgpu on Mesa's GLES path; the H100 through the device tool).
 */
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../rng.ts';
import { AdamW } from './adamw.ts';
import { layerNorm, linear } from './layers.ts';
import { globalNorm } from './train.ts';
import { fusedOptimizer, setFusedOptimizer } from './webgpu-fused.ts';

export interface FusedParityReport {
  readonly fusedRan: boolean; // the fused kernel accepted the variables (no fallback)
  readonly adamwRel: number; // max over p, m, v of max|fused − reference| / max|reference|
  readonly normRel: number; // |fused − reference| / reference
  readonly layerNormRel: number; // LayerNorm value and x/g/b gradients: max rel over all
  readonly linearRel: number; // linear (matmul + bias fused on webgpu) value and gradients
}

/** Shapes that cover a partial workgroup, one element, a matrix and > 65535·256 is not needed here. */
const SHAPES: readonly number[][] = [[1], [37], [256], [33, 64], [300, 17]];

function variables(rng: Rng, prefix: string): Map<string, tf.Variable> {
  return new Map(SHAPES.map((shape, i) => {
    const size = shape.reduce((a, b) => a * b, 1);
    const t = tf.tensor(Float32Array.from({ length: size }, () => rng.normal()), shape);
    const v = tf.variable(t, true, `${prefix}/w${i}`);
    t.dispose();
    return [`w${i}`, v] as const;
  }));
}

async function maxRel(a: tf.Tensor, b: tf.Tensor): Promise<number> {
  const [x, y] = (await Promise.all([a.data(), b.data()])) as Float32Array[];
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < x.length; i++) {
    diff = Math.max(diff, Math.abs(x[i] - y[i]));
    scale = Math.max(scale, Math.abs(y[i]));
  }
  return diff / Math.max(scale, 1e-30);
}

let runs = 0;

/** Needs the webgpu backend active; leaves the fused kernels enabled as it found them. */
export async function fusedOptimizerParity(steps = 3): Promise<FusedParityReport> {
  if (tf.getBackend() !== 'webgpu') throw new Error(`fusedOptimizerParity: needs the webgpu backend, active is ${tf.getBackend()}`);
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
  try {
    for (let step = 0; step < steps; step++) {
      const grads: Record<string, tf.Tensor> = {};
      for (const [name, v] of fusedParams) grads[name] = tf.tensor(Float32Array.from({ length: v.size }, () => 3 * gradRng.normal()), v.shape);
      const scale = tf.scalar(0.5 + 0.1 * step);
      setFusedOptimizer(true);
      const probe = fusedOptimizer();
      const normFused = globalNorm(grads);
      fused.apply(grads, scale);
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
      normRel = Math.max(normRel, await maxRel(normFused, normRef));
      tf.dispose([normFused, normRef, scale, ...Object.values(grads)]);
    }
    let adamwRel = 0;
    for (const name of fusedParams.keys()) {
      adamwRel = Math.max(adamwRel,
        await maxRel(fusedParams.get(name)!, refParams.get(name)!),
        await maxRel(fused.m.get(name)!, reference.m.get(name)!),
        await maxRel(fused.v.get(name)!, reference.v.get(name)!));
    }
    return { fusedRan, adamwRel, normRel, ...(await layerParity()) };
  } finally {
    setFusedOptimizer(wasOn);
    fused.dispose();
    reference.dispose();
    tf.dispose([...fusedParams.values(), ...refParams.values()]);
  }
}

/** Value and gradients of f(x, a, b) under fused kernels and under the reference ops: max rel diff. */
async function bothWays(f: (x: tf.Tensor, a: tf.Tensor, b: tf.Tensor) => tf.Tensor, inputs: tf.Tensor[]): Promise<number> {
  const run = (on: boolean) => {
    setFusedOptimizer(on);
    return tf.tidy(() => {
      const weight = tf.tensor(Float32Array.from({ length: f(inputs[0], inputs[1], inputs[2]).size }, (_, i) => Math.sin(i * 0.7)));
      const loss = (x: tf.Tensor, a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(tf.reshape(f(x, a, b), [-1]), weight));
      const { value, grads } = tf.valueAndGrads(loss)(inputs);
      return [f(inputs[0], inputs[1], inputs[2]), value, ...grads];
    });
  };
  const fusedOut = run(true);
  const refOut = run(false);
  let worst = 0;
  for (let i = 0; i < fusedOut.length; i++) worst = Math.max(worst, await maxRel(fusedOut[i], refOut[i]));
  tf.dispose([...fusedOut, ...refOut]);
  return worst;
}

async function layerParity(): Promise<{ layerNormRel: number; linearRel: number }> {
  const rng = new Rng('fused-parity').split('layers');
  const t = (...shape: number[]) => tf.tensor(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.normal()), shape);
  let layerNormRel = 0;
  let linearRel = 0;
  for (const [rows, d] of [[15, 40], [7, 256], [3, 1]]) {
    const inputs = [t(rows, d), t(d), t(d)]; // x [rows, d], gain [d], shift [d]
    layerNormRel = Math.max(layerNormRel, await bothWays((x, g, b) => layerNorm(x, g as tf.Tensor1D, b as tf.Tensor1D), inputs));
    tf.dispose(inputs);
  }
  for (const [rows, n, m] of [[2, 3, 33, 17], [64, 256, 96]].map((s) => (s.length === 4 ? [s[0] * s[1], s[2], s[3]] : s))) {
    const inputs = [t(rows, n), t(n, m), t(m)]; // x [rows, n], w [n, m], b [m]
    linearRel = Math.max(linearRel, await bothWays((x, w, b) => linear(x, w as tf.Tensor2D, b as tf.Tensor1D), inputs));
    tf.dispose(inputs);
  }
  return { layerNormRel, linearRel };
}
