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
import { REDUCE_WGSL, splitK } from './matmul-split.ts';
import { BK, matmulWgsl } from './matmul-wgsl.ts';
import { matmulTcWgsl, tcTileCols, tcTileRows, tcWorkgroupBytes, type TcTile } from './matmul-tc.ts';
import type { TcShape } from './tc-shape.ts';

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
/** The tensor-core kernel's tile and the fragment shape it was made for. */
export interface TensorCoreMatmul {
  readonly tile: TcTile;
  readonly shape: TcShape;
}
/** Mixed precision: the tensor-core kernel (installMatmul's `tensorCores`), else undefined (fp32 kernel). */
let tcKernel: TensorCoreMatmul | undefined;

/** The tensor-core kernel in use, if matmuls run on tensor cores (mixed precision on a device with them). */
export const tensorCoreMatmul = (): TensorCoreMatmul | undefined => tcKernel;

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
export function matmulOwn(
  b: Backend,
  a: Info,
  bm: Info,
  transposeA: boolean,
  transposeB: boolean,
  bias?: Info,
  addend?: Info,
  colSum?: Info,
): Info | undefined {
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
  const tc =
    tcKernel && tcWorkgroupBytes(tcKernel.tile, tcKernel.shape, transposeA, transposeB) <= b.device.limits.maxComputeWorkgroupStorageSize
      ? tcKernel
      : undefined;
  const [tileRows, tileCols] = tc ? [tcTileRows(tc.tile, tc.shape), tcTileCols(tc.tile, tc.shape)] : [16 * rows, 16 * cols];
  const tilesN = Math.ceil(n / tileCols);
  const tilesMN = Math.ceil(m / tileRows) * tilesN;
  const tiles = batch * tilesMN;
  const { splits, kChunk } = splitK(tiles, k, tc ? tc.tile.bk : BK);
  const outShape = [...outer, m, n];
  const out = newOutput(b, outShape);
  const target = splits === 1 ? out : newOutput(b, [splits * batch * m * n]);
  const biasInfo = bias ?? a; // any buffer when hasBias = 0 (never read)
  const addendInfo = addend ?? a; // likewise for hasAddend = 0
  const total = tiles * splits;
  // The column sums: straight into colSum with one split, else per split into [splits, N] for the reduce kernel.
  const colSumTarget = !colSum || splits === 1 ? colSum : newOutput(b, [splits * n]);
  const uniforms = keptSizes(b, [
    m,
    n,
    k,
    kChunk,
    batchA === 1 ? 0 : m * k,
    batchB === 1 ? 0 : n * k,
    tilesN,
    tilesMN,
    batch,
    splits,
    bias && splits === 1 ? 1 : 0,
    total,
    addend && splits === 1 ? 1 : 0,
    colSum ? 1 : 0,
    0,
    0,
  ]);
  const kind = `${transposeA ? 'T' : 'N'}${transposeB ? 'T' : 'N'}`;
  // vec4 loads where the operand's contiguous dimension is a multiple of 4 (it is then for every batch too).
  const [vecA, vecB] = [(transposeA ? m : k) % 4 === 0, (transposeB ? k : n) % 4 === 0];
  const kernel = tc
    ? pipeline(b, `matmulTc${kind}${tcKey(tc)}v${+vecA}${+vecB}`, () => matmulTcWgsl(transposeA, transposeB, tc.tile, tc.shape, vecA, vecB))
    : pipeline(b, `matmul${kind}${rows}x${cols}`, () => matmulWgsl(transposeA, transposeB, rows, cols));
  dispatch(
    b,
    kernel,
    [
      { buffer: bufferOf(b, target) },
      { buffer: bufferOf(b, a) },
      { buffer: bufferOf(b, bm) },
      { buffer: bufferOf(b, biasInfo) },
      { buffer: bufferOf(b, addendInfo) },
      uniforms,
      { buffer: colSumTarget ? bufferOf(b, colSumTarget) : unusedOutput(b) },
    ],
    total,
  );
  if (splits > 1) {
    const size = batch * m * n;
    const reduceUniforms = keptSizes(b, [size, n, splits, bias ? 1 : 0, addend ? 1 : 0, colSum ? 1 : 0, 0, 0]);
    dispatch(
      b,
      pipeline(b, 'matmulReduce', REDUCE_WGSL),
      [
        { buffer: bufferOf(b, out) },
        { buffer: bufferOf(b, target) },
        { buffer: bufferOf(b, biasInfo) },
        { buffer: bufferOf(b, addendInfo) },
        reduceUniforms,
        { buffer: colSum ? bufferOf(b, colSum) : unusedOutput(b) },
        { buffer: bufferOf(b, colSumTarget ?? target) },
      ],
      Math.ceil((size + (colSum ? n : 0)) / 256),
    );
    b.disposeData(target.dataId); // released once the queued work is done
    if (colSumTarget) b.disposeData(colSumTarget.dataId);
  }
  return out;
}

/** A tensor-core pipeline's cache key: fragment size, subgroup size and the tile (two tiles of one size may differ in wm/wn, or in buffers). */
export const tcKey = ({ tile: t, shape: s }: TensorCoreMatmul): string =>
  `f${s.size}s${s.subgroup}w${t.wm}x${t.wn}f${t.fm}x${t.fn}k${t.bk}${t.doubleBuffer ? 'd' : ''}`;

function wrap(kernelName: string, pick: (args: KernelArgs, b: Backend) => Info | undefined): void {
  const config = tf.getKernel(kernelName, 'webgpu');
  if (!config || (config as { ours?: boolean }).ours) return;
  const original = config.kernelFunc;
  tf.unregisterKernel(kernelName, 'webgpu');
  tf.registerKernel({
    ...config,
    ours: true,
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
export function installMatmul(tileName: string = DEFAULT_MATMUL_TILE, tensorCores?: TensorCoreMatmul): void {
  setMatmulTile(tileName);
  tcKernel = tensorCores;
  installed = true;
  wrap('BatchMatMul', ({ inputs, attrs }, b) => {
    const { a, b: bm } = inputs as { a: Info; b: Info };
    const { transposeA, transposeB } = attrs as MatMulAttrs;
    return matmulOwn(b, a, bm, transposeA, transposeB);
  });
  wrap('_FusedMatMul', ({ inputs, attrs }, b) => {
    const { a, b: bm, bias, preluActivationWeights } = inputs as { a: Info; b: Info; bias?: Info; preluActivationWeights?: Info };
    const { transposeA, transposeB, activation } = attrs as MatMulAttrs;
    if (preluActivationWeights || (activation && activation !== 'linear')) return undefined;
    return matmulOwn(b, a, bm, transposeA, transposeB, bias ?? undefined);
  });
}
