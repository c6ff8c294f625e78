/**
 * The WGSL of our fp32 matmul (matmul.ts dispatches it): C = op(A)·op(B) (+ bias) (+ addend) over 16 × 16
 * threads with `rows` × `cols` outputs each, K through workgroup memory BK at a time, optional split-K partials.
 */
import { workgroupTile } from './matmul-split.ts';

export const BK = 16; // K per step through workgroup memory
const THREADS = 256;

/**
 * The kernel for `rows` × `cols` outputs per thread (16 × 16 threads): 4×4 → 64×64 tiles (2 vec4 reads of
 * workgroup memory per 16 FMAs), 8×4 → 128×64 (3 per 32), 8×8 → 128×128 (4 per 64). A thread's rows are
 * contiguous; its columns are groups of 4 at 4tx + 64q (conflict-free vec4 reads, coalesced stores).
 * Workgroup tile rows are padded by one vec4 so the tile stores spread over banks.
 */
export const matmulWgsl = (transposeA: boolean, transposeB: boolean, rows: number, cols: number) => {
  const tm = 16 * rows; // output rows per workgroup
  const TN = 16 * cols; // output columns per workgroup
  const rowA = tm / 4 + 1; // vec4s per k in As
  const rowB = TN / 4 + 1;
  const loadsA = (tm * BK) / THREADS;
  const loadsB = (TN * BK) / THREADS;
  const groupsB = cols / 4;
  const reads = Array.from({ length: groupsB }, (_, q) => `      let bv${q} = Bs[kk * ${rowB}u + ${16 * q}u + tx];`).join('\n');
  const fma = Array.from(
    { length: rows / 4 },
    (_, p) =>
      `      let av${p} = As[kk * ${rowA}u + ty * ${rows / 4}u + ${p}u];\n` +
      ['x', 'y', 'z', 'w']
        .map((c, r) => Array.from({ length: groupsB }, (_, q) => `acc[${(4 * p + r) * groupsB + q}] += av${p}.${c} * bv${q};`).join(' '))
        .map((line) => `      ${line}`)
        .join('\n'),
  ).join('\n');
  const range = (n: number) => Array.from({ length: n }, (_, e) => e);
  const coords = [
    ...range(loadsA).map((e) =>
      transposeA
        ? `  let mA${e} = (lid.x + ${e * THREADS}u) % ${tm}u; let kA${e} = (lid.x + ${e * THREADS}u) / ${tm}u; // A stored [K, M]`
        : `  let kA${e} = (lid.x + ${e * THREADS}u) % ${BK}u; let mA${e} = (lid.x + ${e * THREADS}u) / ${BK}u; // A stored [M, K]`,
    ),
    ...range(loadsB).map((e) =>
      transposeB
        ? `  let kB${e} = (lid.x + ${e * THREADS}u) % ${BK}u; let nB${e} = (lid.x + ${e * THREADS}u) / ${BK}u; // B stored [N, K]`
        : `  let nB${e} = (lid.x + ${e * THREADS}u) % ${TN}u; let kB${e} = (lid.x + ${e * THREADS}u) / ${TN}u; // B stored [K, N]`,
    ),
  ].join('\n');
  const declare = `  ${[...range(loadsA).map((e) => `var ra${e} = 0.0;`), ...range(loadsB).map((e) => `var rb${e} = 0.0;`)].join(' ')}`;
  const load = (k: string) =>
    [
      ...range(loadsA).map(
        (e) =>
          `    ra${e} = 0.0; if (m0 + mA${e} < u.M && ${k} + kA${e} < kEnd) { ra${e} = a[aBase + ${
            transposeA ? `(${k} + kA${e}) * u.M + m0 + mA${e}` : `(m0 + mA${e}) * u.K + ${k} + kA${e}`
          }]; }`,
      ),
      ...range(loadsB).map(
        (e) =>
          `    rb${e} = 0.0; if (n0 + nB${e} < u.N && ${k} + kB${e} < kEnd) { rb${e} = b[bBase + ${
            transposeB ? `(n0 + nB${e}) * u.K + ${k} + kB${e}` : `(${k} + kB${e}) * u.N + n0 + nB${e}`
          }]; }`,
      ),
    ].join('\n');
  const store = [
    ...range(loadsA).map((e) => `    As[kA${e} * ${rowA}u + mA${e} / 4u][mA${e} % 4u] = ra${e};`),
    ...range(loadsB).map((e) => `    Bs[kB${e} * ${rowB}u + nB${e} / 4u][nB${e} % 4u] = rb${e};`),
  ].join('\n');
  return /* wgsl */ `
struct U { M: u32, N: u32, K: u32, kChunk: u32, aStride: u32, bStride: u32, tilesN: u32, tilesMN: u32,
  batch: u32, splits: u32, hasBias: u32, total: u32, hasAddend: u32, colSum: u32, pad1: u32, pad2: u32 }
@group(0) @binding(0) var<storage, read_write> out: array<f32>;
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read> b: array<f32>;
@group(0) @binding(3) var<storage, read> bias: array<f32>;
@group(0) @binding(4) var<storage, read> addend: array<f32>;
@group(0) @binding(5) var<uniform> u: U;
@group(0) @binding(6) var<storage, read_write> csum: array<f32>; // colSum: Σ_k B[k, n] of this split, at [split, N]
var<workgroup> As: array<vec4<f32>, ${BK * rowA}>; // [k][m / 4]
var<workgroup> Bs: array<vec4<f32>, ${BK * rowB}>; // [k][n / 4]
var<workgroup> csums: array<f32, ${THREADS}>; // colSum: the k groups' column sums, added in a fixed order

// Barriers only in main, in uniform control flow (GLSL on Dawn's GLES path in CI).
@compute @workgroup_size(${THREADS})
fn main(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
${workgroupTile(tm, TN)}
  let tx = lid.x % 16u; // columns n0 + 64q + 4tx … n0 + 64q + 4tx + 3
  let ty = lid.x / 16u; // rows m0 + ${rows}ty … m0 + ${rows}ty + ${rows - 1}
  let kBegin = split * u.kChunk;
  let kEnd = min(u.K, kBegin + u.kChunk);
  var acc: array<vec4<f32>, ${rows * groupsB}>; // [row][column group]
  for (var i = 0u; i < ${rows * groupsB}u; i++) { acc[i] = vec4<f32>(0.0); }
  // colSum (batch 1, B not transposed): the first tile row's workgroups also sum B's columns from the tiles
  // they load anyway (the bias gradient Σ_k dy beside dW = xᵀ·dy): column lid % ${TN}, every ${THREADS / TN}th k.
  let sumsB = u.colSum == 1u && m0 == 0u;
  var cs = 0.0;
  // Tile coordinates of this thread's loads (the same for every k step).
${coords}
  // Double buffering through registers: the next k step's tile is read from global memory while this
  // step's FMAs run (its latency hidden behind them), then stored to workgroup memory.
${declare}
${load('kBegin')}
  for (var k0 = kBegin; k0 < kEnd; k0 += ${BK}u) {
    workgroupBarrier();
${store}
    workgroupBarrier();
${load(`k0 + ${BK}u`)}
    if (sumsB) {
      for (var kk = lid.x / ${TN}u; kk < ${BK}u; kk += ${THREADS / TN}u) { cs += Bs[kk * ${rowB}u + (lid.x % ${TN}u) / 4u][lid.x % 4u]; }
    }
    for (var kk = 0u; kk < ${BK}u; kk++) {
${reads}
${fma}
    }
  }
  if (sumsB) {
    csums[lid.x] = cs;
    workgroupBarrier();
    let nc = n0 + lid.x;
    if (live && lid.x < ${TN}u && nc < u.N) {
      var colTotal = 0.0;
      for (var q = 0u; q < ${THREADS / TN}u; q++) { colTotal += csums[q * ${TN}u + lid.x]; }
      csum[split * u.N + nc] = colTotal;
    }
  }
  if (live) {
    // splits == 1: the result (+ bias, + addend); else this split's partial, at [split, batch, M, N].
    let outBase = (split * u.batch + bi) * u.M * u.N;
    for (var i = 0u; i < ${rows}u; i++) {
      let m = m0 + ${rows}u * ty + i;
      for (var j = 0u; j < ${cols}u; j++) {
        let n = n0 + 64u * (j / 4u) + 4u * tx + j % 4u;
        if (m < u.M && n < u.N) {
          var v = acc[i * ${groupsB}u + j / 4u][j % 4u];
          if (u.hasBias == 1u) { v += bias[n]; }
          if (u.hasAddend == 1u) { v += addend[outBase + m * u.N + n]; }
          out[outBase + m * u.N + n] = v;
        }
      }
    }
  }
}`;
};
