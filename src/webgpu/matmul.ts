/**
 * Our matmul for tfjs-webgpu's BatchMatMul and _FusedMatMul (bias only) kernels (issue 9): 128×64 output
 * tiles, 256 threads with 8×4 outputs each (three vec4 reads of workgroup memory per 32 FMAs; the default
 * since it beat 4×4 on the H100 at both sizes: small 53.4 vs 57.1 ms, base 130.9 vs 132.9 ms a step; or
 * 64×64 / 128×128 tiles with 4×4 / 8×8 each, ASYMFLOW_MATMUL_TILE=4x4 / 8x8), K in steps
 * of 16 through workgroup memory, either operand transposed (the gradients' dy·wᵀ and xᵀ·dy need no
 * transpose kernels). tfjs's own kernel tiles 32×32, which leaves the weight gradients (256×256 outputs,
 * K = B·L ≈ 19k) with 64 workgroups on a 132-SM GPU (2.8 TFLOP/s on the H100); here few-tile products
 * are split over K without atomics: each split writes its partial [splits, batch, M, N] and one reduce
 * kernel sums them in a fixed order (+ bias), so the result is deterministic. Installed unless
 * ASYMFLOW_OWN_MATMUL=0 and used while fusedBackend() is set; shapes it does not cover (activations,
 * M or N < 16, mismatched batch broadcasts) go to tfjs's kernel.
 * Parity: bench/checks/fused-parity.ts (all transpose/split/bias cases against the tfjs kernel on the same device).
 */
import * as tf from '@tensorflow/tfjs';
import { bufferOf, dispatch, fusedBackend, newOutput, pipeline, type Backend, type Info } from './raw.ts';
import { keptSizes } from './bindings.ts';
import { REDUCE_WGSL, splitK, workgroupTile } from './matmul-split.ts';
import { matmulTcWgsl, tcTileCols, tcTileRows, tcWorkgroupBytes, type TcTile } from './matmul-tc.ts';

