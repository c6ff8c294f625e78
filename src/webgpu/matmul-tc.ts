/**
 * The tensor-core form of our matmul (issue 17): the same bindings, uniforms, split-K partials and column sums
 * as matmul.ts's fp32 kernel, so matmulOwn switches between them by precision alone. Operands stay
 * float32 in storage and are rounded to f16 on their way into workgroup memory; WGSL subgroup matrices
 * (Dawn's chromium_experimental_subgroup_matrix: on NVIDIA, Vulkan cooperative matrices on the tensor cores)
 * multiply f16 fragments (tc-shape.ts: 16×16 on NVIDIA, 8×8 on Mesa's lavapipe) into f32 accumulators.
 * Master weights, the optimizer and every other kernel stay float32: only the matmul's operands lose
 * precision (f16: 11 significant bits, range 6e-5…65504, so gradients need the loss scaling of the guarded update).
 *
 * For fragments of S×S and subgroups of G invocations (a TcShape), a workgroup holds `wm × wn` subgroups;
 * each owns `fm × fn` result fragments, so a workgroup tile is (S·wm·fm) × (S·wn·fn), K in steps of `bk`. The
 * tiles are stored in workgroup memory in the layout the operand has in storage (loads stay coalesced along its
 * contiguous dimension) and read as row- or column-major fragments accordingly, rows padded by 8 halves
 * (16 bytes, the cooperative-matrix stride alignment) to spread them over banks. Results leave through an
 * S×S f32 staging area per subgroup (S²/G values an invocation), where bias, addend and the bounds are applied
 * as in the fp32 kernel. Invocation i belongs to subgroup ⌊i / G⌋ (Dawn forms subgroups of consecutive
 * invocations of a 1-D workgroup), which is why the shape's subgroup size must be fixed.
 */

import { workgroupTile } from './matmul-split.ts';
import { kLoop, operandLoads, range } from './matmul-tc-loop.ts';
import type { TcShape } from './tc-shape.ts';

/** Subgroups (wm × wn), fragments per subgroup (fm × fn) and the K step of a tensor-core workgroup tile. */
export interface TcTile {
  readonly wm: number;
  readonly wn: number;
  readonly fm: number;
  readonly fn: number;
  readonly bk: number;
  /** Two workgroup buffers per operand, one barrier a K step (matmul-tc-loop.ts; not measured yet: off by default). */
  readonly doubleBuffer?: boolean;
}

/** NVIDIA's 16×16 fragments, subgroups of 32: 128×128 tiles, 256 invocations, K steps of 32 (measured on the H200). */
export const DEFAULT_TC_TILE: TcTile = { wm: 2, wn: 4, fm: 4, fn: 2, bk: 32 };

/**
 * 8×8 fragments (lavapipe: subgroups of 8): 64×64 tiles of 16 subgroups with 2×2 fragments each, K steps of 32 —
 * 128 invocations (within WebGPU's default 256) loading 16 values of each operand per K step as the H200's tile
 * does, and 14 KiB of workgroup memory (within the default 16 KiB). Not measured for speed anywhere yet.
 */
export const SMALL_FRAGMENT_TC_TILE: TcTile = { wm: 4, wn: 4, fm: 2, fn: 2, bk: 32 };

/** The tile used for `shape` unless ASYMFLOW_TC_TILE names another. */
export const defaultTcTile = (shape: TcShape): TcTile => (shape.size === 16 ? DEFAULT_TC_TILE : SMALL_FRAGMENT_TC_TILE);

export const tcTileRows = (t: TcTile, s: TcShape): number => s.size * t.wm * t.fm;
export const tcTileCols = (t: TcTile, s: TcShape): number => s.size * t.wn * t.fn;
export const tcThreads = (t: TcTile, s: TcShape): number => s.subgroup * t.wm * t.wn;

/**
 * Parses 'wm,wn,fm,fn,bk' or 'wm,wn,fm,fn,bk,double' (ASYMFLOW_TC_TILE; `double`: two workgroup buffers per
 * operand) into a tile for fragments of `shape`, checking what the kernel relies on.
 */
