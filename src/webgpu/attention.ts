/**
 * Fused prefix-LM attention on webgpu (issue 9): softmax(q·kᵀ/√dh + mask + keyBias)·v as one WGSL kernel
 * forward and two backward, flash-attention style, instead of ~10 tfjs kernels each way over [B, H, L, L]
 * scores (~180 MB per layer at `small`). Nothing of size L² is ever stored:
 *
 *   forward : one thread per query row, 64 rows a workgroup; K/V tiles of T keys in workgroup memory;
 *             online softmax (running max m and sum l per row); writes O and lse = m + log l.
 *   dq      : two threads per query row, 64 rows a workgroup, over tiles of T keys in two phases: one
 *             thread p = exp(s − lse), the other dp = dO·v − D with D = dO·O (written out for the next
 *             kernel), both into workgroup memory; then each adds half of dQ = scale·Σ p·dp·k. Each thread
 *             holds one of q, dO and half of dQ (24 vec4 of registers, was 48 with one thread per row:
 *             ASYMFLOW_DQ_PAIRED=0, also used when dh is not a multiple of 8), so twice the warps fit an SM.
 *   dkdv    : 128 threads per 64 keys over tiles of T queries (q, dO, lse, D) in workgroup memory, in two
 *             phases a tile: threads 0–63 p = exp(k·q + bias − lse) while threads 64–127 dp = v·dO − D, both
 *             into workgroup memory; then threads 0–63 dV += p·dO and threads 64–127 dK += p·dp·q. Each
 *             thread holds one of k, v (32 vec4 fewer registers) and does 32 of the 64 vec4 FMA per
 *             (query, key); the earlier split (threads 0–63 dV, 64–127 dK, both computing p) had 32 / 48 of 80
 *             and took 3.6 against 3.3 ms at `small` on the H100 (bench/README), so it was removed. Same
 *             values bit for bit. No atomics: deterministic.
 *
 * q, k, v, O and their gradients stay in the linear layers' [B, L, H·dh] layout (head h at columns
 * h·dh…), so the split/merge-heads transposes are gone too. The mask is the one prefixLmBias builds: key j
 * is visible to query i when j < prefix (image) or j ≤ i (causal text); masked pairs are skipped (the
 * reference adds MASKED = −1e4, whose exp is exactly 0), key blocks wholly masked for a query block are
 * never visited. keyBias [B, L] (padding keys: MASKED) is added to the scores as the reference adds it.
 * Only used when fusedBackend() is set (webgpu); parity in bench/checks/fused-parity.ts and bench/parity.ts.
 */
import * as tf from '@tensorflow/tfjs';
import { blockOf, kvTiles, loadKvTile, PRELUDE, ROWS, UNIFORMS } from './attention-wgsl.ts';
import { asTensor, bufferOf, dispatch, newOutput, pipeline, type Backend, type Info } from './raw.ts';
import { keptUniforms, type UniformField } from './bindings.ts';


let enabled = true;
let pairedDq = true;

/** ASYMFLOW_DQ_PAIRED=0: the earlier dq kernel, one thread per query row (A/B runs). Returns the previous setting. */
export function setPairedDq(on: boolean): boolean {
  const was = pairedDq;
  pairedDq = on;
  return was;
}

/** ASYMFLOW_FUSED_ATTENTION=0 turns the fused attention off in the model (A/B runs); the kernels stay testable. */
export function setFusedAttention(on: boolean): void {
  enabled = on;
}

/** The model takes the fused attention: enabled, and dh a multiple of 4 (rows are read as vec4), ≤ 128. */
export const attentionFusedApplies = (dh: number): boolean => enabled && headSizeOk(dh);
const headSizeOk = (dh: number): boolean => dh % 4 === 0 && dh >= 4 && dh <= 128;

/**
 * Rows of K/V (forward, dq) or of q/dO (dkdv) per workgroup-memory tile that fit the device's limit, with
 * `perRow` more floats a row (the balanced dkdv's p and dp for its 2·ROWS threads).
 */
function tileRows(b: Backend, dh: number, perRow = 0): number {
  const limit = Math.min(b.device.limits.maxComputeWorkgroupStorageSize, 32768);
  for (const t of [32, 16, 8]) if (2 * t * dh * 4 + 2 * t * 4 + t * perRow * 4 <= limit) return t;
  return 4;
}

