/**
 * Sum over leading axes on webgpu (issue 9): the bias and LayerNorm gain/shift gradients are column sums
 * of [B·L, n] matrices, which tfjs-webgpu computes as a transpose of the whole matrix and then row sums.
 * Here x is read once in place as [R, C] by one kernel, run once or twice:
 *
 *   pass 1: workgroup (column block of 16 vectors, row chunk): 16 column lanes × 16 row lanes, each
 *           thread summing every 16th row of the chunk with 4 loads in flight, then a fixed-order tree
 *           over the 16 row lanes → one partial row per chunk ([chunks, C]);
 *   pass 2: the same kernel over the [chunks, C] partials as one chunk → [C]. Only when chunks > 1: a
 *           matrix of ≤ SINGLE_PASS_ROWS rows is summed in one dispatch.
 *
 * Columns are read as vec4 when C is a multiple of 4 (a 16-thread row segment is 256 contiguous bytes).
 * Why: the earlier pair (one thread per (column, chunk) summing ~76 rows one scalar load at a time, then
 * one thread per column adding 256 partials serially) was latency-bound, ~51 µs per dispatch on the H100
 * for 19.5 MB (43 × 2 per small step, 4.4 ms); this keeps ~4 MB of loads in flight in pass 1 and gives
 * pass 2 ≤ 16 serial loads per thread. No atomics, same order for the same shape: deterministic. Other
 * reductions (the last axis among those reduced, int32, small R) keep tfjs's kernel. Used while
 * fusedBackend() is set; parity in bench/checks/fused-parity.ts (both passes, vec4 and scalar columns).
 */
import * as tf from '@tensorflow/tfjs';
import { asTensor, bufferOf, dispatch, fusedBackend, newOutput, pipeline, view, type Backend, type Info } from './raw.ts';
import { keptSizes } from './bindings.ts';

/** Column vectors (vec4 or f32) × row lanes per workgroup: 16 × 16 = 256 threads. */
const LANES = 16;
/** Pass-1 workgroups to aim for (~8 per SM on a 132-SM H100), each chunk still ≥ MIN_CHUNK rows. */
const TARGET_GROUPS = 1024;
/** Rows per chunk at least: 4 rows per row lane, so each thread's 4 loads in flight are all used. */
const MIN_CHUNK = 4 * LANES;
/** Up to this many rows in one pass (≤ 32 rows per row lane): too little work to be worth a second dispatch. */
const SINGLE_PASS_ROWS = 32 * LANES;

/** The kernel with columns read `width` (4: vec4, 1: f32) at a time. */
const columnSumWgsl = (width: 1 | 4) => {
  const V = width === 4 ? 'vec4<f32>' : 'f32';
  return /* wgsl */ `
struct U { rows: u32, cols: u32, chunk: u32, colBlocks: u32, total: u32, pad0: u32, pad1: u32, pad2: u32 } // cols in ${V}s
@group(0) @binding(0) var<storage, read_write> out: array<${V}>;
@group(0) @binding(1) var<storage, read> x: array<${V}>;
@group(0) @binding(2) var<uniform> u: U;
var<workgroup> sums: array<${V}, ${LANES * LANES}>;

// Barriers only in main, in uniform control flow (GLSL on Dawn's GLES path in CI).
@compute @workgroup_size(${LANES * LANES})
fn main(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let flat = wid.x + wid.y * groups.x;
  let g = min(flat, u.total - 1u);
  let k = g / u.colBlocks; // row chunk
  let c = (g % u.colBlocks) * ${LANES}u + lid.x % ${LANES}u;
  let lane = lid.x / ${LANES}u;
  let r0 = k * u.chunk;
  let r1 = min(u.rows, r0 + u.chunk);
  var s0 = ${V}(0.0); var s1 = ${V}(0.0); var s2 = ${V}(0.0); var s3 = ${V}(0.0);
  if (flat < u.total && c < u.cols) {
    // Rows r0 + lane + 16i: four independent loads per step, summed in a fixed order.
    var r = r0 + lane;
    for (; r + ${3 * LANES}u < r1; r += ${4 * LANES}u) {
      s0 += x[r * u.cols + c];
      s1 += x[(r + ${LANES}u) * u.cols + c];
      s2 += x[(r + ${2 * LANES}u) * u.cols + c];
      s3 += x[(r + ${3 * LANES}u) * u.cols + c];
    }
    for (; r < r1; r += ${LANES}u) { s0 += x[r * u.cols + c]; }
  }
  sums[lid.x] = (s0 + s1) + (s2 + s3);
  for (var half = ${LANES / 2}u; half > 0u; half >>= 1u) {
    workgroupBarrier();
    if (lane < half) { sums[lid.x] += sums[lid.x + half * ${LANES}u]; }
  }
  if (flat < u.total && c < u.cols && lane == 0u) { out[k * u.cols + c] = sums[lid.x]; }
}`;
};

