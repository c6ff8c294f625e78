/**
 * The fused attention's backward on the tensor cores (issue 17), bindings and outputs as attention-backward-wgsl.ts's
 * kernels (dQ and D = rowsum(dO∘O), then dK/dV), so either form can follow either forward. With p = exp(S·scale +
 * key bias − lse) in f32 from S = Q·Kᵀ on the tensor cores:
 *
 *   dq   : each subgroup owns N query rows; per tile of TK keys, S = Q·Kᵀ and dP = dO·Vᵀ (f16 fragments, f32
 *          accumulators, through two stages), dS = p·(dP − D) in f32 element by element, rounded to f16, and
 *          dQ += dS·K in result fragments; dQ·scale at the end. D comes from the unrounded dO and O in f32 (as
 *          the fp32 kernel computes it) and is written for dK/dV.
 *   dkdv : each subgroup owns N key rows; per tile of TK queries (Q, dO, lse, D), Sᵀ = K·Qᵀ and dPᵀ = V·dOᵀ, then
 *          Pᵀ and dSᵀ as f16, dV += Pᵀ·dO and dK += dSᵀ·Q in result fragments; dK·scale at the end.
 *
 * Each workgroup writes only its own rows: deterministic, no atomics. Masked pairs get p = dS = 0 exactly, tiles
 * wholly masked for a workgroup are never visited and for a subgroup skip its products (as in the forward).
 */
import { blockOf, PRELUDE, UNIFORMS } from './attention-wgsl.ts';
import {
  laneRow,
  loadRows,
  ownFragments,
  perElement,
  range,
  storeResult,
  tcAttentionLayout,
  TC_LANES,
  tcPrelude,
  type TcAttentionTile,
} from './attention-tc-layout.ts';
import { accumulateTimesTile, keyTile, keyTileDeclarations, timesTileT } from './attention-tc-forward-wgsl.ts';
import type { TcShape } from './tc-shape.ts';

/** WGSL: this subgroup's products of a tile: `a`·tileAᵀ into stage st, `b`·tileBᵀ into st2, per fragment jf. */
const twoProducts = (a: string, tileA: string, bName: string, tileB: string, shape: TcShape, dh: number) => `      for (var jf = 0u; jf < TK / N; jf++) {
${timesTileT(a, tileA, 's', shape, dh)}
        subgroupMatrixStore<row_major>(&st, stBase + jf * N, s, SS);
${timesTileT(bName, tileB, 'dp', shape, dh)}
        subgroupMatrixStore<row_major>(&st2, stBase + jf * N, dp, SS);
      }`;

