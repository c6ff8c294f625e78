/**
 * Kernel fixes for gaps in the tfjs 4.22 backends, registered by resolveBackend (ASYMFLOW_KERNEL_PATCHES=0
 * leaves them out, to reproduce the originals):
 *   wasm   UnsortedSegmentSum  missing, and it is the gradient of tf.gather (embedding lookups)
 *   cpu    UnsortedSegmentSum  correct but builds tensors per segment: ~1.4 s of a 2.4 s tiny step
 *   webgpu AddN                binds every input at once: past maxStorageBuffersPerShaderStage − 1 inputs the
 *                              pipeline is invalid and its whole command buffer is dropped
 *   webgpu PadV2 (rank 5, 6)   compiles to invalid WGSL (`uniforms.xShape[i]` on the vec5 struct); it is the
 *                              gradient of a 5-D slice: the NaN of issue 8 (bench/nan-repro.ts)
 */
import * as tf from '@tensorflow/tfjs';

type Info = tf.TensorInfo;
type Backend = tf.KernelBackend & {
  readSync(id: tf.DataId): tf.backend_util.BackendValues;
  write(values: tf.backend_util.BackendValues, shape: number[], dtype: tf.DataType): tf.DataId;
  disposeData(id: tf.DataId): boolean;
};

const patched = new Set<string>();

export function installKernelPatches(backendName: string): void {
  if (patched.has(backendName)) return;
  patched.add(backendName);
  if (backendName === 'wasm' || backendName === 'cpu') {
    if (tf.getKernel('UnsortedSegmentSum', backendName)) tf.unregisterKernel('UnsortedSegmentSum', backendName);
    tf.registerKernel({ kernelName: 'UnsortedSegmentSum', backendName, kernelFunc: unsortedSegmentSumHost });
  }
  if (backendName === 'webgpu') {
    wrap('AddN', 'webgpu', (original) => (args) => chunkedAddN(original, args));
    wrap('PadV2', 'webgpu', (original) => (args) => padViaLowerRank(original, args));
  }
}

function wrap(kernelName: string, backendName: string, make: (original: tf.KernelFunc) => tf.KernelFunc): void {
  const config = tf.getKernel(kernelName, backendName);
  if (!config) return;
  tf.unregisterKernel(kernelName, backendName);
  tf.registerKernel({ ...config, kernelFunc: make(config.kernelFunc) });
}

/** out[s, ...] = Σ_{i: ids[i] = s} x[i, ...]: x [N, ...rest], segmentIds [N] → [numSegments, ...rest]. */
function unsortedSegmentSumHost({ inputs, backend, attrs }: Parameters<tf.KernelFunc>[0]): Info {
  const b = backend as Backend;
  const { x, segmentIds } = inputs as { x: Info; segmentIds: Info };
  const numSegments = (attrs as { numSegments: number }).numSegments;
  const xs = b.readSync(x.dataId) as Float32Array | Int32Array;
  const ids = b.readSync(segmentIds.dataId) as Int32Array;
  const n = ids.length;
  const inner = n === 0 ? 0 : xs.length / n;
  const out = x.dtype === 'int32' ? new Int32Array(numSegments * inner) : new Float32Array(numSegments * inner);
  for (let i = 0; i < n; i++) {
    const s = ids[i];
    if (s < 0 || s >= numSegments) continue; // tfjs drops out-of-range ids
    for (let j = 0; j < inner; j++) out[s * inner + j] += xs[i * inner + j];
  }
  const shape = [numSegments, ...x.shape.slice(segmentIds.shape.length)];
  return { dataId: b.write(out, shape, x.dtype), shape, dtype: x.dtype };
}

function chunkedAddN(original: tf.KernelFunc, args: Parameters<tf.KernelFunc>[0]): Info {
  // casts: AddN's inputs come as a list, which tfjs's NamedTensorInfoMap (a record by input name) does not type
  const inputs = args.inputs as unknown as Info[];
  const device = (args.backend as { device: GPUDevice }).device;
  const maxInputs = Math.max(2, device.limits.maxStorageBuffersPerShaderStage - 1);
  if (inputs.length <= maxInputs) return original(args) as Info;
  const b = args.backend as Backend;
  const partials: Info[] = [];
  for (let i = 0; i < inputs.length; i += maxInputs) {
    const chunk = inputs.slice(i, i + maxInputs);
    partials.push(chunk.length === 1 ? chunk[0] : (original({ ...args, inputs: chunk as unknown as tf.NamedTensorInfoMap }) as Info));
  }
  const out = chunkedAddN(original, { ...args, inputs: partials as unknown as tf.NamedTensorInfoMap });
  for (const p of partials) if (!inputs.includes(p)) b.disposeData(p.dataId);
  return out;
}

/**
 * The same pad on fewer axes: an axis without padding folds into the axis before it (that axis's padding
 * scales by the folded size), which keeps the row-major layout of input and output.
 */
export function foldPadding(shape: readonly number[], paddings: readonly (readonly [number, number])[]): { shape: number[]; pads: [number, number][] } {
  const folded: number[] = [];
  const pads: [number, number][] = [];
  shape.forEach((size, axis) => {
    const [lo, hi] = paddings[axis];
    if (axis > 0 && lo === 0 && hi === 0) {
      const last = folded.length - 1;
      folded[last] *= size;
      pads[last] = [pads[last][0] * size, pads[last][1] * size];
    } else {
      folded.push(size);
      pads.push([lo, hi]);
    }
  });
  return { shape: folded, pads };
}

/**
 * A pad of rank > 4 as a pad of rank ≤ 4 (foldPadding) between two free reshapes. A 5-D slice's gradient
 * pads one axis, so it always folds. Ranks that still exceed 4 fail loudly instead of producing garbage.
 */
function padViaLowerRank(original: tf.KernelFunc, args: Parameters<tf.KernelFunc>[0]): Info {
  const { x } = args.inputs as { x: Info };
  if (x.shape.length <= 4) return original(args) as Info;
  const { paddings, constantValue } = args.attrs as { paddings: [number, number][]; constantValue: number };
  const { shape, pads } = foldPadding(x.shape, paddings);
  if (shape.length > 4) {
    throw new Error(`PadV2 on webgpu: rank ${x.shape.length} with padding on ${shape.length} axes is not supported (tfjs-webgpu's rank-5 pad is invalid WGSL)`);
  }
  const b = args.backend as Backend;
  const reshape = tf.getKernel('Reshape', 'webgpu')!.kernelFunc;
  const low = reshape({ inputs: { x }, backend: b, attrs: { shape } }) as Info;
  const padded = original({ inputs: { x: low }, backend: b, attrs: { paddings: pads, constantValue } }) as Info;
  const outShape = x.shape.map((size, axis) => size + paddings[axis][0] + paddings[axis][1]);
  const out = reshape({ inputs: { x: padded }, backend: b, attrs: { shape: outShape } }) as Info;
  b.disposeData(low.dataId);
  b.disposeData(padded.dataId);
  return out;
}