/** One pass: Σ over each `chunk` rows of x [rows, cols] → out [ceil(rows / chunk), cols]. */
function pass(b: Backend, out: Info, x: Info, rows: number, cols: number, chunk: number): void {
  const width = cols % 4 === 0 ? 4 : 1;
  const colVecs = cols / width;
  const colBlocks = Math.ceil(colVecs / LANES);
  const total = colBlocks * Math.ceil(rows / chunk);
  dispatch(
    b,
    pipeline(b, `columnSum${width === 4 ? 'Vec4' : ''}`, () => columnSumWgsl(width)),
    [{ buffer: bufferOf(b, out) }, { buffer: bufferOf(b, x) }, keptSizes(b, [rows, colVecs, chunk, colBlocks, total, 0, 0, 0])],
    total,
  );
}

/** Σ over the rows of x viewed as [rows, cols] → a new [cols]-sized output of `shape`. */
export function columnSum(b: Backend, x: Info, rows: number, cols: number, shape: number[]): Info {
  const out = newOutput(b, shape);
  const colBlocks = Math.ceil(cols / (cols % 4 === 0 ? 4 : 1) / LANES);
  const chunks = rows <= SINGLE_PASS_ROWS ? 1 : Math.max(1, Math.min(Math.ceil(TARGET_GROUPS / colBlocks), Math.floor(rows / MIN_CHUNK)));
  if (chunks === 1) {
    pass(b, out, x, rows, cols, rows);
    return out;
  }
  const chunk = Math.ceil(rows / chunks);
  const used = Math.ceil(rows / chunk);
  const part = newOutput(b, [used * cols]);
  pass(b, part, x, rows, cols, chunk);
  pass(b, out, part, used, cols, used);
  b.disposeData(part.dataId); // released once the queued work is done
  return out;
}

type KernelArgs = Parameters<tf.KernelFunc>[0];

/** Column sums we take: enough rows that the chunked partials beat tfjs's transpose + row sums. */
const columnSumFits = (rows: number, cols: number): boolean => rows >= 64 && cols > 0;

let installed = false;

/**
 * Σ over the leading axes of float32 `x` viewed as [rows, cols] → [cols], for gradients computed inside our
 * own custom-gradient ops (linear bias, LayerNorm gain/shift): columnSum on the same buffer (no Reshape or Sum
 * kernel call) when installColumnSum() ran and the shape is ours, else tfjs's reshape + Sum. Same values as
 * tf.sum(tf.reshape(x, [-1, cols]), 0) through the wrapped Sum kernel.
 */
export function sumRows(b: Backend, x: tf.Tensor, cols: number): tf.Tensor1D {
  const rows = x.size / cols;
  if (!installed || x.dtype !== 'float32' || !columnSumFits(rows, cols)) return tf.sum(tf.reshape(x, [rows, cols]), 0);
  return asTensor<tf.Tensor1D>(columnSum(b, view(x, [rows, cols]), rows, cols, [cols]));
}

function sumLeading({ inputs, attrs }: KernelArgs, b: Backend): Info | undefined {
  const { x } = inputs as { x: Info };
  const { axis, keepDims } = attrs as { axis: number | number[]; keepDims: boolean };
  const rank = x.shape.length;
  if (x.dtype !== 'float32' || rank < 2) return undefined;
  const axes = [...new Set((Array.isArray(axis) ? axis : [axis]).map((a) => (a < 0 ? a + rank : a)))].sort((p, q) => p - q);
  // Ours: the reduced axes are exactly 0 … p−1 with p < rank (a column sum of [R, C]).
  if (axes.length === 0 || axes.length >= rank || axes.some((a, i) => a !== i)) return undefined;
  const rows = x.shape.slice(0, axes.length).reduce((p, q) => p * q, 1);
  const cols = x.shape.slice(axes.length).reduce((p, q) => p * q, 1);
  if (!columnSumFits(rows, cols)) return undefined;
  const shape = keepDims ? x.shape.map((s, i) => (i < axes.length ? 1 : s)) : x.shape.slice(axes.length);
  return columnSum(b, x, rows, cols, shape);
}

/** Wraps webgpu's Sum: column sums over leading axes are ours while fusedBackend() is set, else tfjs's. */
export function installColumnSum(): void {
  const config = tf.getKernel('Sum', 'webgpu');
  installed = config !== undefined;
  if (!config || (config as { ours?: boolean }).ours) return;
  const original = config.kernelFunc;
  tf.unregisterKernel('Sum', 'webgpu');
  tf.registerKernel({
    ...config,
    ours: true,
    kernelFunc: (args: KernelArgs) => {
      const b = fusedBackend();
      return (b && sumLeading(args, b)) || original(args);
    },
  } as tf.KernelConfig);
}
