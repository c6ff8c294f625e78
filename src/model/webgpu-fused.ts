/**
 * Fused optimizer kernels for the tfjs webgpu backend (issue 9), written straight into tfjs's own command
 * encoder so they order with its kernels:
 *   adamw        one dispatch per parameter: clip scale, both moments, bias correction, decay and the step,
 *                updating p, m and v in place (the reference is ~14 elementwise kernels and 3 new tensors)
 *   sumSquares   Σ g² of each gradient into one slot of a [n] tensor, one dispatch per gradient
 * The arithmetic is the reference ops' (adamw.ts, train.ts), in the same order and in f32; only the
 * reduction order of sumSquares differs. Other backends never reach this file (fusedOptimizer() is
 * undefined there), so cpu/wasm numerics are unchanged.
 */
import * as tf from '@tensorflow/tfjs';

import { asTensor, bufferOf, dispatch, fusedBackend, newOutput, owns, pipeline, setFusedKernels, writtenBufferOf, type Backend } from './webgpu-raw.ts';

const WORKGROUP = 256;

const ADAMW_WGSL = /* wgsl */ `
struct U { lr: f32, beta1: f32, oneMinusBeta1: f32, beta2: f32, oneMinusBeta2: f32, bc1: f32, bc2: f32, eps: f32,
           keep: f32, decay: u32, scaled: u32, n: u32 }
@group(0) @binding(0) var<storage, read_write> p: array<f32>;
@group(0) @binding(1) var<storage, read_write> m: array<f32>;
@group(0) @binding(2) var<storage, read_write> v: array<f32>;
@group(0) @binding(3) var<storage, read> g: array<f32>;
@group(0) @binding(4) var<storage, read> scale: array<f32>;
@group(0) @binding(5) var<uniform> u: U;
@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = gid.x + gid.y * groups.x * ${WORKGROUP}u;
  if (i >= u.n) { return; }
  var gi = g[i];
  if (u.scaled == 1u) { gi = gi * scale[0]; }
  let m1 = m[i] * u.beta1 + gi * u.oneMinusBeta1;
  let v1 = v[i] * u.beta2 + (gi * gi) * u.oneMinusBeta2;
  let denom = sqrt(v1 / u.bc2) + u.eps;
  let update = (m1 / u.bc1) / denom;
  var pi = p[i];
  if (u.decay == 1u) { pi = pi * u.keep; }
  p[i] = pi - update * u.lr;
  m[i] = m1;
  v[i] = v1;
}`;

const SUM_SQUARES_WGSL = /* wgsl */ `
struct U { n: u32, slot: u32, pad0: u32, pad1: u32 }
@group(0) @binding(0) var<storage, read_write> out: array<f32>;
@group(0) @binding(1) var<storage, read> g: array<f32>;
@group(0) @binding(2) var<uniform> u: U;
var<workgroup> partial: array<f32, ${WORKGROUP}>;
@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(local_invocation_id) lid: vec3<u32>) {
  var acc = 0.0;
  for (var i = lid.x; i < u.n; i += ${WORKGROUP}u) { let x = g[i]; acc += x * x; }
  partial[lid.x] = acc;
  workgroupBarrier();
  for (var stride = ${WORKGROUP / 2}u; stride > 0u; stride = stride / 2u) {
    if (lid.x < stride) { partial[lid.x] += partial[lid.x + stride]; }
    workgroupBarrier();
  }
  if (lid.x == 0u) { out[u.slot] = partial[0]; }
}`;

/** The constants of one AdamW update, as adamw.ts computes them in JS. */
export interface AdamWConstants {
  readonly lr: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  readonly bc1: number; // 1 − β1ᵗ
  readonly bc2: number; // 1 − β2ᵗ
  readonly decay: number; // lr·weightDecay, 0 for none
}

export interface FusedOptimizer {
  /**
   * p, m, v ← one AdamW update from g (times `scale[0]` when given), in place. Returns false (nothing
   * done) when a buffer is shared with another tensor: the caller then uses the reference ops.
   */
  adamw(p: tf.Variable, m: tf.Variable, v: tf.Variable, g: tf.Tensor, c: AdamWConstants, scale?: tf.Scalar): boolean;
  /** [n]: Σ g² of each gradient (caller disposes). */
  sumSquares(grads: readonly tf.Tensor[]): tf.Tensor1D;
}

/** Off: every caller takes the reference ops (ASYMFLOW_SPEED_PATCHES=0 and the parity tests use this). */
export const setFusedOptimizer = setFusedKernels;

/** The fused kernels when the active backend is webgpu (and they are enabled), else undefined. */
export function fusedOptimizer(): FusedOptimizer | undefined {
  const backend = fusedBackend();
  if (!backend) return undefined;
  return {
    adamw: (p, m, v, g, c, scale) => adamw(backend, p, m, v, g, c, scale),
    sumSquares: (grads) => sumSquares(backend, grads),
  };
}


function adamw(b: Backend, p: tf.Variable, m: tf.Variable, v: tf.Variable, g: tf.Tensor, c: AdamWConstants, scale?: tf.Scalar): boolean {
  if (![p, m, v].every((t) => t.dtype === 'float32' && owns(b, t)) || g.dtype !== 'float32' || g.size !== p.size) return false;
  if (p.size === 0) return true;
  const f = (x: number) => ({ type: 'float32', data: [x] });
  const u = (x: number) => ({ type: 'uint32', data: [x] });
  const uniforms = b.makeUniforms([
    f(c.lr), f(c.beta1), f(1 - c.beta1), f(c.beta2), f(1 - c.beta2), f(c.bc1), f(c.bc2), f(c.eps),
    f(1 - c.decay), u(c.decay > 0 ? 1 : 0), u(scale ? 1 : 0), u(p.size),
  ]);
  const gBuffer = bufferOf(b, g);
  const buffers = [p, m, v].map((t) => ({ buffer: writtenBufferOf(b, t) }));
  dispatch(b, pipeline(b, 'adamw', ADAMW_WGSL), [...buffers, { buffer: gBuffer }, { buffer: scale ? bufferOf(b, scale) : gBuffer }, uniforms], Math.ceil(p.size / WORKGROUP));
  return true;
}

function sumSquares(b: Backend, grads: readonly tf.Tensor[]): tf.Tensor1D {
  const info = newOutput(b, [grads.length]);
  const out = bufferOf(b, info);
  const sumSquaresPipeline = pipeline(b, 'sumSquares', SUM_SQUARES_WGSL);
  grads.forEach((g, slot) => {
    if (g.dtype !== 'float32') throw new Error(`sumSquares: gradient ${slot} is ${g.dtype}, expected float32`);
    const uniforms = b.makeUniforms([{ type: 'uint32', data: [g.size] }, { type: 'uint32', data: [slot] }, { type: 'uint32', data: [0] }, { type: 'uint32', data: [0] }]);
    dispatch(b, sumSquaresPipeline, [{ buffer: out }, { buffer: bufferOf(b, g) }, uniforms], 1);
  });
  return asTensor<tf.Tensor1D>(info);
}