/** Forward: O [B, L, H, dh] and lse [B·H, L]. */
const forwardWgsl = (dh4: number, t: number) => /* wgsl */ `${UNIFORMS}
@group(0) @binding(0) var<storage, read_write> out: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read_write> lse: array<f32>;
@group(0) @binding(2) var<storage, read> q: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read> k: array<vec4<f32>>;
@group(0) @binding(4) var<storage, read> v: array<vec4<f32>>;
@group(0) @binding(5) var<storage, read> kb: array<f32>;
@group(0) @binding(6) var<uniform> u: U;
${PRELUDE(dh4)}
${kvTiles(t, dh4)}

// Barriers only in main and in uniform control flow (GLSL on Dawn's GLES path in CI forbids the rest).
@compute @workgroup_size(${ROWS})
fn main(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
${blockOf('qb')}
  let i = qb * ${ROWS}u + lid.x;
  let base = rowOf(b, min(i, u.L - 1u), h);
  var qr: array<vec4<f32>, DH4>;
  var acc: array<vec4<f32>, DH4>;
  for (var c = 0u; c < DH4; c++) { qr[c] = q[base + c] * u.scale; acc[c] = vec4<f32>(0.0); }
  var m = -1.0e30;
  var l = 0.0;
  // Keys past max(prefix, the block's last query) are masked for every row of the block.
  let kEnd = min(u.L, max(u.prefix, qb * ${ROWS}u + ${ROWS}u));
  for (var k0 = 0u; k0 < kEnd; k0 += T) {
${loadKvTile(ROWS)}
    var s: array<f32, ${t}>;
    var bm = m;
    for (var jj = 0u; jj < T; jj++) {
      var xv = vec4<f32>(0.0);
      for (var c = 0u; c < DH4; c++) { xv += qr[c] * ks[jj * DH4 + c]; }
      let x = hsum(xv) + kbs[jj];
      s[jj] = x;
      if (visible(i, k0 + jj)) { bm = max(bm, x); }
    }
    let corr = exp(m - bm);
    l *= corr;
    for (var c = 0u; c < DH4; c++) { acc[c] *= corr; }
    for (var jj = 0u; jj < T; jj++) {
      var p = 0.0;
      if (visible(i, k0 + jj)) { p = exp(s[jj] - bm); }
      l += p;
      for (var c = 0u; c < DH4; c++) { acc[c] += p * vs[jj * DH4 + c]; }
    }
    m = bm;
  }
  if (live && i < u.L) {
    let inv = 1.0 / l;
    for (var c = 0u; c < DH4; c++) { out[base + c] = acc[c] * inv; }
    lse[bh * u.L + i] = m + log(l);
  }
}`;

/** The bindings of both dQ kernels: dQ and D out; q, k, v, O, dO, lse and the key biases in. */
const DQ_BINDINGS = /* wgsl */ `
@group(0) @binding(0) var<storage, read_write> dq: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read_write> dsum: array<f32>;
@group(0) @binding(2) var<storage, read> q: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read> k: array<vec4<f32>>;
@group(0) @binding(4) var<storage, read> v: array<vec4<f32>>;
@group(0) @binding(5) var<storage, read> o: array<vec4<f32>>;
@group(0) @binding(6) var<storage, read> dout: array<vec4<f32>>;
@group(0) @binding(7) var<storage, read> lse: array<f32>;
@group(0) @binding(8) var<storage, read> kb: array<f32>;
@group(0) @binding(9) var<uniform> u: U;`;

/** dQ [B, L, H, dh] and D = rowsum(dO·O) [B·H, L]. */
const dqWgsl = (dh4: number, t: number) => /* wgsl */ `${UNIFORMS}
${DQ_BINDINGS}
${PRELUDE(dh4)}
${kvTiles(t, dh4)}

@compute @workgroup_size(${ROWS})
fn main(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
${blockOf('qb')}
  let i = qb * ${ROWS}u + lid.x;
  let row = min(i, u.L - 1u);
  let base = rowOf(b, row, h);
  var qr: array<vec4<f32>, DH4>;
  var dor: array<vec4<f32>, DH4>;
  var acc: array<vec4<f32>, DH4>;
  var dd = 0.0;
  for (var c = 0u; c < DH4; c++) {
    qr[c] = q[base + c] * u.scale;
    dor[c] = dout[base + c];
    dd += dot(dor[c], o[base + c]);
    acc[c] = vec4<f32>(0.0);
  }
  let rowLse = lse[bh * u.L + row];
  let kEnd = min(u.L, max(u.prefix, qb * ${ROWS}u + ${ROWS}u));
  for (var k0 = 0u; k0 < kEnd; k0 += T) {
${loadKvTile(ROWS)}
    for (var jj = 0u; jj < T; jj++) {
      if (visible(i, k0 + jj)) {
        var xv = vec4<f32>(0.0);
        var dpv = vec4<f32>(0.0);
        for (var c = 0u; c < DH4; c++) {
          xv += qr[c] * ks[jj * DH4 + c];
          dpv += dor[c] * vs[jj * DH4 + c];
        }
        let p = exp(hsum(xv) + kbs[jj] - rowLse);
        let ds = p * (hsum(dpv) - dd);
        for (var c = 0u; c < DH4; c++) { acc[c] += ds * ks[jj * DH4 + c]; }
      }
    }
  }
  if (live && i < u.L) {
    for (var c = 0u; c < DH4; c++) { dq[base + c] = acc[c] * u.scale; }
    dsum[bh * u.L + i] = dd;
  }
}`;

