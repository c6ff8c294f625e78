/**
 * The fused attention's forward on the tensor cores (issue 17): the bindings, uniforms, O and lse of
 * attention-wgsl.ts's forwardWgsl (so the fp32 backward can consume them), with S = Q·Kᵀ and O = P·V as f16
 * subgroup-matrix products accumulated in f32. Q, K and V are rounded to f16 on their way into workgroup memory;
 * the scores are S·scale + key bias in f32, P = exp(x − m) in f32, rounded to f16 only as the left operand of P·V.
 *
 * WGSL cannot rescale a result fragment row by row, so instead of the online softmax's running rescale the
 * kernel makes two passes over the keys: the first finds each row's maximum m (S only: one product and a max
 * per score, no exp), the second accumulates O = Σ exp(x − m)·v in result fragments that never need
 * rescaling, and the row sums l; O / l and lse = m + log l leave through the stage at the end. Each key is
 * exp'd once, as in the one-pass form; the price is S computed twice on the tensor cores and K read twice.
 *
 * The prefix-LM mask as in the fp32 kernel: key j is visible to query i when j < prefix or j ≤ i; masked pairs
 * get p = 0 exactly (so they add exactly 0 to O and l), key tiles past max(prefix, the workgroup's last query)
 * are never loaded, and a subgroup skips the products of a tile wholly masked for its rows.
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
import type { TcShape } from './tc-shape.ts';

/** WGSL: workgroup memory for keyTile's tile of `tk` keys (K, V as f16 rows of `stride`, the key biases). */
export const keyTileDeclarations = (tk: number, stride: number) => `var<workgroup> ks: array<f16, ${tk * stride}>;
var<workgroup> vs: array<f16, ${tk * stride}>;
var<workgroup> kbs: array<f32, ${tk}>;`;

/** WGSL: the tile of TK keys from k0 (K, optionally V, and their biases) into workgroup memory, barriers around. */
export const keyTile = (withV: boolean) => `    workgroupBarrier();
${loadRows('k', 'ks', 'k0', 'TK', 'TS')}
${withV ? loadRows('v', 'vs', 'k0', 'TK', 'TS') : ''}
    for (var e = lid.x; e < TK; e += THREADS) { kbs[e] = keyBias(b, k0 + e); }
    workgroupBarrier();`;

/** WGSL: `out` = Σ_c left${c}·Kᵀ over the dh / N fragments of the key tile in `tile` (row-major [key][dim]), for key fragment jf. */
export const timesTileT = (left: string, tile: string, out: string, shape: TcShape, dh: number) =>
  [
    `      var ${out} = subgroup_matrix_result<f32, N, N>();`,
    ...range(dh / shape.size).map(
      (c) =>
        `      ${out} = subgroupMatrixMultiplyAccumulate(${left}${c}, subgroupMatrixLoad<subgroup_matrix_right<f16, N, N>, col_major>(&${tile}, jf * N * TS + ${c * shape.size}u, TS), ${out});`,
    ),
  ].join('\n');

/** WGSL: acc${cf} += left · tile's rows kf·N… (row-major [row][dim]) for every output fragment cf. */
export const accumulateTimesTile = (acc: string, left: string, tile: string, shape: TcShape, dh: number) =>
  range(dh / shape.size)
    .map(
      (cf) =>
        `      ${acc}${cf} = subgroupMatrixMultiplyAccumulate(${left}, subgroupMatrixLoad<subgroup_matrix_right<f16, N, N>, row_major>(&${tile}, kf * N * TS + ${cf * shape.size}u, TS), ${acc}${cf});`,
    )
    .join('\n');

