/**
 * Fused optimizer kernels for the tfjs webgpu backend (issue 9), written straight into tfjs's own command
 * encoder so they order with its kernels:
 *   adamw        one dispatch per parameter: clip scale, both moments, bias correction, decay and the step,
 *                updating p, m and v in place (the reference is ~14 elementwise kernels and 3 new tensors)
 *   sumSquares   Σ g² of each gradient into one slot of a [n] tensor: every gradient copied into one packed
 *                buffer, one dispatch of fixed-size chunks over all of them, one dispatch summing each
 *                gradient's chunk partials in order (deterministic: no float atomics)
 * The arithmetic is the reference ops' (model/adamw.ts, model/train.ts), in the same order and in f32; only the
 * reduction order of sumSquares differs. Other backends never reach this file (fusedOptimizer() is
 * undefined there), so cpu/wasm numerics are unchanged.
 */
import * as tf from '@tensorflow/tfjs';

import { asTensor, bufferOf, dispatch, fusedBackend, newOutput, owns, pipeline, setFusedKernels, writtenBufferOf, type Backend } from './raw.ts';
import { keptSizes } from './bindings.ts';

export const WORKGROUP = 256;

/**
 * AdamW over one parameter, in place: the scalars come in the uniform and the clip scale as a tensor. (The
 * guarded step's form, which reads them from the optimizer's state buffer, is adamw-group.ts.)
 */
const ADAMW_WGSL = /* wgsl */ `
struct U { lr: f32, beta1: f32, oneMinusBeta1: f32, beta2: f32, oneMinusBeta2: f32, bc1: f32, bc2: f32, eps: f32,
           keep: f32, decay: u32, scaled: u32, n: u32, guarded: u32, pad0: u32, pad1: u32, pad2: u32 }
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
  if (u.scaled == 1u) {
    // A guarded update whose scale is negative was refused on the device (a non-finite step): write nothing.
    if (u.guarded == 1u && scale[0] < 0.0) { return; }
    gi = gi * scale[0];
  }
  let lr = u.lr;
  let bc1 = u.bc1;
  let bc2 = u.bc2;
  let keep = u.keep;
  let m1 = m[i] * u.beta1 + gi * u.oneMinusBeta1;
  let v1 = v[i] * u.beta2 + (gi * gi) * u.oneMinusBeta2;
  let denom = sqrt(v1 / bc2) + u.eps;
  let update = (m1 / bc1) / denom;
  var pi = p[i];
  if (u.decay == 1u) { pi = pi * keep; }
  p[i] = pi - update * lr;
  m[i] = m1;
  v[i] = v1;
}`;

/**
 * Floats one workgroup reduces. One workgroup per whole gradient walked up to 2.4M floats serially (31 ms of a
 * 171 ms base step on the H100); 8192 (32 per thread) gives ~2500 workgroups for base, enough to fill the GPU,
 * while the per-gradient partials stay few enough for one thread each to add up in the second stage.
 */
export const SUM_SQUARES_CHUNK = 8192;

// table: [offset, length] of each chunk in the packed gradients, then the first chunk of each slot (n + 1 words).
const SUM_SQUARES_CHUNKS_WGSL = /* wgsl */ `
struct U { chunks: u32, pad0: u32, pad1: u32, pad2: u32 }
@group(0) @binding(0) var<storage, read_write> partials: array<f32>;
@group(0) @binding(1) var<storage, read> packed: array<f32>;
@group(0) @binding(2) var<storage, read> table: array<u32>;
@group(0) @binding(3) var<uniform> u: U;
var<workgroup> partial: array<f32, ${WORKGROUP}>;
@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let chunk = wid.x + wid.y * groups.x;
  if (chunk >= u.chunks) { return; }
  let offset = table[2u * chunk];
  let n = table[2u * chunk + 1u];
  var acc = 0.0;
  for (var i = lid.x; i < n; i += ${WORKGROUP}u) { let x = packed[offset + i]; acc += x * x; }
  partial[lid.x] = acc;
  workgroupBarrier();
  for (var stride = ${WORKGROUP / 2}u; stride > 0u; stride = stride / 2u) {
    if (lid.x < stride) { partial[lid.x] += partial[lid.x + stride]; }
    workgroupBarrier();
  }
  if (lid.x == 0u) { partials[chunk] = partial[0]; }
}`;

