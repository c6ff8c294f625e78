/**
 * The KV-cache write of a decode step on webgpu, in place (issue 9): cache[b, :, slot_b, :] ← kv[b, :, 0, :],
 * one small dispatch, instead of cache·(1−slot) + kv·slot (three full-cache kernels and a new cache tensor
 * per layer, K and V, every step). The values are exactly the reference's for a one-hot slot and finite
 * entries (x·1 + y·0 = x). Used by model/forward.ts decodeStep when fusedBackend() is set and the cache tensor
 * owns its buffer; otherwise the reference ops run.
 */
import * as tf from '@tensorflow/tfjs';
import { bufferOf, dispatch, owns, pipeline, writtenBufferOf, type Backend } from './raw.ts';
import { keptSizes } from './bindings.ts';

const WORKGROUP = 256;

const KV_WRITE_WGSL = /* wgsl */ `
struct U { rows: u32, heads: u32, capacity: u32, dh: u32 }
@group(0) @binding(0) var<storage, read_write> cache: array<f32>;
@group(0) @binding(1) var<storage, read> kv: array<f32>;
@group(0) @binding(2) var<storage, read> slot: array<i32>;
@group(0) @binding(3) var<uniform> u: U;
@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = gid.x + gid.y * groups.x * ${WORKGROUP}u;
  if (i >= u.rows * u.heads * u.dh) { return; }
  let j = i % u.dh;
  let h = (i / u.dh) % u.heads;
  let b = i / (u.dh * u.heads);
  let s = u32(slot[b]);
  if (s >= u.capacity) { return; }
  cache[((b * u.heads + h) * u.capacity + s) * u.dh + j] = kv[i];
}`;

/**
 * Writes kv [B, H, 1, dh] into cache [B, H, C, dh] at each row's slot (slotIndex [B] int32), in place.
 * Returns false (nothing written) when the cache shares its buffer with another tensor.
 */
export function writeKvSlot(b: Backend, cache: tf.Tensor4D, kv: tf.Tensor4D, slotIndex: tf.Tensor1D): boolean {
  const [rows, heads, capacity, dh] = cache.shape;
  if (!owns(b, cache) || cache.dtype !== 'float32' || kv.dtype !== 'float32' || slotIndex.dtype !== 'int32') return false;
  if (kv.shape.join() !== [rows, heads, 1, dh].join() || slotIndex.size !== rows) {
    throw new Error(`writeKvSlot: cache [${cache.shape}], kv [${kv.shape}], slots [${slotIndex.shape}] do not match`);
  }
  const uniforms = keptSizes(b, [rows, heads, capacity, dh]);
  dispatch(
    b,
    pipeline(b, 'kvWrite', KV_WRITE_WGSL),
    [{ buffer: writtenBufferOf(b, cache) }, { buffer: bufferOf(b, kv) }, { buffer: bufferOf(b, slotIndex) }, uniforms],
    Math.ceil((rows * heads * dh) / WORKGROUP),
  );
  return true;
}
