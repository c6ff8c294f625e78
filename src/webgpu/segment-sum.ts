/**
 * UnsortedSegmentSum (the gradient of tf.gather: token and position embeddings) on webgpu without atomics
 * (issue 9). One workgroup per (segment, 256 columns) sums, in increasing row order, the rows whose id is
 * its segment: deterministic, the cpu kernel's order. tfjs-webgpu's kernel adds with atomic compare-exchange
 * loops (8 ms of a small training step with 32 rows sharing every position id).
 *
 * How a workgroup finds its rows:
 *   compact (default): per tile of 1024 ids, each thread tests 4 of them, a workgroup prefix sum places the
 *     matching row numbers in order in workgroup memory, then every thread adds only those rows' values.
 *     Id tests are n per workgroup (n / 256 per thread), value reads the rows that match.
 *   walk (ASYMFLOW_SEGMENT_COMPACT=0, the earlier kernel, for A/B runs): every thread tests every id itself,
 *     n tests per thread: with 16k ids and 1,024 position segments that was 5.2 ms of the H100's small step.
 * Out-of-range ids match no segment (dropped, as on cpu). Used only while fusedBackend() is set, so the
 * original kernel runs otherwise and on other backends. Parity: bench/checks/fused-parity.ts `segmentSumRel` (both kernels).
 */
import * as tf from '@tensorflow/tfjs';
import { bufferOf, dispatch, fusedBackend, newOutput, pipeline, type Backend, type Info } from './raw.ts';
import { keptSizes } from './bindings.ts';

const LANES = 256;
const TILE = 1024; // ids per pass (4 per thread)

const HEADER = /* wgsl */ `
struct U { n: u32, inner: u32, segments: u32, columnBlocks: u32 }
@group(0) @binding(0) var<storage, read_write> out: array<f32>;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> ids: array<i32>;
@group(0) @binding(3) var<uniform> u: U;`;

// Barriers only in main, in uniform control flow (GLSL on Dawn's GLES path in CI).
const ENTRY = /* wgsl */ `
@compute @workgroup_size(${LANES})
fn main(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let group = wid.x + wid.y * groups.x;
  let live = group < u.segments * u.columnBlocks;
  let segment = i32(group / u.columnBlocks);
  let column = (group % u.columnBlocks) * ${LANES}u + lid.x;
  let reads = live && column < u.inner;
  var acc = 0.0;`;

const COMPACT_WGSL = /* wgsl */ `${HEADER}
var<workgroup> rows: array<u32, ${TILE}>; // this tile's rows of the segment, in order
var<workgroup> scan: array<u32, ${LANES}>; // inclusive prefix sum of the per-thread match counts
${ENTRY}
  for (var start = 0u; start < u.n; start += ${TILE}u) {
    // Thread t tests ids start + 4t … start + 4t + 3 (contiguous, so the order within a thread is the row order).
    let first = start + 4u * lid.x;
    var hits = 0u;
    for (var j = 0u; j < 4u; j++) {
      if (first + j < u.n && ids[first + j] == segment) { hits += 1u; }
    }
    scan[lid.x] = hits;
    workgroupBarrier();
    for (var stride = 1u; stride < ${LANES}u; stride = stride * 2u) {
      var below = 0u;
      if (lid.x >= stride) { below = scan[lid.x - stride]; }
      workgroupBarrier();
      scan[lid.x] += below;
      workgroupBarrier();
    }
    var slot = scan[lid.x] - hits;
    for (var j = 0u; j < 4u; j++) {
      if (first + j < u.n && ids[first + j] == segment) { rows[slot] = first + j; slot += 1u; }
    }
    let count = scan[${LANES - 1}u];
    workgroupBarrier();
    if (reads) {
      for (var k = 0u; k < count; k++) { acc += x[rows[k] * u.inner + column]; }
    }
    workgroupBarrier();
  }
  if (reads) { out[u32(segment) * u.inner + column] = acc; }
}`;

const WALK_WGSL = /* wgsl */ `${HEADER}
var<workgroup> tile: array<i32, ${TILE}>;
${ENTRY}
  for (var start = 0u; start < u.n; start += ${TILE}u) {
    for (var k = lid.x; k < ${TILE}u; k += ${LANES}u) {
      var id = -1;
      if (start + k < u.n) { id = ids[start + k]; }
      tile[k] = id;
    }
    workgroupBarrier();
    let count = min(${TILE}u, u.n - start);
    for (var k = 0u; k < count; k++) {
      if (tile[k] == segment && reads) { acc += x[(start + k) * u.inner + column]; }
    }
    workgroupBarrier();
  }
  if (reads) { out[u32(segment) * u.inner + column] = acc; }
}`;

let compact = true;

/** Which kernel finds each segment's rows: compact (default) or walk (ASYMFLOW_SEGMENT_COMPACT=0); returns the previous. */
export function setSegmentCompact(on: boolean): boolean {
  const was = compact;
  compact = on;
  return was;
}

/**
 * out[s, :] = Σ_{i: ids[i] = s} x[i, :] in increasing i: x float32 [n, inner] (any Info of n·inner values),
 * ids int32 [n] → a new [segments, inner] float32 output (tensor info; wrap with asTensor).
 */
export function segmentSum(b: Backend, x: Info, ids: Info, segments: number, inner: number, shape = [segments, inner]): Info {
  const n = ids.shape.reduce((p, q) => p * q, 1);
  const columnBlocks = Math.ceil(inner / LANES);
  const out = newOutput(b, shape);
  const uniforms = keptSizes(b, [n, inner, segments, columnBlocks]);
  const [name, code] = compact ? ['segmentSumCompact', COMPACT_WGSL] : ['segmentSum', WALK_WGSL];
  dispatch(
    b,
    pipeline(b, name, code),
    [{ buffer: bufferOf(b, out) }, { buffer: bufferOf(b, x) }, { buffer: bufferOf(b, ids) }, uniforms],
    segments * columnBlocks,
  );
  return out;
}

type KernelArgs = Parameters<tf.KernelFunc>[0];

/** Wraps the webgpu UnsortedSegmentSum kernel: ours while fusedBackend() is set, else the original. */
export function installSegmentSum(): void {
  const config = tf.getKernel('UnsortedSegmentSum', 'webgpu');
  if (!config || (config as { ours?: boolean }).ours) return;
  const original = config.kernelFunc;
  tf.unregisterKernel('UnsortedSegmentSum', 'webgpu');
  tf.registerKernel({ ...config, ours: true, kernelFunc: (args: KernelArgs) => segmentSumKernel(args) ?? original(args) } as tf.KernelConfig);
}

function segmentSumKernel({ inputs, attrs }: KernelArgs): tf.TensorInfo | undefined {
  const b = fusedBackend();
  const { x, segmentIds } = inputs as { x: Info; segmentIds: Info };
  const numSegments = (attrs as { numSegments: number }).numSegments;
  if (!b || x.dtype !== 'float32' || segmentIds.dtype !== 'int32' || segmentIds.shape.length !== 1) return undefined;
  const n = segmentIds.shape[0];
  const inner = n === 0 ? 0 : x.shape.slice(1).reduce((a, s) => a * s, 1);
  if (n === 0 || inner === 0 || numSegments === 0) return undefined;
  return segmentSum(b, x, segmentIds, numSegments, inner, [numSegments, ...x.shape.slice(1)]) as tf.TensorInfo;
}