/** dQ and D, two threads per query row (see the header): threads 0–63 p and dQ's first half, 64–127 dp, D and the second. */
const dqPairedWgsl = (dh4: number, t: number) => /* wgsl */ `${UNIFORMS}
${DQ_BINDINGS}
${PRELUDE(dh4)}
${kvTiles(t, dh4)}
const HALF = ${dh4 / 2}u;
var<workgroup> ps: array<f32, ${t * ROWS}>; // [key][row]: p (0 where masked)
var<workgroup> dps: array<f32, ${t * ROWS}>; // [key][row]: dO·v − D

@compute @workgroup_size(${2 * ROWS})
fn main(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
${blockOf('qb')}
  let isDo = lid.x >= ${ROWS}u; // warp-uniform: threads 64–127 (dp, D, dQ's second half), 0–63 (p, first half)
  let rl = lid.x % ${ROWS}u;
  let i = qb * ${ROWS}u + rl;
  let row = min(i, u.L - 1u);
  let base = rowOf(b, row, h);
  let half0 = select(0u, HALF, isDo); // this thread's dQ columns (vec4s) half0 … half0 + HALF − 1
  // This thread's row: q·scale for the p threads, dO for the dp threads.
  var mine: array<vec4<f32>, DH4>;
  var acc: array<vec4<f32>, ${dh4 / 2}>;
  var dd = 0.0;
  for (var c = 0u; c < DH4; c++) {
    if (isDo) { mine[c] = dout[base + c]; dd += dot(mine[c], o[base + c]); } else { mine[c] = q[base + c] * u.scale; }
  }
  for (var c = 0u; c < HALF; c++) { acc[c] = vec4<f32>(0.0); }
  let rowLse = lse[bh * u.L + row];
  let kEnd = min(u.L, max(u.prefix, qb * ${ROWS}u + ${ROWS}u));
  for (var k0 = 0u; k0 < kEnd; k0 += T) {
${loadKvTile(2 * ROWS)}
    for (var jj = 0u; jj < T; jj++) {
      var x = 0.0;
      if (visible(i, k0 + jj)) {
        var xv = vec4<f32>(0.0);
        if (isDo) {
          for (var c = 0u; c < DH4; c++) { xv += mine[c] * vs[jj * DH4 + c]; }
          x = hsum(xv) - dd;
        } else {
          for (var c = 0u; c < DH4; c++) { xv += mine[c] * ks[jj * DH4 + c]; }
          x = exp(hsum(xv) + kbs[jj] - rowLse);
        }
      }
      if (isDo) { dps[jj * ${ROWS}u + rl] = x; } else { ps[jj * ${ROWS}u + rl] = x; }
    }
    workgroupBarrier();
    for (var jj = 0u; jj < T; jj++) {
      if (visible(i, k0 + jj)) {
        let ds = ps[jj * ${ROWS}u + rl] * dps[jj * ${ROWS}u + rl];
        for (var c = 0u; c < HALF; c++) { acc[c] += ds * ks[jj * DH4 + half0 + c]; }
      }
    }
  }
  if (live && i < u.L) {
    for (var c = 0u; c < HALF; c++) { dq[base + half0 + c] = acc[c] * u.scale; }
    if (isDo) { dsum[bh * u.L + i] = dd; }
  }
}`;

