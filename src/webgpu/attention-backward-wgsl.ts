/** WGSL of the fused attention's backward (attention.ts): dQ (one or two threads a query row) and dK/dV. */
import { blockOf, kvTiles, loadKvTile, PRELUDE, ROWS, UNIFORMS } from './attention-wgsl.ts';

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
export const dqWgsl = (dh4: number, t: number) => /* wgsl */ `${UNIFORMS}
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
export const dqPairedWgsl = (dh4: number, t: number) => /* wgsl */ `${UNIFORMS}
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
export const dkdvBalancedWgsl = (dh4: number, t: number) => /* wgsl */ `${UNIFORMS}
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