const BK = 16;
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
  const fma = Array.from({ length: rows / 4 }, (_, p) => `      let av${p} = As[kk * ${rowA}u + ty * ${rows / 4}u + ${p}u];\n` +
    ['x', 'y', 'z', 'w'].map((c, r) => Array.from({ length: groupsB }, (_, q) =>
      `acc[${(4 * p + r) * groupsB + q}] += av${p}.${c} * bv${q};`).join(' ')).map((line) => `      ${line}`).join('\n')).join('\n');
  const range = (n: number) => Array.from({ length: n }, (_, e) => e);
  const coords = [
    ...range(loadsA).map((e) => transposeA
      ? `  let mA${e} = (lid.x + ${e * THREADS}u) % ${tm}u; let kA${e} = (lid.x + ${e * THREADS}u) / ${tm}u; // A stored [K, M]`
      : `  let kA${e} = (lid.x + ${e * THREADS}u) % ${BK}u; let mA${e} = (lid.x + ${e * THREADS}u) / ${BK}u; // A stored [M, K]`),
    ...range(loadsB).map((e) => transposeB
      ? `  let kB${e} = (lid.x + ${e * THREADS}u) % ${BK}u; let nB${e} = (lid.x + ${e * THREADS}u) / ${BK}u; // B stored [N, K]`
      : `  let nB${e} = (lid.x + ${e * THREADS}u) % ${TN}u; let kB${e} = (lid.x + ${e * THREADS}u) / ${TN}u; // B stored [K, N]`),
  ].join('\n');
  const declare = `  ${[...range(loadsA).map((e) => `var ra${e} = 0.0;`), ...range(loadsB).map((e) => `var rb${e} = 0.0;`)].join(' ')}`;
  const load = (k: string) => [
    ...range(loadsA).map((e) => `    ra${e} = 0.0; if (m0 + mA${e} < u.M && ${k} + kA${e} < kEnd) { ra${e} = a[aBase + ${transposeA
      ? `(${k} + kA${e}) * u.M + m0 + mA${e}` : `(m0 + mA${e}) * u.K + ${k} + kA${e}`}]; }`),
    ...range(loadsB).map((e) => `    rb${e} = 0.0; if (n0 + nB${e} < u.N && ${k} + kB${e} < kEnd) { rb${e} = b[bBase + ${transposeB
      ? `(n0 + nB${e}) * u.K + ${k} + kB${e}` : `(${k} + kB${e}) * u.N + n0 + nB${e}`}]; }`),
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


type KernelArgs = Parameters<tf.KernelFunc>[0];
type MatMulAttrs = { transposeA: boolean; transposeB: boolean; activation?: string | null; leakyreluAlpha?: number };


/** The outputs per thread, rows × columns: 4×4 (64×64 tiles), 8×4 (128×64) or 8×8 (128×128). */
export const MATMUL_TILES = ['4x4', '8x4', '8x8'] as const;
/** The tile used unless ASYMFLOW_MATMUL_TILE names another (faster than 4×4 at small and base on the H100). */
export const DEFAULT_MATMUL_TILE = '8x4';
let tile: [number, number] = [8, 4];

/** Sets the outputs per thread (one of MATMUL_TILES) and returns the previous setting (parity runs all). */
export function setMatmulTile(name: string): string {
  if (!(MATMUL_TILES as readonly string[]).includes(name)) throw new Error(`ASYMFLOW_MATMUL_TILE must be one of ${MATMUL_TILES.join(', ')}, got '${name}'`);
  const was = tile.join('x');
  tile = name.split('x').map(Number) as [number, number];
  return was;
}

const sizeOf = (shape: number[]) => shape.reduce((x, y) => x * y, 1);

/** The M × N outputs with inner size K that our kernels take (smaller products stay with tfjs's kernel). */
export const ownMatmulFits = (m: number, n: number, k: number): boolean => m >= 16 && n >= 16 && k >= 1;

let installed = false;
/** Mixed precision: the tensor-core kernel's tile (installMatmul's `tensorCores`), else undefined (fp32 kernel). */
let tcTile: TcTile | undefined;

/** The tensor-core tile in use, if matmuls run on tensor cores (mixed precision on a device with them). */
export const tensorCoreTile = (): TcTile | undefined => tcTile;

/** installMatmul() ran (ASYMFLOW_OWN_MATMUL is not 0): callers may run matmulOwn directly (linear.ts). */
export const ownMatmulInstalled = (): boolean => installed;

/** A 16-byte storage buffer per device, bound where a kernel's optional writable output is unused (no aliasing of `out`). */
const unusedOutputs = new WeakMap<GPUDevice, GPUBuffer>();
function unusedOutput(b: Backend): GPUBuffer {
  let buffer = unusedOutputs.get(b.device);
  if (!buffer) unusedOutputs.set(b.device, (buffer = b.device.createBuffer({ size: 16, usage: GPUBufferUsage.STORAGE })));
  return buffer;
}

/**
 * C = op(A)·op(B) (+ bias) (+ addend) with our kernels, or undefined when the shape or options are not ours.
 * `addend` has C's size (a residual, linear.ts); it is added last, so (A·B + bias) + addend rounds as
 * tf.add(addend, A·B + bias) does. `colSum` ([N], float32; batch 1, B not transposed): also Σ_k B[k, n] into
 * it, from the B tiles the first tile row loads anyway (linear.ts: the bias gradient beside xᵀ·dy).
 */
export function matmulOwn(b: Backend, a: Info, bm: Info, transposeA: boolean, transposeB: boolean, bias?: Info, addend?: Info,
  colSum?: Info): Info | undefined {
  if (a.dtype !== 'float32' || bm.dtype !== 'float32' || a.shape.length < 2 || bm.shape.length < 2) return undefined;
  const ra = a.shape.length;
  const rb = bm.shape.length;
  const m = transposeA ? a.shape[ra - 1] : a.shape[ra - 2];
  const k = transposeA ? a.shape[ra - 2] : a.shape[ra - 1];
  const n = transposeB ? bm.shape[rb - 2] : bm.shape[rb - 1];
  const kb = transposeB ? bm.shape[rb - 1] : bm.shape[rb - 2];
  const batchA = sizeOf(a.shape.slice(0, -2));
  const batchB = sizeOf(bm.shape.slice(0, -2));
  if (k !== kb || !ownMatmulFits(m, n, k)) return undefined;
  // Batch dims: equal, or one side without batch (broadcast over the other's).
  const outerA = a.shape.slice(0, -2);
  const outerB = bm.shape.slice(0, -2);
  let outer: number[];
  if (batchB === 1 && outerA.length >= outerB.length) outer = outerA;
  else if (batchA === 1 && outerB.length >= outerA.length) outer = outerB;
  else if (outerA.join() === outerB.join()) outer = outerA;
  else return undefined;
  if (bias && (bias.shape.length !== 1 || bias.shape[0] !== n || bias.dtype !== 'float32')) return undefined;
  if (addend && (sizeOf(addend.shape) !== Math.max(batchA, batchB) * m * n || addend.dtype !== 'float32')) return undefined;
  if (colSum && (transposeB || Math.max(batchA, batchB) !== 1 || sizeOf(colSum.shape) !== n || colSum.dtype !== 'float32')) return undefined;
  const batch = Math.max(batchA, batchB);
  const [rows, cols] = tile;
  const tc = tcTile && tcWorkgroupBytes(tcTile, transposeA, transposeB) <= b.device.limits.maxComputeWorkgroupStorageSize ? tcTile : undefined;
  const [tileRows, tileCols] = tc ? [tcTileRows(tc), tcTileCols(tc)] : [16 * rows, 16 * cols];
  const tilesN = Math.ceil(n / tileCols);
  const tilesMN = Math.ceil(m / tileRows) * tilesN;
  const tiles = batch * tilesMN;
  const { splits, kChunk } = splitK(tiles, k, tc ? tc.bk : BK);
  const outShape = [...outer, m, n];
  const out = newOutput(b, outShape);
  const target = splits === 1 ? out : newOutput(b, [splits * batch * m * n]);
  const biasInfo = bias ?? a; // any buffer when hasBias = 0 (never read)
  const addendInfo = addend ?? a; // likewise for hasAddend = 0
  const total = tiles * splits;
  // The column sums: straight into colSum with one split, else per split into [splits, N] for the reduce kernel.
  const colSumTarget = !colSum || splits === 1 ? colSum : newOutput(b, [splits * n]);
  const uniforms = keptSizes(b, [m, n, k, kChunk, batchA === 1 ? 0 : m * k, batchB === 1 ? 0 : n * k, tilesN, tilesMN, batch, splits,
    bias && splits === 1 ? 1 : 0, total, addend && splits === 1 ? 1 : 0, colSum ? 1 : 0, 0, 0]);
  const kind = `${transposeA ? 'T' : 'N'}${transposeB ? 'T' : 'N'}`;
  // vec4 loads where the operand's contiguous dimension is a multiple of 4 (it is then for every batch too).
  const [vecA, vecB] = [(transposeA ? m : k) % 4 === 0, (transposeB ? k : n) % 4 === 0];
  const kernel = tc
    ? pipeline(b, `matmulTc${kind}${tileRows}x${tileCols}k${tc.bk}v${+vecA}${+vecB}`, () => matmulTcWgsl(transposeA, transposeB, tc, vecA, vecB))
    : pipeline(b, `matmul${kind}${rows}x${cols}`, () => matmulWgsl(transposeA, transposeB, rows, cols));
  dispatch(b, kernel,
    [{ buffer: bufferOf(b, target) }, { buffer: bufferOf(b, a) }, { buffer: bufferOf(b, bm) }, { buffer: bufferOf(b, biasInfo) },
      { buffer: bufferOf(b, addendInfo) }, uniforms, { buffer: colSumTarget ? bufferOf(b, colSumTarget) : unusedOutput(b) }], total);
  if (splits > 1) {
    const size = batch * m * n;
    const reduceUniforms = keptSizes(b, [size, n, splits, bias ? 1 : 0, addend ? 1 : 0, colSum ? 1 : 0, 0, 0]);
    dispatch(b, pipeline(b, 'matmulReduce', REDUCE_WGSL),
      [{ buffer: bufferOf(b, out) }, { buffer: bufferOf(b, target) }, { buffer: bufferOf(b, biasInfo) }, { buffer: bufferOf(b, addendInfo) },
        reduceUniforms, { buffer: colSum ? bufferOf(b, colSum) : unusedOutput(b) }, { buffer: bufferOf(b, colSumTarget ?? target) }],
      Math.ceil((size + (colSum ? n : 0)) / 256));
    (b as unknown as { disposeData(id: object): void }).disposeData(target.dataId); // released once the queued work is done
    if (colSumTarget) (b as unknown as { disposeData(id: object): void }).disposeData(colSumTarget.dataId);
  }
  return out;
}

function wrap(kernelName: string, pick: (args: KernelArgs, b: Backend) => Info | undefined): void {
  const config = tf.getKernel(kernelName, 'webgpu');
  if (!config || (config as { ours?: boolean }).ours) return;
  const original = config.kernelFunc;
  tf.unregisterKernel(kernelName, 'webgpu');
  tf.registerKernel({
    ...config, ours: true,
    kernelFunc: (args: KernelArgs) => {
      const b = fusedBackend();
      return (b && pick(args, b)) || original(args);
    },
  } as tf.KernelConfig);
}

/**
 * Wraps webgpu's BatchMatMul and _FusedMatMul: ours while fusedBackend() is set, else tfjs's. `tileName`:
 * outputs per thread (ASYMFLOW_MATMUL_TILE, one of MATMUL_TILES), for A/B runs on the GPU; `tensorCores`:
 * mixed precision's tile (matmul-tc.ts) — every product then runs on the tensor cores.
 */
export function installMatmul(tileName: string = DEFAULT_MATMUL_TILE, tensorCores?: TcTile): void {
  setMatmulTile(tileName);
  tcTile = tensorCores;
  installed = true;
  wrap('BatchMatMul', ({ inputs, attrs }, b) => {
    const { a, b: bm } = inputs as { a: Info; b: Info };
    const { transposeA, transposeB } = attrs as unknown as MatMulAttrs;
    return matmulOwn(b, a, bm, transposeA, transposeB);
  });
  wrap('_FusedMatMul', ({ inputs, attrs }, b) => {
    const { a, b: bm, bias, preluActivationWeights } = inputs as { a: Info; b: Info; bias?: Info; preluActivationWeights?: Info };
    const { transposeA, transposeB, activation } = attrs as unknown as MatMulAttrs;
    if (preluActivationWeights || (activation && activation !== 'linear')) return undefined;
    return matmulOwn(b, a, bm, transposeA, transposeB, bias ?? undefined);
  });
}