export function parseTcTile(spec: string, shape: TcShape): TcTile {
  const fields = spec.split(',');
  const double = fields.length === 6 && fields[5] === 'double';
  const parts = fields.slice(0, 5).map(Number);
  if ((fields.length !== 5 && !double) || parts.length !== 5 || parts.some((p) => !Number.isInteger(p) || p < 1)) {
    throw new Error(`ASYMFLOW_TC_TILE must be 'wm,wn,fm,fn,bk' (positive integers), optionally followed by ',double', got '${spec}'`);
  }
  const [wm, wn, fm, fn, bk] = parts as [number, number, number, number, number];
  const tile: TcTile = double ? { wm, wn, fm, fn, bk, doubleBuffer: true } : { wm, wn, fm, fn, bk };
  const threads = tcThreads(tile, shape);
  const cols = tcTileCols(tile, shape);
  if (bk % shape.size !== 0) throw new Error(`ASYMFLOW_TC_TILE: bk must be a multiple of the fragment size ${shape.size}, got ${bk}`);
  if (threads > 1024) throw new Error(`ASYMFLOW_TC_TILE: ${threads} invocations per workgroup (at most 1024)`);
  for (const [what, size] of [
    ['A', tcTileRows(tile, shape) * bk],
    ['B', cols * bk],
  ] as const) {
    // Each invocation loads the same number of values, in vec4s where the operand allows (matmul.ts decides per shape).
    if (size % (4 * threads) !== 0)
      throw new Error(`ASYMFLOW_TC_TILE: the ${what} tile (${size} values) does not split into vec4s over ${threads} invocations`);
  }
  if (threads % cols !== 0) throw new Error(`ASYMFLOW_TC_TILE: ${threads} invocations are not a multiple of the tile's ${cols} columns`);
  return tile;
}

/**
 * The layout argument of subgroupMatrixLoad/Store in its current form, a template argument (Tint's wgsl.def;
 * the form with a `col_major: bool` argument is deprecated, and Tint lowers it to this one).
 */
const major = (colMajor: boolean) => (colMajor ? 'col_major' : 'row_major');

/** Workgroup-memory bytes the kernel declares (tiles in f16, staging and column sums in f32). */
export function tcWorkgroupBytes(t: TcTile, s: TcShape, transposeA: boolean, transposeB: boolean): number {
  const { sizeA, sizeB } = sharedLayout(t, s, transposeA, transposeB);
  const stage = 4 * t.wm * t.wn * s.size * s.size;
  // Double-buffered: column sums pass through stage when it holds a vec4 per invocation (else vec4s of their own).
  if (t.doubleBuffer) return 4 * (sizeA + sizeB) + stage + (sumsInStage(t, s) ? 0 : 16 * tcThreads(t, s));
  // The column sums' array holds a vec4 per invocation when B's loads are vec4s: counted so, whatever the form.
  return 2 * (sizeA + sizeB) + stage + 16 * tcThreads(t, s);
}

/** Double-buffered tiles reuse stage (free until the epilogue) for the column sums where it has room for a vec4 each. */
const sumsInStage = (t: TcTile, s: TcShape): boolean => t.doubleBuffer === true && s.size * s.size >= 4 * s.subgroup;

/**
 * The column sums' exchange between invocations: their own array, or stage (`inStage`), which then needs a
 * barrier before the epilogue stores fragments into it.
 */
function columnSums(w: number, threads: number, inStage: boolean) {
  const type = w === 4 ? 'vec4<f32>' : 'f32';
  if (!inStage)
    return { declare: `var<workgroup> csums: array<${type}, ${threads}>;`, write: 'csums[lid.x] = cs;', read: (i: string) => `csums[${i}]`, done: '' };
  const cell = (i: string, j: number) => `stage[(${i}) * ${w}u + ${j}u]`;
  return {
    declare: '// Column sums pass through stage (the second tile buffers took their room).',
    write: range(w)
      .map((j) => `${cell('lid.x', j)} = cs${w === 4 ? `[${j}]` : ''};`)
      .join(' '),
    read: (i: string) =>
      w === 4
        ? `vec4<f32>(${range(4)
            .map((j) => cell(i, j))
            .join(', ')})`
        : cell(i, 0),
    done: '  workgroupBarrier(); // the column sums are read before the epilogue stores into stage\n',
  };
}

function sharedLayout(t: TcTile, s: TcShape, transposeA: boolean, transposeB: boolean) {
  const tm = tcTileRows(t, s);
  const tn = tcTileCols(t, s);
  // A [M, K] → As[m][k] (row-major fragments); A stored [K, M] → As[k][m] (column-major fragments).
  const strideA = (transposeA ? tm : t.bk) + 8;
  const strideB = (transposeB ? t.bk : tn) + 8;
  return { tm, tn, strideA, strideB, sizeA: (transposeA ? t.bk : tm) * strideA, sizeB: (transposeB ? tn : t.bk) * strideB };
}