/** dQ [B, L, H·dh] and D [B·H, L]. */
export function dqTcWgsl(shape: TcShape, dh: number, t: TcAttentionTile): string {
  const l = tcAttentionLayout('dq', shape, dh, t);
  const frags = range(dh / shape.size);
  return /* wgsl */ `${tcPrelude(shape, dh, t, 'dq')}
${UNIFORMS}
@group(0) @binding(0) var<storage, read_write> dq: array<f32>;
@group(0) @binding(1) var<storage, read_write> dsum: array<f32>;
@group(0) @binding(2) var<storage, read> q: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read> k: array<vec4<f32>>;
@group(0) @binding(4) var<storage, read> v: array<vec4<f32>>;
@group(0) @binding(5) var<storage, read> o: array<vec4<f32>>;
@group(0) @binding(6) var<storage, read> dout: array<vec4<f32>>;
@group(0) @binding(7) var<storage, read> lse: array<f32>;
@group(0) @binding(8) var<storage, read> kb: array<f32>;
@group(0) @binding(9) var<uniform> u: U;
${PRELUDE(dh / 4)}
${keyTileDeclarations(t.tk, l.tileStride)}
var<workgroup> hs: array<f16, ${l.rows * l.halfStride}>; // Q, then dO staged, then dS [row][key]
var<workgroup> st: array<f32, ${l.stage}>; // per subgroup: N × TK scores, then dQ's chunks
var<workgroup> st2: array<f32, ${l.stage}>; // per subgroup: N × TK dO·vᵀ
var<workgroup> rowD: array<f32, ${l.rows}>;
var<workgroup> rowLse: array<f32, ${l.rows}>;

@compute @workgroup_size(${t.sg * shape.subgroup})
fn main(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
${blockOf('qb')}
${TC_LANES}
  let row0 = qb * ROWS + sg * N; // this subgroup's first query
${ownFragments('q', 'qf', 'qb * ROWS', shape, dh)}
${ownFragments('dout', 'df', 'qb * ROWS', shape, dh)}
  // D = Σ dO·O per row in f32 from storage, summed as the fp32 kernel sums it; lse per row.
  for (var r = lane; r < N; r += SG) {
    let i = row0 + r;
    let base = rowOf(b, min(i, u.L - 1u), h);
    var d = 0.0;
    for (var c = 0u; c < DH4; c++) { d += dot(dout[base + c], o[base + c]); }
    rowD[sg * N + r] = d;
    rowLse[sg * N + r] = lse[bh * u.L + min(i, u.L - 1u)];
    if (live && i < u.L) { dsum[bh * u.L + i] = d; }
  }
  workgroupBarrier();
  var dd: array<f32, RPL>;
  var rl: array<f32, RPL>;
  for (var rho = 0u; rho < RPL; rho++) { dd[rho] = rowD[sg * N + ${laneRow('rho')}]; rl[rho] = rowLse[sg * N + ${laneRow('rho')}]; }
  ${frags.map((f) => `var acc${f} = subgroup_matrix_result<f32, N, N>();`).join('\n  ')}
  let kEnd = min(u.L, max(u.prefix, qb * ROWS + ROWS));
  let sgEnd = max(u.prefix, row0 + N);
  for (var k0 = 0u; k0 < kEnd; k0 += TK) {
${keyTile(true)}
    let sees = k0 < sgEnd;
    if (sees) {
${twoProducts('qf', 'ks', 'df', 'vs', shape, dh)}
    }
    workgroupBarrier();
${perElement(`        var ds = 0.0;
        if (visible(row0 + r, k0 + c)) {
          let p = exp(st[stBase + r * SS + c] * u.scale + kbs[c] - rl[rho]);
          ds = p * (st2[stBase + r * SS + c] - dd[rho]);
        }
        hs[hBase + r * HS + c] = f16(ds);`)}
    workgroupBarrier();
    if (sees) {
      for (var kf = 0u; kf < TK / N; kf++) {
        let dsl = subgroupMatrixLoad<subgroup_matrix_left<f16, N, N>, row_major>(&hs, hBase + kf * N, HS);
${accumulateTimesTile('acc', 'dsl', 'ks', shape, dh)}
      }
    }
  }
${storeResult(
  'acc',
  shape,
  dh,
  t,
  (r, col, value) => `    let i = row0 + ${r};
    if (live && i < u.L) { dq[rowAt(b, i, h) + ${col}] = ${value} * u.scale; }`,
)}
}`;
}

