/**
 * Our own WGSL compute passes inside tfjs-webgpu's command stream (issue 9): on the backend's internals we
 * rely on (tfjs 4.22, internals.ts), buffers of tensors, output tensors and one dispatch recorded into tfjs's open
 * compute pass, so our kernels order with tfjs's own and its deferred buffer release covers ours.
 */
import * as tf from '@tensorflow/tfjs';
import { bindGroupOf, isKeptUniform } from './bindings.ts';
import { internals, type Backend, type Info } from './internals.ts';

export { internals, type Backend, type Info } from './internals.ts';

let enabled = true;

/** Off: every caller takes the reference ops (ASYMFLOW_SPEED_PATCHES=0; parity checks compare both). Returns the previous setting. */
export function setFusedKernels(on: boolean): boolean {
  const was = enabled;
  enabled = on;
  return was;
}

/** The backend internals when our fused kernels apply: the active backend is webgpu and they are on. */
export function fusedBackend(): Backend | undefined {
  return enabled && tf.getBackend() === 'webgpu' ? internals() : undefined;
}

const pipelines = new WeakMap<GPUDevice, Map<string, GPUComputePipeline>>();
const names = new WeakMap<GPUComputePipeline, string>();

/**
 * The compiled pipeline `name` of `code` on this backend's device (compiled once per device). Code built per
 * call comes as a function, called only on the first: matmulWgsl building its source on every dispatch was
 * ~13% of a `small` training step's CPU time on the H100 host.
 */
export function pipeline(b: Backend, name: string, code: string | (() => string)): GPUComputePipeline {
  let byName = pipelines.get(b.device);
  if (!byName) pipelines.set(b.device, (byName = new Map()));
  let p = byName.get(name);
  if (!p) {
    const source = typeof code === 'string' ? code : code();
    p = b.device.createComputePipeline({ layout: 'auto', compute: { module: b.device.createShaderModule({ code: source }), entryPoint: 'main' } });
    byName.set(name, p);
    names.set(p, name);
  }
  return p;
}

/** The name a pipeline was compiled under by pipeline() ('ours' for others). */
export const pipelineName = (p: GPUComputePipeline): string => names.get(p) ?? 'ours';

/** The GPU buffer behind a tensor, uploading it first; marks it used by the unsubmitted commands. */
export function bufferOf(b: Backend, t: Info): GPUBuffer {
  b.uploadToGPU(t.dataId);
  b.commandQueueOwnedIds.add(t.dataId);
  return b.tensorMap.get(t.dataId)!.resource as GPUBuffer;
}

/**
 * The GPU buffer of a tensor that a kernel overwrites in place. tfjs keeps the values of a tensor it has read
 * back (read() caches them on the CPU and returns that copy from then on), so without dropping that copy a
 * variable updated in place reads back as it was at its first read: on the H100 every SFT checkpoint after
 * the first one held the step-100 weights (RL started from them; summary hashes were of them).
 */
export function writtenBufferOf(b: Backend, t: Info): GPUBuffer {
  const buffer = bufferOf(b, t);
  b.tensorMap.get(t.dataId)!.values = null;
  return buffer;
}

/** A new float32 tensor's backend data of `shape` (GPU memory uninitialised: the kernel writes it all). */
export function newOutput(b: Backend, shape: number[]): Info {
  return b.makeTensorInfo(shape, 'float32');
}

/**
 * The same backend data seen with another shape of the same size: what tfjs-webgpu's Reshape kernel returns,
 * without the kernel call (and its tape entry and saved copy under a gradient). Read-only use by our kernels.
 */
export function view(t: Info, shape: number[]): Info {
  if (shape.reduce((a, s) => a * s, 1) !== t.shape.reduce((a, s) => a * s, 1)) throw new Error(`view: [${t.shape}] as [${shape}]`);
  return { dataId: t.dataId, shape, dtype: t.dtype };
}

/**
 * save() for a custom gradient that skips variables: tfjs's save clones each tensor (an Identity kernel call
 * with its engine bookkeeping) so the forward's tidy cannot free it, but a variable is never tidied, and
 * nothing assigns to one between a forward and its backward (the optimizer runs after both). Returns the
 * gradient function's view of the tensors, in the order given.
 */
export function saveForGradient(save: tf.GradSaveFunc, tensors: tf.Tensor[]): (saved: tf.Tensor[]) => tf.Tensor[] {
  save(tensors.filter((t) => !(t instanceof tf.Variable)));
  return (saved) => {
    let i = 0;
    return tensors.map((t) => (t instanceof tf.Variable ? t : saved[i++]));
  };
}

/** Wraps backend data made by newOutput as a tensor tracked by the engine (and the enclosing tidy). */
export const asTensor = <T extends tf.Tensor>(info: Info): T => tf.engine().makeTensorFromTensorInfo(info as tf.TensorInfo) as T;