/**
 * The WGSL of C = op(A)·op(B) (+ bias) (+ addend) on tensor cores, uniforms and bindings as matmulWgsl's.
 * `vecA`/`vecB`: the operand's contiguous dimension is a multiple of 4 (its loads are vec4s).
 */
export function matmulTcWgsl(transposeA: boolean, transposeB: boolean, t: TcTile, s: TcShape, vecA = false, vecB = false): string {
  const { tm, tn, strideA, strideB, sizeA, sizeB } = sharedLayout(t, s, transposeA, transposeB);
  const threads = tcThreads(t, s);
  const { size, subgroup } = s;
  const staged = size * size; // one result fragment's values
  const double = t.doubleBuffer === true;
  const buffers = double ? 2 : 1;
  const frags = range(t.fm).flatMap((i) => range(t.fn).map((j) => [i, j] as const));
  // A stored [M, K] (rows m, columns k) or [K, M]; B stored [K, N] or [N, K]. `K0` is the k step's start.
  const A = operandLoads(
    'a',
    (tm * t.bk) / threads,
    threads,
    vecA ? 4 : 1,
    transposeA ? tm : t.bk,
    strideA,
    transposeA
      ? { outer: 'kA', inner: 'mA', outerLimit: 'K0 + kA# < kEnd', innerLimit: 'm0 + mA# < u.M', index: (o, i) => `aBase + (K0 + ${o}) * u.M + m0 + ${i}` }
      : { outer: 'mA', inner: 'kA', outerLimit: 'm0 + mA# < u.M', innerLimit: 'K0 + kA# < kEnd', index: (o, i) => `aBase + (m0 + ${o}) * u.K + K0 + ${i}` },
  );
  const B = operandLoads(
    'b',
    (tn * t.bk) / threads,
    threads,
    vecB ? 4 : 1,
    transposeB ? t.bk : tn,
    strideB,
    transposeB
      ? { outer: 'nB', inner: 'kB', outerLimit: 'n0 + nB# < u.N', innerLimit: 'K0 + kB# < kEnd', index: (o, i) => `bBase + (n0 + ${o}) * u.K + K0 + ${i}` }
      : { outer: 'kB', inner: 'nB', outerLimit: 'K0 + kB# < kEnd', innerLimit: 'n0 + nB# < u.N', index: (o, i) => `bBase + (K0 + ${o}) * u.N + n0 + ${i}` },
  );
  const load = (k: string) => `${A.load(k)}\n${B.load(k)}`;
  const store = (offsetA: string, offsetB: string) => `${A.store(offsetA)}\n${B.store(offsetB)}`;
  // colSum (B not transposed): every load of this invocation is in the same column(s), nB0 … nB0 + w − 1
  // (threads is a multiple of the tile's columns / w), summed here in f32 before the rounding to f16.
  const wB = vecB ? 4 : 1;
  const sums = columnSums(wB, threads, sumsInStage(t, s));
  const sumLoads = transposeB
    ? ''
    : `    if (sumsB) { cs += ${range(B.n)
        .map((e) => `rb${e}`)
        .join(' + ')}; }`;
  const leftAt = (i: number) => (transposeA ? `kk * ${strideA}u + rowF + ${size * i}u` : `(rowF + ${size * i}u) * ${strideA}u + kk`);
  const rightAt = (j: number) => (transposeB ? `(colF + ${size * j}u) * ${strideB}u + kk` : `kk * ${strideB}u + colF + ${size * j}u`);
  const at = (offset: string, within: string) => (offset ? `${offset} + ${within}` : within);
  const mma = (offsetA: string, offsetB: string) =>
    [
      ...range(t.fm).map(
        (i) =>
          `      let l${i} = subgroupMatrixLoad<subgroup_matrix_left<f16, ${size}, ${size}>, ${major(transposeA)}>(&As, ${at(offsetA, leftAt(i))}, ${strideA}u);`,
      ),
      ...range(t.fn).map(
        (j) =>
          `      let r${j} = subgroupMatrixLoad<subgroup_matrix_right<f16, ${size}, ${size}>, ${major(transposeB)}>(&Bs, ${at(offsetB, rightAt(j))}, ${strideB}u);`,
      ),
      ...frags.map(([i, j]) => `      c${i}${j} = subgroupMatrixMultiplyAccumulate(l${i}, r${j}, c${i}${j});`),
    ].join('\n');
  const epilogue = frags
    .map(
      ([i, j]) => `  subgroupMatrixStore<row_major>(&stage, sg * ${staged}u, c${i}${j}, ${size}u);
  workgroupBarrier();
  emit(rowF + ${size * i}u, colF + ${size * j}u, sg, lane, m0, n0, outBase, live);
  workgroupBarrier();`,
    )
    .join('\n');
  return /* wgsl */ `
enable f16;
enable subgroups;
enable chromium_experimental_subgroup_matrix;
// Fragment offsets depend on the subgroup's index (local_invocation_id / ${subgroup}), uniform within each subgroup,
// which the analysis cannot see.
diagnostic(off, chromium.subgroup_matrix_uniformity);
struct U { M: u32, N: u32, K: u32, kChunk: u32, aStride: u32, bStride: u32, tilesN: u32, tilesMN: u32,
  batch: u32, splits: u32, hasBias: u32, total: u32, hasAddend: u32, colSum: u32, pad1: u32, pad2: u32 }
@group(0) @binding(0) var<storage, read_write> out: array<f32>;
@group(0) @binding(1) var<storage, read> a${vecA ? '4: array<vec4<f32>>' : ': array<f32>'};
@group(0) @binding(2) var<storage, read> b${vecB ? '4: array<vec4<f32>>' : ': array<f32>'};
@group(0) @binding(3) var<storage, read> bias: array<f32>;
@group(0) @binding(4) var<storage, read> addend: array<f32>;
@group(0) @binding(5) var<uniform> u: U;
@group(0) @binding(6) var<storage, read_write> csum: array<f32>; // colSum: Σ_k B[k, n] of this split, at [split, N]
var<workgroup> As: array<f16, ${buffers * sizeA}>;
var<workgroup> Bs: array<f16, ${buffers * sizeB}>;
var<workgroup> stage: array<f32, ${t.wm * t.wn * staged}>; // a ${size}×${size} result fragment per subgroup
${sums.declare}

// One staged fragment out: ${staged / subgroup} values per invocation, bias and addend added as the fp32 kernel adds them.
fn emit(row: u32, col: u32, sg: u32, lane: u32, m0: u32, n0: u32, outBase: u32, live: bool) {
  for (var e = 0u; e < ${staged / subgroup}u; e++) {
    let idx = lane + ${subgroup}u * e;
    let m = m0 + row + idx / ${size}u;
    let n = n0 + col + idx % ${size}u;
    if (live && m < u.M && n < u.N) {
      var v = stage[sg * ${staged}u + idx];
      if (u.hasBias == 1u) { v += bias[n]; }
      if (u.hasAddend == 1u) { v += addend[outBase + m * u.N + n]; }
      out[outBase + m * u.N + n] = v;
    }
  }
}

// Barriers only in main's uniform control flow; every workgroup runs the same loop (dead ones included).
@compute @workgroup_size(${threads})
fn main(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
${workgroupTile(tm, tn)}
  let kBegin = split * u.kChunk;
  let kEnd = min(u.K, kBegin + u.kChunk);
  let sg = lid.x / ${subgroup}u;
  let lane = lid.x % ${subgroup}u;
  let rowF = (sg / ${t.wn}u) * ${size * t.fm}u; // this subgroup's first result row in the tile
  let colF = (sg % ${t.wn}u) * ${size * t.fn}u;
  ${frags.map(([i, j]) => `var c${i}${j} = subgroup_matrix_result<f32, ${size}, ${size}>();`).join('\n  ')}
  let sumsB = u.colSum == 1u && m0 == 0u;
  var cs = ${wB === 4 ? 'vec4<f32>(0.0)' : '0.0'};
${[...A.coords, ...B.coords].join('\n')}
  ${A.declare} ${B.declare}
${kLoop({ load, store, sums: sumLoads, mma, bk: t.bk, size, sizeA, sizeB }, double)}
  if (sumsB) {
    ${sums.write}
  }
  workgroupBarrier();
  if (sumsB && live && lid.x < ${tn / wB}u) {
    var colTotal = ${wB === 4 ? 'vec4<f32>(0.0)' : '0.0'};
    for (var q = 0u; q < ${(threads * wB) / tn}u; q++) { colTotal += ${sums.read(`q * ${tn / wB}u + lid.x`)}; }
    for (var j = 0u; j < ${wB}u; j++) {
      let n = n0 + lid.x * ${wB}u + j;
      if (n < u.N) { csum[split * u.N + n] = colTotal${wB === 4 ? '[j]' : ''}; }
    }
  }
${sums.done}  let outBase = (split * u.batch + bi) * u.M * u.N;
${epilogue}
}`;
}