// Few partials per slot (≤ 300 for base): one thread adds them in chunk order, so the sum never depends on timing.
const SUM_SQUARES_SLOTS_WGSL = /* wgsl */ `
struct U { slots: u32, slotBase: u32, pad0: u32, pad1: u32 }
@group(0) @binding(0) var<storage, read_write> out: array<f32>;
@group(0) @binding(1) var<storage, read> partials: array<f32>;
@group(0) @binding(2) var<storage, read> table: array<u32>;
@group(0) @binding(3) var<uniform> u: U;
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let slot = gid.x;
  if (slot >= u.slots) { return; }
  var acc = 0.0;
  for (var c = table[u.slotBase + slot]; c < table[u.slotBase + slot + 1u]; c++) { acc += partials[c]; }
  out[slot] = acc;
}`;

/** The constants of one AdamW update, as model/adamw.ts computes them in JS. */
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
   * p, m, v ← one AdamW update from g (times `scale[0]` when given), in place; `guarded`: nothing written
   * when `scale[0]` is negative. Returns false (nothing done) when a buffer is shared with another tensor:
   * the caller then uses the reference ops.
   */
  adamw(p: tf.Variable, m: tf.Variable, v: tf.Variable, g: tf.Tensor, c: AdamWConstants, scale?: tf.Scalar, guarded?: boolean): boolean;
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
    adamw: (p, m, v, g, c, scale, guarded) => adamw(backend, p, m, v, g, c, scale, guarded),
    sumSquares: (grads) => sumSquares(backend, grads),
  };
}

function adamw(b: Backend, p: tf.Variable, m: tf.Variable, v: tf.Variable, g: tf.Tensor, c: AdamWConstants, scale?: tf.Scalar, guarded = false): boolean {
  if (![p, m, v].every((t) => t.dtype === 'float32' && owns(b, t)) || g.dtype !== 'float32' || g.size !== p.size) return false;
  if (p.size === 0) return true;
  const f = (x: number) => ({ type: 'float32', data: [x] });
  const u = (x: number) => ({ type: 'uint32', data: [x] });
  const uniforms = b.makeUniforms([
    f(c.lr),
    f(c.beta1),
    f(1 - c.beta1),
    f(c.beta2),
    f(1 - c.beta2),
    f(c.bc1),
    f(c.bc2),
    f(c.eps),
    f(1 - c.decay),
    u(c.decay > 0 ? 1 : 0),
    u(scale ? 1 : 0),
    u(p.size),
    u(guarded && scale ? 1 : 0),
    u(0),
    u(0),
    u(0),
  ]);
  const gBuffer = bufferOf(b, g);
  const buffers = [p, m, v].map((t) => ({ buffer: writtenBufferOf(b, t) }));
  dispatch(
    b,
    pipeline(b, 'adamw', ADAMW_WGSL),
    [...buffers, { buffer: gBuffer }, { buffer: scale ? bufferOf(b, scale) : gBuffer }, uniforms],
    Math.ceil(p.size / WORKGROUP),
  );
  return true;
}

interface ChunkPlan {
  readonly table: tf.Tensor1D; // int32, read as u32: see SUM_SQUARES_CHUNKS_WGSL
  readonly offsets: readonly number[]; // of each gradient in the packed buffer, floats
  readonly total: number; // floats
  readonly chunks: number;
}

// Per backend, by the gradients' sizes: training passes the same list every step, so the table uploads once.
const plans = new WeakMap<Backend, Map<string, ChunkPlan>>();
const MAX_PLANS = 16; // bounds what parity checks and NGDiff's differing lists can leave behind