/** A second tensor on t's buffer (what tfjs's Reshape/Identity kernels return), without a kernel call. */
export function alias<T extends tf.Tensor>(b: Backend, t: Info): T {
  b.incRef(t.dataId);
  return asTensor<T>(view(t, [...t.shape]));
}

/** True when `t` is the only tensor on its buffer (safe to update in place). */
export const owns = (b: Backend, t: Info): boolean => (b.tensorMap.get(t.dataId)?.refCount ?? 0) === 1;

/** GPU times of our dispatches while timeOurKernels(true): per pipeline name, and whether a tfjs kernel's timer also holds it. */
let timings: { name: string; insideKernel: boolean; query: Promise<number> }[] | undefined;

/**
 * Times each of our dispatches (own compute pass with timestamp writes, as tfjs times its programs under
 * tf.profile) until turned off; bench/train-step.ts --profile reports them, since tf.profile sees only
 * tfjs kernels. Dispatches inside a tfjs kernel (our matmul, Sum, segment sum) also count in its time.
 */
export function timeOurKernels(on: boolean): void {
  timings = on ? [] : undefined;
}

/** Per pipeline name: dispatches and GPU ms since timeOurKernels(true); `outside`: those in no tfjs kernel. */
export async function ourKernelTimes(): Promise<{ byName: Map<string, { n: number; ms: number }>; totalMs: number; outsideMs: number }> {
  const byName = new Map<string, { n: number; ms: number }>();
  let totalMs = 0;
  let outsideMs = 0;
  for (const t of timings ?? []) {
    const ms = await t.query;
    const e = byName.get(t.name) ?? { n: 0, ms: 0 };
    byName.set(t.name, { n: e.n + 1, ms: e.ms + ms });
    totalMs += ms;
    if (!t.insideKernel) outsideMs += ms;
  }
  return { byName, totalMs, outsideMs };
}

/**
 * Records one dispatch of `groups` workgroups (folded into 2-D past the per-dimension limit). A uniform
 * buffer from b.makeUniforms serves one dispatch only: a dispatch may submit the queue, and tfjs then hands
 * every uniform buffer made so far back to its pool, where the next makeUniforms of that size rewrites it
 * (queue.writeBuffer) before a later dispatch that still binds it has run. That happened to the attention
 * backward's shared uniforms (dK/dV from garbage sizes once a 32-byte uniform of the matmul reduce reused the
 * buffer), so such a binding now throws here instead of computing garbage.
 */
export function dispatch(b: Backend, p: GPUComputePipeline, buffers: GPUBufferBinding[], groups: number): void {
  for (const { buffer } of buffers) {
    if ((buffer.usage & GPUBufferUsage.UNIFORM) !== 0 && !isKeptUniform(buffer) && !b.uniformPendingDisposal.includes(buffer)) {
      throw new Error(
        `dispatch ${names.get(p) ?? ''}: a uniform buffer already handed back to tfjs's pool (made before a submit; make one per dispatch, or use keptUniforms)`,
      );
    }
  }
  const bindGroup = bindGroupOf(b, p, buffers);
  b.ensureCommandEncoderReady();
  const timed = (timings !== undefined || b.activeTimers != null) && b.supportTimestampQuery;
  if (timed) {
    b.endComputePassEncoder();
    b.querySet ??= b.device.createQuerySet({ type: 'timestamp', count: b.querySetCount });
    b.computePassEncoder = b.commandEncoder!.beginComputePass({
      timestampWrites: { querySet: b.querySet, beginningOfPassWriteIndex: 0, endOfPassWriteIndex: 1 },
    });
  } else if (!b.computePassEncoder) b.computePassEncoder = b.commandEncoder!.beginComputePass({});
  const pass = b.computePassEncoder!;
  pass.setPipeline(p);
  pass.setBindGroup(0, bindGroup);
  const max = b.device.limits.maxComputeWorkgroupsPerDimension;
  const x = Math.min(groups, max);
  pass.dispatchWorkgroups(x, Math.ceil(groups / x));
  b.dispatchCountInPass++;
  if (timed) {
    b.endComputePassEncoder();
    const query = b.getQueryTime(); // resolves the pass's two timestamps and submits
    const name = names.get(p) ?? 'ours';
    b.activeTimers?.push({ name, query });
    timings?.push({ name, insideKernel: b.activeTimers != null, query });
    return;
  }
  // No timestamps on this device (Mesa's GLES): still count the dispatch, at 0 ms.
  timings?.push({ name: names.get(p) ?? 'ours', insideKernel: b.activeTimers != null, query: Promise.resolve(0) });
  if (b.dispatchCountInPass >= (tf.env().get('WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE') as number)) {
    b.endComputePassEncoder();
    b.submitQueue();
  }
}