/** Forward: O [B, L, H·dh] and lse [B·H, L], as forwardWgsl writes them. */
export function forwardTcWgsl(shape: TcShape, dh: number, t: TcAttentionTile): string {
  const l = tcAttentionLayout('forward', shape, dh, t);
  const frags = range(dh / shape.size);
  return /* wgsl */ `${tcPrelude(shape, dh, t, 'forward')}
${UNIFORMS}
@group(0) @binding(0) var<storage, read_write> out: array<f32>;
@group(0) @binding(1) var<storage, read_write> lse: array<f32>;
@group(0) @binding(2) var<storage, read> q: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read> k: array<vec4<f32>>;
@group(0) @binding(4) var<storage, read> v: array<vec4<f32>>;
@group(0) @binding(5) var<storage, read> kb: array<f32>;
@group(0) @binding(6) var<uniform> u: U;
${PRELUDE(dh / 4)}
${keyTileDeclarations(t.tk, l.tileStride)}
var<workgroup> hs: array<f16, ${l.rows * l.halfStride}>; // Q staged, then P [row][key]
var<workgroup> st: array<f32, ${l.stage}>; // per subgroup: N × TK scores, then O's chunks
var<workgroup> rowM: array<f32, ${l.rows * t.lpr}>; // per lane of a row: its part of the row's max
var<workgroup> rowL: array<f32, ${l.rows * t.lpr}>; // … and of its sum

// Barriers only in main's uniform control flow; every workgroup runs the same loops (dead ones included).
@compute @workgroup_size(${t.sg * shape.subgroup})
fn main(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
${blockOf('qb')}
${TC_LANES}
  let row0 = qb * ROWS + sg * N; // this subgroup's first query
${ownFragments('q', 'qf', 'qb * ROWS', shape, dh)}
  // Keys past max(prefix, the block's last query) are masked for every row of the block.
  let kEnd = min(u.L, max(u.prefix, qb * ROWS + ROWS));
  let sgEnd = max(u.prefix, row0 + N); // … and past max(prefix, this subgroup's last query) for its rows
  var m: array<f32, RPL>;
  var lsum: array<f32, RPL>;
  for (var rho = 0u; rho < RPL; rho++) { m[rho] = -1.0e30; lsum[rho] = 0.0; }
  // Pass 1: each row's maximum score over its visible keys.
  for (var k0 = 0u; k0 < kEnd; k0 += TK) {
${keyTile(false)}
    if (k0 < sgEnd) {
      for (var jf = 0u; jf < TK / N; jf++) {
${timesTileT('qf', 'ks', 's', shape, dh)}
        subgroupMatrixStore<row_major>(&st, stBase + jf * N, s, SS);
      }
    }
    workgroupBarrier();
${perElement(`        if (visible(row0 + r, k0 + c)) { m[rho] = max(m[rho], st[stBase + r * SS + c] * u.scale + kbs[c]); }`)}
  }
  for (var rho = 0u; rho < RPL; rho++) { rowM[(sg * N + ${laneRow('rho')}) * LPR + lane % LPR] = m[rho]; }
  workgroupBarrier();
  for (var rho = 0u; rho < RPL; rho++) {
    let at = (sg * N + ${laneRow('rho')}) * LPR;
    for (var p = 0u; p < LPR; p++) { m[rho] = max(m[rho], rowM[at + p]); }
  }
  // Pass 2: P = exp(x − m) (0 where masked) into hs as f16, O += P·V on the tensor cores, l += P in f32.
  ${frags.map((f) => `var of${f} = subgroup_matrix_result<f32, N, N>();`).join('\n  ')}
  for (var k0 = 0u; k0 < kEnd; k0 += TK) {
${keyTile(true)}
    let sees = k0 < sgEnd;
    if (sees) {
      for (var jf = 0u; jf < TK / N; jf++) {
${timesTileT('qf', 'ks', 's', shape, dh)}
        subgroupMatrixStore<row_major>(&st, stBase + jf * N, s, SS);
      }
    }
    workgroupBarrier();
${perElement(`        var p = 0.0;
        if (visible(row0 + r, k0 + c)) { p = exp(st[stBase + r * SS + c] * u.scale + kbs[c] - m[rho]); }
        lsum[rho] += p;
        hs[hBase + r * HS + c] = f16(p);`)}
    workgroupBarrier();
    if (sees) {
      for (var kf = 0u; kf < TK / N; kf++) {
        let pl = subgroupMatrixLoad<subgroup_matrix_left<f16, N, N>, row_major>(&hs, hBase + kf * N, HS);
${accumulateTimesTile('of', 'pl', 'vs', shape, dh)}
      }
    }
  }
  for (var rho = 0u; rho < RPL; rho++) { rowL[(sg * N + ${laneRow('rho')}) * LPR + lane % LPR] = lsum[rho]; }
  workgroupBarrier();
  for (var r = lane; r < N; r += SG) {
    let i = row0 + r;
    var mr = -1.0e30;
    var lr = 0.0;
    for (var p = 0u; p < LPR; p++) { mr = max(mr, rowM[(sg * N + r) * LPR + p]); lr += rowL[(sg * N + r) * LPR + p]; }
    if (live && i < u.L) { lse[bh * u.L + i] = mr + log(lr); }
  }
${storeResult('of', shape, dh, t, (r, col, value) => {
  return `    let i = row0 + ${r};
    var lr = 0.0;
    for (var p = 0u; p < LPR; p++) { lr += rowL[(sg * N + ${r}) * LPR + p]; }
    if (live && i < u.L) { out[rowAt(b, i, h) + ${col}] = ${value} / lr; }`;
})}
}`;
}
