/**
 * The CPU side of our dispatches, made cheaper (issue 9): at `small` a training step was CPU-bound (the
 * H100 call of 2026-11-25: trainStep took 35–45 ms to queue a step whose kernels ran 31 ms), and every
 * dispatch paid for a new uniform buffer (tfjs's pool + queue.writeBuffer) and a new bind group.
 *
 *   keptUniforms(b, fields)   a uniform buffer holding these values, made once per device and never written
 *                             again, so any number of dispatches and submits may bind it (tfjs's own uniforms
 *                             go back to its pool at the next submit and are rewritten: see dispatch()).
 *                             Only for values that repeat — shapes; a value that changes every step (AdamW's
 *                             learning rate) would fill the cache, so those keep b.makeUniforms.
 *   bindGroupOf(b, p, …)      the bind group of these buffers for pipeline p, cached by the buffers' identity:
 *                             tfjs's buffer pool hands the same buffers to the same tensors step after step.
 * ASYMFLOW_BIND_CACHE=0 turns both off (A/B runs).
 */
import type { Backend } from './internals.ts';

let enabled = true;

/** ASYMFLOW_BIND_CACHE=0: a new uniform buffer and bind group for every dispatch, as before. Returns the previous setting. */
export function setBindCache(on: boolean): boolean {
  const was = enabled;
  enabled = on;
  return was;
}

export type UniformField = { type: 'uint32' | 'int32' | 'float32'; data: [number] };

/** Distinct uniform contents kept per device; past it, b.makeUniforms (values that never repeat do not belong here). */
const MAX_KEPT_UNIFORMS = 4096;
const keptByDevice = new WeakMap<GPUDevice, Map<string, GPUBufferBinding>>();
const keptBuffers = new WeakSet<GPUBuffer>();

/** True for a buffer made by keptUniforms (never rewritten, so bindable after any submit). */
export const isKeptUniform = (buffer: GPUBuffer): boolean => keptBuffers.has(buffer);

/** Scalar uniform fields (4 bytes each, in order, as b.makeUniforms lays scalars out), kept when the cache is on. */
export function keptUniforms(b: Backend, fields: readonly UniformField[]): GPUBufferBinding {
  if (!enabled) return b.makeUniforms(fields as UniformField[]);
  let kept = keptByDevice.get(b.device);
  if (!kept) keptByDevice.set(b.device, (kept = new Map()));
  const key = fields.map((f) => `${f.type[0]}${f.data[0]}`).join(',');
  const hit = kept.get(key);
  if (hit) return hit;
  if (kept.size >= MAX_KEPT_UNIFORMS) return b.makeUniforms(fields as UniformField[]);
  const size = Math.max(16, Math.ceil((4 * fields.length) / 16) * 16); // a uniform struct's size is a multiple of 16
  const buffer = b.device.createBuffer({ size, usage: GPUBufferUsage.UNIFORM, mappedAtCreation: true });
  const words = buffer.getMappedRange();
  fields.forEach((f, i) => {
    const view =
      f.type === 'float32' ? new Float32Array(words, 4 * i, 1) : f.type === 'int32' ? new Int32Array(words, 4 * i, 1) : new Uint32Array(words, 4 * i, 1);
    view[0] = f.data[0];
  });
  buffer.unmap();
  keptBuffers.add(buffer);
  const binding = { buffer, offset: 0, size: 4 * fields.length };
  kept.set(key, binding);
  return binding;
}

/** keptUniforms of unsigned integers, the common case (sizes and counts). */
export const keptSizes = (b: Backend, values: readonly number[]): GPUBufferBinding =>
  keptUniforms(
    b,
    values.map((v) => ({ type: 'uint32', data: [v] })),
  );

const MAX_BIND_GROUPS = 8192;
const groupsByDevice = new WeakMap<GPUDevice, Map<string, GPUBindGroup>>();
const idOf = new WeakMap<object, number>();
let nextId = 1;
const id = (o: object): number => {
  let n = idOf.get(o);
  if (n === undefined) idOf.set(o, (n = nextId++));
  return n;
};
export const bindCacheStats = { hits: 0, misses: 0 };

/**
 * The bind group binding `buffers` in order to p's group 0. A cached group holds only buffers it was made
 * with: a buffer tfjs destroys is never handed out again, so no key can reach a group of a destroyed buffer.
 */
export function bindGroupOf(b: Backend, p: GPUComputePipeline, buffers: readonly GPUBufferBinding[]): GPUBindGroup {
  const make = () => b.device.createBindGroup({ layout: p.getBindGroupLayout(0), entries: buffers.map((resource, binding) => ({ binding, resource })) });
  if (!enabled) return make();
  let groups = groupsByDevice.get(b.device);
  if (!groups) groupsByDevice.set(b.device, (groups = new Map()));
  let key = String(id(p));
  for (const r of buffers) key += `,${id(r.buffer)}:${r.offset ?? 0}:${r.size ?? -1}`;
  const hit = groups.get(key);
  if (hit) {
    bindCacheStats.hits++;
    groups.delete(key); // most recently used last: the oldest goes first when full
    groups.set(key, hit);
    return hit;
  }
  bindCacheStats.misses++;
  const group = make();
  if (groups.size >= MAX_BIND_GROUPS) groups.delete(groups.keys().next().value!);
  groups.set(key, group);
  return group;
}
