/**
 * UnsortedSegmentSum (the gradient of tf.gather: token and position embeddings) on webgpu without atomics
 * (issue 9): one workgroup per (segment, 256 columns) walks all ids in order and sums the rows that belong
 * to its segment. tfjs-webgpu's kernel adds with atomic compare-exchange loops; with 32 rows sharing every
 * position id it took 8 ms of a small training step. Deterministic (fixed order); only while
 * fusedBackend() is set, so the original kernel runs otherwise and on other backends.
 */
import * as tf from '@tensorflow/tfjs';
import { bufferOf, dispatch, fusedBackend, newOutput, pipeline, type Info } from './webgpu-raw.ts';

const LANES = 256;
const TILE = 1024; // ids staged in workgroup memory per pass

const SEGMENT_SUM_WGSL = /* wgsl */ `
struct U { n: u32, inner: u32, segments: u32, columnBlocks: u32 }
@group(0) @binding(0) var<storage, read_write> out: array<f32>;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> ids: array<i32>;
@group(0) @binding(3) var<uniform> u: U;
var<workgroup> tile: array<i32, ${TILE}>;
@compute @workgroup_size(${LANES})
fn main(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let group = wid.x + wid.y * groups.x;
  let live = group < u.segments * u.columnBlocks;
  let segment = i32(group / u.columnBlocks);
  let column = (group % u.columnBlocks) * ${LANES}u + lid.x;
  var acc = 0.0;
  for (var start = 0u; start < u.n; start += ${TILE}u) {
    for (var k = lid.x; k < ${TILE}u; k += ${LANES}u) {
      var id = -1;
      if (start + k < u.n) { id = ids[start + k]; }
      tile[k] = id;
    }
    workgroupBarrier();
    let count = min(${TILE}u, u.n - start);
    for (var k = 0u; k < count; k++) {
      if (tile[k] == segment && column < u.inner) { acc += x[(start + k) * u.inner + column]; }
    }
    workgroupBarrier();
  }
  if (live && column < u.inner) { out[u32(segment) * u.inner + column] = acc; }
}`;

type KernelArgs = Parameters<tf.KernelFunc>[0];

/** Wraps the webgpu UnsortedSegmentSum kernel: ours while fusedBackend() is set, else the original. */
export function installSegmentSum(): void {
  const config = tf.getKernel('UnsortedSegmentSum', 'webgpu');
  if (!config || (config as { ours?: boolean }).ours) return;
  const original = config.kernelFunc;
  tf.unregisterKernel('UnsortedSegmentSum', 'webgpu');
  tf.registerKernel({ ...config, ours: true, kernelFunc: (args: KernelArgs) => segmentSum(args) ?? original(args) } as tf.KernelConfig);
}

function segmentSum({ inputs, attrs }: KernelArgs): tf.TensorInfo | undefined {
  const b = fusedBackend();
  const { x, segmentIds } = inputs as { x: Info; segmentIds: Info };
  const numSegments = (attrs as { numSegments: number }).numSegments;
  if (!b || x.dtype !== 'float32' || segmentIds.dtype !== 'int32' || segmentIds.shape.length !== 1) return undefined;
  const n = segmentIds.shape[0];
  const inner = n === 0 ? 0 : x.shape.slice(1).reduce((a, s) => a * s, 1);
  const shape = [numSegments, ...x.shape.slice(1)];
  if (n === 0 || inner === 0 || numSegments === 0) return undefined;
  const columnBlocks = Math.ceil(inner / LANES);
  const out = newOutput(b, shape);
  const uniforms = b.makeUniforms([n, inner, numSegments, columnBlocks].map((v) => ({ type: 'uint32', data: [v] })));
  dispatch(b, pipeline(b, 'segmentSum', SEGMENT_SUM_WGSL),
    [{ buffer: bufferOf(b, out) }, { buffer: bufferOf(b, x) }, { buffer: bufferOf(b, segmentIds) }, uniforms], numSegments * columnBlocks);
  return out as tf.TensorInfo;
}