/** dK and dV [B, L, H, dh], balanced (see the header): threads 0–63 p and dV, threads 64–127 dp and dK of 64 keys. */
const dkdvBalancedWgsl = (dh4: number, t: number) => /* wgsl */ `${UNIFORMS}
@group(0) @binding(0) var<storage, read_write> dk: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read_write> dv: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> q: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read> k: array<vec4<f32>>;
@group(0) @binding(4) var<storage, read> v: array<vec4<f32>>;
@group(0) @binding(5) var<storage, read> dout: array<vec4<f32>>;
@group(0) @binding(6) var<storage, read> lse: array<f32>;
@group(0) @binding(7) var<storage, read> dsum: array<f32>;
@group(0) @binding(8) var<storage, read> kb: array<f32>;
@group(0) @binding(9) var<uniform> u: U;
${PRELUDE(dh4)}
const T = ${t}u;
var<workgroup> qs: array<vec4<f32>, ${t * dh4}>;
var<workgroup> dos: array<vec4<f32>, ${t * dh4}>;
var<workgroup> lses: array<f32, ${t}>;
var<workgroup> ds_: array<f32, ${t}>;
var<workgroup> ps: array<f32, ${t * ROWS}>; // [query][key]: p (0 where masked)
var<workgroup> dps: array<f32, ${t * ROWS}>; // [query][key]: v·dO − D

@compute @workgroup_size(${2 * ROWS})
fn main(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
${blockOf('kBlock')}
  let isK = lid.x >= ${ROWS}u; // warp-uniform: threads 64–127 (dp, dK), threads 0–63 (p, dV)
  let jl = lid.x % ${ROWS}u;
  let j = kBlock * ${ROWS}u + jl;
  let base = rowOf(b, min(j, u.L - 1u), h);
  // This thread's one key row: k for the p threads, v for the dp threads.
  var kv: array<vec4<f32>, DH4>;
  var acc: array<vec4<f32>, DH4>;
  for (var c = 0u; c < DH4; c++) {
    if (isK) { kv[c] = v[base + c]; } else { kv[c] = k[base + c]; }
    acc[c] = vec4<f32>(0.0);
  }
  let bias = keyBias(b, j);
  // Queries before a text key block's first key never see it (image keys are seen by every query).
  let j0 = kBlock * ${ROWS}u;
  var qStart = 0u;
  if (j0 >= u.prefix) { qStart = j0; }
  for (var q0 = qStart; q0 < u.L; q0 += T) {
    workgroupBarrier();
    for (var e = lid.x; e < T * DH4; e += ${2 * ROWS}u) {
      let src = rowOf(b, min(q0 + e / DH4, u.L - 1u), h) + e % DH4;
      qs[e] = q[src] * u.scale;
      dos[e] = dout[src];
    }
    if (lid.x < T) {
      let r = bh * u.L + min(q0 + lid.x, u.L - 1u);
      lses[lid.x] = lse[r];
      ds_[lid.x] = dsum[r];
    }
    workgroupBarrier();
    for (var ii = 0u; ii < T; ii++) {
      var x = 0.0;
      if (visible(q0 + ii, j)) {
        var xv = vec4<f32>(0.0);
        if (isK) {
          for (var c = 0u; c < DH4; c++) { xv += kv[c] * dos[ii * DH4 + c]; }
          x = hsum(xv) - ds_[ii];
        } else {
          for (var c = 0u; c < DH4; c++) { xv += kv[c] * qs[ii * DH4 + c]; }
          x = exp(hsum(xv) + bias - lses[ii]);
        }
      }
      if (isK) { dps[ii * ${ROWS}u + jl] = x; } else { ps[ii * ${ROWS}u + jl] = x; }
    }
    workgroupBarrier();
    for (var ii = 0u; ii < T; ii++) {
      if (visible(q0 + ii, j)) {
        let p = ps[ii * ${ROWS}u + jl];
        if (isK) {
          let dsc = p * dps[ii * ${ROWS}u + jl];
          for (var c = 0u; c < DH4; c++) { acc[c] += dsc * qs[ii * DH4 + c]; }
        } else {
          for (var c = 0u; c < DH4; c++) { acc[c] += p * dos[ii * DH4 + c]; }
        }
      }
    }
  }
  if (live && j < u.L) {
    if (isK) {
      for (var c = 0u; c < DH4; c++) { dk[base + c] = acc[c]; }
    } else {
      for (var c = 0u; c < DH4; c++) { dv[base + c] = acc[c]; }
    }
  }
}`;