/** dK and dV [B, L, H·dh]. */
export function dkdvTcWgsl(shape: TcShape, dh: number, t: TcAttentionTile): string {
  const l = tcAttentionLayout('dkdv', shape, dh, t);
  const frags = range(dh / shape.size);
  const hs2Stride = t.tk + 8;
  return /* wgsl */ `${tcPrelude(shape, dh, t, 'dkdv')}
${UNIFORMS}
@group(0) @binding(0) var<storage, read_write> dk: array<f32>;
@group(0) @binding(1) var<storage, read_write> dv: array<f32>;
@group(0) @binding(2) var<storage, read> q: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read> k: array<vec4<f32>>;
@group(0) @binding(4) var<storage, read> v: array<vec4<f32>>;
@group(0) @binding(5) var<storage, read> dout: array<vec4<f32>>;
@group(0) @binding(6) var<storage, read> lse: array<f32>;
@group(0) @binding(7) var<storage, read> dsum: array<f32>;
@group(0) @binding(8) var<storage, read> kb: array<f32>;
@group(0) @binding(9) var<uniform> u: U;
${PRELUDE(dh / 4)}
const H2S = ${hs2Stride}u;
var<workgroup> qs: array<f16, ${t.tk * l.tileStride}>; // [query][dim]
var<workgroup> dos: array<f16, ${t.tk * l.tileStride}>;
var<workgroup> lses: array<f32, ${t.tk}>;
var<workgroup> dss: array<f32, ${t.tk}>;
var<workgroup> hs: array<f16, ${l.rows * l.halfStride}>; // K, then V staged, then Pᵀ [key][query]
var<workgroup> hs2: array<f16, ${l.rows * hs2Stride}>; // dSᵀ [key][query]
var<workgroup> st: array<f32, ${l.stage}>; // per subgroup: N × TK of K·Qᵀ, then dK's and dV's chunks
var<workgroup> st2: array<f32, ${l.stage}>; // per subgroup: N × TK of V·dOᵀ

@compute @workgroup_size(${t.sg * shape.subgroup})
fn main(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
${blockOf('kBlock')}
${TC_LANES}
  let j0 = kBlock * ROWS; // this workgroup's first key
  let key0 = j0 + sg * N; // this subgroup's first key
${ownFragments('k', 'kl', 'j0', shape, dh)}
${ownFragments('v', 'vl', 'j0', shape, dh)}
  var bias: array<f32, RPL>;
  for (var rho = 0u; rho < RPL; rho++) { bias[rho] = keyBias(b, key0 + ${laneRow('rho')}); }
  ${frags.map((f) => `var dka${f} = subgroup_matrix_result<f32, N, N>();`).join('\n  ')}
  ${frags.map((f) => `var dva${f} = subgroup_matrix_result<f32, N, N>();`).join('\n  ')}
  // Queries before a text key block's first key never see it (image keys are seen by every query).
  var qStart = 0u;
  if (j0 >= u.prefix) { qStart = j0; }
  for (var q0 = qStart; q0 < u.L; q0 += TK) {
    workgroupBarrier();
${loadRows('q', 'qs', 'q0', 'TK', 'TS')}
${loadRows('dout', 'dos', 'q0', 'TK', 'TS')}
    for (var e = lid.x; e < TK; e += THREADS) {
      let at = bh * u.L + min(q0 + e, u.L - 1u);
      lses[e] = lse[at];
      dss[e] = dsum[at];
    }
    workgroupBarrier();
    // Some query of the tile sees some key of this subgroup: an image key, or a text key at or before it.
    let sees = key0 < u.prefix || q0 + TK > key0;
    if (sees) {
${twoProducts('kl', 'qs', 'vl', 'dos', shape, dh)}
    }
    workgroupBarrier();
${perElement(`        var p = 0.0;
        var ds = 0.0;
        if (visible(q0 + c, key0 + r)) {
          p = exp(st[stBase + r * SS + c] * u.scale + bias[rho] - lses[c]);
          ds = p * (st2[stBase + r * SS + c] - dss[c]);
        }
        hs[hBase + r * HS + c] = f16(p);
        hs2[sg * N * H2S + r * H2S + c] = f16(ds);`)}
    workgroupBarrier();
    if (sees) {
      for (var kf = 0u; kf < TK / N; kf++) {
        let pl = subgroupMatrixLoad<subgroup_matrix_left<f16, N, N>, row_major>(&hs, hBase + kf * N, HS);
${accumulateTimesTile('dva', 'pl', 'dos', shape, dh)}
        let dsl = subgroupMatrixLoad<subgroup_matrix_left<f16, N, N>, row_major>(&hs2, sg * N * H2S + kf * N, H2S);
${accumulateTimesTile('dka', 'dsl', 'qs', shape, dh)}
      }
    }
  }
${storeResult(
  'dka',
  shape,
  dh,
  t,
  (r, col, value) => `    let j = key0 + ${r};
    if (live && j < u.L) { dk[rowAt(b, j, h) + ${col}] = ${value} * u.scale; }`,
)}
${storeResult(
  'dva',
  shape,
  dh,
  t,
  (r, col, value) => `    let j = key0 + ${r};
    if (live && j < u.L) { dv[rowAt(b, j, h) + ${col}] = ${value}; }`,
)}
}`;
}