/** Chunks of SUM_SQUARES_CHUNK floats over gradients of these sizes packed end to end, and their table's words. */
export function chunkLayout(sizes: readonly number[]): { words: number[]; offsets: number[]; total: number; chunks: number } {
  const pairs: number[] = [];
  const firsts: number[] = [];
  const offsets: number[] = [];
  let total = 0;
  for (const size of sizes) {
    firsts.push(pairs.length / 2);
    offsets.push(total);
    for (let start = 0; start < size; start += SUM_SQUARES_CHUNK) pairs.push(total + start, Math.min(SUM_SQUARES_CHUNK, size - start));
    total += size;
  }
  firsts.push(pairs.length / 2);
  return { words: [...pairs, ...firsts], offsets, total, chunks: pairs.length / 2 };
}

function chunkPlan(b: Backend, sizes: readonly number[]): ChunkPlan {
  let byKey = plans.get(b);
  if (!byKey) plans.set(b, (byKey = new Map()));
  const key = sizes.join(',');
  const cached = byKey.get(key);
  if (cached) return cached;
  const { words, offsets, total, chunks } = chunkLayout(sizes);
  const plan = { table: tf.keep(tf.tensor1d(words, 'int32')), offsets, total, chunks };
  if (byKey.size >= MAX_PLANS) {
    const [oldest, old] = byKey.entries().next().value!;
    byKey.delete(oldest);
    old.table.dispose(); // an unsubmitted dispatch still holding it keeps its buffer: tfjs defers the release
  }
  byKey.set(key, plan);
  return plan;
}

/** Σ x² of each of `chunks` chunks of `packed` (their [offset, length] in `table`) into `partials`. */
export function chunkSquares(b: Backend, partials: GPUBuffer, packed: GPUBuffer, table: GPUBufferBinding, chunks: number): void {
  dispatch(b, pipeline(b, 'sumSquares', SUM_SQUARES_CHUNKS_WGSL), [{ buffer: partials }, { buffer: packed }, table, keptSizes(b, [chunks, 0, 0, 0])], chunks);
}

/** Copies each tensor into `packed` at its offset (floats), in tfjs's command stream. */
export function copyPacked(b: Backend, tensors: readonly tf.Tensor[], packed: GPUBuffer, offsets: readonly number[]): void {
  const sources = tensors.map((t) => bufferOf(b, t));
  b.ensureCommandEncoderReady();
  b.endComputePassEncoder(); // copies go outside a compute pass; the next dispatch opens a new one
  tensors.forEach((t, slot) => {
    if (t.size > 0) b.commandEncoder!.copyBufferToBuffer(sources[slot], 0, packed, 4 * offsets[slot], 4 * t.size);
  });
}

/**
 * A dispatch binds a handful of storage buffers, and every gradient is its own buffer, so they are first
 * copied into one: ~80 MB of extra traffic for base (tens of µs on the H100) buys one dispatch whatever
 * maxStorageBuffersPerShaderStage the device has, instead of one per gradient or per group of bindings.
 */
function sumSquares(b: Backend, grads: readonly tf.Tensor[]): tf.Tensor1D {
  grads.forEach((g, slot) => {
    if (g.dtype !== 'float32') throw new Error(`sumSquares: gradient ${slot} is ${g.dtype}, expected float32`);
  });
  const plan = chunkPlan(
    b,
    grads.map((g) => g.size),
  );
  if (plan.total === 0) return tf.zeros([grads.length]);
  const packedInfo = newOutput(b, [plan.total]);
  const packed = bufferOf(b, packedInfo);
  copyPacked(b, grads, packed, plan.offsets);
  const partialsInfo = newOutput(b, [plan.chunks]);
  const partials = bufferOf(b, partialsInfo);
  const table = { buffer: bufferOf(b, plan.table) };
  chunkSquares(b, partials, packed, table, plan.chunks);
  const outInfo = newOutput(b, [grads.length]);
  dispatch(
    b,
    pipeline(b, 'sumSquaresSlots', SUM_SQUARES_SLOTS_WGSL),
    [{ buffer: bufferOf(b, outInfo) }, { buffer: partials }, table, keptSizes(b, [grads.length, 2 * plan.chunks, 0, 0])],
    Math.ceil(grads.length / 64),
  );
  // Released once the recorded commands are submitted (bufferOf marked them used by the queue).
  asTensor(packedInfo).dispose();
  asTensor(partialsInfo).dispose();
  return asTensor<tf.Tensor1D>(outInfo);
}