interface Geometry {
  readonly dh: number;
  readonly tile: number;
  /** The kernels' uniforms (kept: keptUniforms in bindings.ts). */
  readonly uniforms: () => GPUBufferBinding;
  readonly groups: number;
  readonly shape: number[]; // [B, L, d]
  readonly lseShape: number[]; // [B·H, L]
}

function geometry(b: Backend, x: tf.Tensor, heads: number, prefix: number, hasBias: boolean): Geometry {
  const [batch, l, d] = x.shape;
  const dh = d / heads;
  const qBlocks = Math.ceil(l / ROWS);
  const total = batch * heads * qBlocks;
  const uniforms = () => keptUniforms(b, [
    ...[l, heads, prefix, qBlocks, total, hasBias ? 1 : 0].map((v): UniformField => ({ type: 'uint32', data: [v] })),
    { type: 'float32', data: [1 / Math.sqrt(dh)] }, { type: 'uint32', data: [0] },
  ]);
  return { dh, tile: tileRows(b, dh), uniforms, groups: total, shape: [batch, l, d], lseShape: [batch * heads, l] };
}

const bind = (b: Backend, ts: Info[]): GPUBufferBinding[] => ts.map((t) => ({ buffer: bufferOf(b, t) }));

/**
 * Prefix-LM attention of q, k, v [B, L, H·dh] (heads side by side in the last axis, as the linear layers
 * give them) with `prefix` fully visible image keys and optional keyBias [B, L] added to every query's
 * scores: → [B, L, H·dh], the heads merged. Gradients for q, k, v (keyBias is a constant).
 */
export function attentionFused(b: Backend, q: tf.Tensor3D, k: tf.Tensor3D, v: tf.Tensor3D, heads: number, prefix: number,
  keyBias?: tf.Tensor2D): tf.Tensor3D {
  const [batch, l, d] = q.shape;
  if (d % heads !== 0 || !headSizeOk(d / heads) || l === 0 || batch === 0) {
    throw new Error(`attentionFused: unsupported shape [${q.shape}] with ${heads} heads`);
  }
  if (keyBias && (keyBias.shape[0] !== batch || keyBias.shape[1] !== l)) throw new Error(`attentionFused: keyBias [${keyBias.shape}], want [${batch}, ${l}]`);
  // A one-element stand-in when there is no key bias (hasBias = 0: never read).
  const kb: tf.Tensor = keyBias ?? tf.zeros([1]);
  const f = tf.customGrad(((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [qs, ks, vs] = args as tf.Tensor3D[];
    const save = args[3] as tf.GradSaveFunc;
    const geo = geometry(b, qs, heads, prefix, keyBias !== undefined);
    const out = newOutput(b, geo.shape);
    const lse = newOutput(b, geo.lseShape);
    dispatch(b, pipeline(b, `attention${geo.dh}x${geo.tile}`, () => forwardWgsl(geo.dh / 4, geo.tile)),
      [...bind(b, [out, lse, qs, ks, vs, kb]), geo.uniforms()], geo.groups);
    const o = asTensor<tf.Tensor3D>(out);
    save([qs, ks, vs, o, asTensor(lse)]);
    return {
      value: o, // [B, L, d]
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [q0, k0, v0, o0, lse0] = saved;
        const g = geometry(b, q0, heads, prefix, keyBias !== undefined);
        const dq = newOutput(b, g.shape);
        const dsum = newOutput(b, g.lseShape);
        const pairedTile = tileRows(b, g.dh, 2 * ROWS);
        const dqKernel = pairedDq && g.dh % 8 === 0
          ? pipeline(b, `attentionDqPaired${g.dh}x${pairedTile}`, () => dqPairedWgsl(g.dh / 4, pairedTile))
          : pipeline(b, `attentionDq${g.dh}x${g.tile}`, () => dqWgsl(g.dh / 4, g.tile));
        dispatch(b, dqKernel, [...bind(b, [dq, dsum, q0, k0, v0, o0, dy, lse0, kb]), g.uniforms()], g.groups);
        const dk = newOutput(b, g.shape);
        const dv = newOutput(b, g.shape);
        const kernel = pipeline(b, `attentionDkdvBalanced${g.dh}x${pairedTile}`, () => dkdvBalancedWgsl(g.dh / 4, pairedTile));
        dispatch(b, kernel, [...bind(b, [dk, dv, q0, k0, v0, dy, lse0, dsum, kb]), g.uniforms()], g.groups);
        tf.dispose(asTensor(dsum));
        return [asTensor(dq), asTensor(dk), asTensor(dv)];
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return f(q, k, v) as tf.Tensor3D;
}
