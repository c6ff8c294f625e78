/**
 * Sum over leading axes on webgpu (issue 9): the bias and LayerNorm gain/shift gradients are column sums
 * of [B·L, n] matrices, which tfjs-webgpu computes as a transpose of the whole matrix and then row sums.
 * Here x is read once in place as [R, C]: each thread sums one column over a chunk of rows (reads
 * coalesced across threads), then one reduce kernel adds each column's chunk partials in a fixed order:
 * no transpose, deterministic. Other reductions (the last axis among those reduced, int32, small R) keep
 * tfjs's kernel. Used while fusedBackend() is set; parity in fused-parity.ts.
 */
import * as tf from '@tensorflow/tfjs';
import { asTensor, bufferOf, dispatch, fusedBackend, newOutput, pipeline, view, type Backend, type Info } from './webgpu-raw.ts';

const WORKGROUP = 256;
/** Aim for about this many threads in the partial pass (chunks × columns). */
const TARGET_THREADS = 65536;

const PARTIAL_WGSL = /* wgsl */ `
struct U { rows: u32, cols: u32, chunk: u32, total: u32 }
@group(0) @binding(0) var<storage, read_write> part: array<f32>;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<uniform> u: U;

@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let t = gid.x + gid.y * groups.x * ${WORKGROUP}u;
  if (t >= u.total) { return; }
  let c = t % u.cols;
  let k = t / u.cols;
  let end = min(u.rows, (k + 1u) * u.chunk);
  var s = 0.0;
  for (var r = k * u.chunk; r < end; r++) { s += x[r * u.cols + c]; }
  part[t] = s;
}`;

const REDUCE_WGSL = /* wgsl */ `
struct U { cols: u32, chunks: u32, pad0: u32, pad1: u32 }
@group(0) @binding(0) var<storage, read_write> out: array<f32>;
@group(0) @binding(1) var<storage, read> part: array<f32>;
@group(0) @binding(2) var<uniform> u: U;

@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let c = gid.x + gid.y * groups.x * ${WORKGROUP}u;
  if (c >= u.cols) { return; }
  var s = 0.0;
  for (var k = 0u; k < u.chunks; k++) { s += part[k * u.cols + c]; }
  out[c] = s;
}`;

/** Σ over the rows of x viewed as [rows, cols] → a new [cols]-sized output of `shape`. */
export function columnSum(b: Backend, x: Info, rows: number, cols: number, shape: number[]): Info {
  const chunks = Math.max(1, Math.min(rows, Math.ceil(TARGET_THREADS / cols), Math.ceil(rows / 16)));
  const chunk = Math.ceil(rows / chunks);
  const used = Math.ceil(rows / chunk);
  const out = newOutput(b, shape);
  const part = newOutput(b, [used * cols]);
  dispatch(b, pipeline(b, 'columnSumPartial', PARTIAL_WGSL), [{ buffer: bufferOf(b, part) }, { buffer: bufferOf(b, x) },
    b.makeUniforms([rows, cols, chunk, used * cols].map((v) => ({ type: 'uint32', data: [v] })))], Math.ceil((used * cols) / WORKGROUP));
  dispatch(b, pipeline(b, 'columnSumReduce', REDUCE_WGSL), [{ buffer: bufferOf(b, out) }, { buffer: bufferOf(b, part) },
    b.makeUniforms([cols, used, 0, 0].map((v) => ({ type: 'uint32', data: [v] })))], Math.ceil(cols / WORKGROUP));
  (b as unknown as { disposeData(id: object): void }).disposeData(part.dataId); // released once the queued work is done
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
  const { axis, keepDims } = attrs as unknown as { axis: number | number[]; keepDims: boolean };
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
    ...config, ours: true,
    kernelFunc: (args: KernelArgs) => {
      const b = fusedBackend();
      return (b && sumLeading(args, b)) || original(args);
    },
  } as tf.KernelConfig);
}
