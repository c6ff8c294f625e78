/**
 * A cap on the idle GPU memory tfjs-webgpu's buffer pool keeps. tfjs 4.22 keeps every released buffer for
 * reuse, keyed by its exact size, and never frees one: training on several bucket shapes plus sampling calls of
 * other batch sizes and cache capacities leave gigabytes of idle buffers. On the H100, `small` SFT runs that
 * evaluated by sampling ran out of device memory (vkAllocateMemory: VK_ERROR_OUT_OF_DEVICE_MEMORY) with only
 * two processes on the GPU. Destroying idle buffers is safe: WebGPU keeps a destroyed buffer alive for work
 * already submitted, and tfjs allocates a new one the next time that size is asked for.
 */
import * as tf from '@tensorflow/tfjs';

/** The parts of tfjs-webgpu's BufferManager this touches (backend_webgpu.js, buffer_manager.js). */
export interface BufferPool {
  freeBuffers: Map<string, { readonly size: number; destroy(): void }[]>;
  numFreeBuffers: number;
  numBytesAllocated: number;
  numBytesUsed: number;
}

/**
 * Idle bytes allowed before the pool is emptied: ASYMFLOW_WEBGPU_IDLE_BYTES, else 4 GiB. sample() trims before
 * each call; training steps never do (a pool emptied every update re-creates every buffer: on the H100 a `small`
 * SFT step went from ~0.64 s to ~2.9 s with two processes sharing the GPU).
 */
export function idleLimitBytes(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.ASYMFLOW_WEBGPU_IDLE_BYTES;
  if (raw === undefined || raw === '') return 4 * 2 ** 30;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) throw new Error(`ASYMFLOW_WEBGPU_IDLE_BYTES must be a non-negative number of bytes, got '${raw}'`);
  return value;
}

/** Destroys every idle buffer once idle bytes exceed `limitBytes`; returns the bytes freed (0: under the cap). */
export function trimPool(pool: BufferPool, limitBytes: number): number {
  if (pool.numBytesAllocated - pool.numBytesUsed <= limitBytes) return 0;
  let freed = 0;
  for (const buffers of pool.freeBuffers.values()) {
    for (const buffer of buffers) {
      freed += buffer.size;
      buffer.destroy();
    }
    buffers.length = 0; // keys stay: tfjs treats an empty map as a disposed manager
  }
  pool.numFreeBuffers = 0;
  pool.numBytesAllocated -= freed;
  return freed;
}

const limit = idleLimitBytes();

/** trimPool on the active backend's pool when it is webgpu; a no-op elsewhere. */
export function trimWebgpuPool(limitBytes = limit): number {
  if (tf.getBackend() !== 'webgpu') return 0;
  const pool = (tf.backend() as unknown as { bufferManager?: BufferPool }).bufferManager;
  return pool ? trimPool(pool, limitBytes) : 0;
}
