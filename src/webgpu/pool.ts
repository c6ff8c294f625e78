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
 * each call; training updates only age out stale sizes (ageWebgpuPool, its cap ASYMFLOW_WEBGPU_TRAIN_IDLE_BYTES,
 * else 8 GiB): a pool emptied every update re-creates every buffer (on the H100 a `small` SFT step went from
 * ~0.64 s to ~2.9 s with two processes sharing the GPU).
 */
export function idleLimitBytes(env: NodeJS.ProcessEnv = process.env, name = 'ASYMFLOW_WEBGPU_IDLE_BYTES', fallback = 4 * 2 ** 30): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) throw new Error(`${name} must be a non-negative number of bytes, got '${raw}'`);
  return value;
}

/**
 * Destroys idle buffers once idle bytes exceed `limitBytes` — every one, or with `stale` only those whose size
 * key it accepts — and returns the bytes freed (0: under the cap).
 */
export function trimPool(pool: BufferPool, limitBytes: number, stale: (key: string) => boolean = () => true): number {
  if (pool.numBytesAllocated - pool.numBytesUsed <= limitBytes) return 0;
  let freed = 0;
  for (const [key, buffers] of pool.freeBuffers) {
    if (!stale(key)) continue;
    pool.numFreeBuffers -= buffers.length;
    for (const buffer of buffers) {
      freed += buffer.size;
      buffer.destroy();
    }
    buffers.length = 0; // keys stay: tfjs treats an empty map as a disposed manager
  }
  pool.numBytesAllocated -= freed;
  return freed;
}

const limit = idleLimitBytes();

/** The active backend's buffer pool when it is webgpu, else undefined. */
const webgpuPool = (): AgingPool | undefined => (tf.getBackend() === 'webgpu' ? (tf.backend() as { bufferManager?: AgingPool }).bufferManager : undefined);

/** trimPool on the active backend's pool when it is webgpu; a no-op elsewhere. */
export function trimWebgpuPool(limitBytes = limit): number {
  const pool = webgpuPool();
  return pool ? trimPool(pool, limitBytes) : 0;
}

/** The pool as acquireBuffer sees it: each acquisition stamps its size key with the current update. */
export interface AgingPool extends BufferPool {
  acquireBuffer(size: number, usage: number, ...rest: unknown[]): unknown;
}

/**
 * Per-update aging for training (SFT and GRPO updates call it once per optimizer step): batches of different
 * bucketed lengths each leave a full step's worth of idle buffers (~10 GB for a `small` step), so a run over
 * varied lengths ran the H100 out of memory within a few steps, while emptying the whole pool every update
 * re-creates every buffer (0.64 → 2.9 s a step). Here only sizes not acquired during the last `keepUpdates`
 * updates go, and only once idle bytes pass the cap: a fixed shape keeps its buffers, a stale shape's free.
 */
export class PoolAging {
  private update = 0;
  private readonly lastUse = new Map<string, number>();

  constructor(
    private readonly pool: AgingPool,
    private readonly keepUpdates: number,
  ) {
    const acquire = pool.acquireBuffer.bind(pool);
    const lastUse = this.lastUse;
    pool.acquireBuffer = (size: number, usage: number, ...rest: unknown[]) => {
      lastUse.set(`${size}_${usage}`, this.update); // tfjs's getBufferKey
      return acquire(size, usage, ...rest);
    };
  }

  /** Ends an update: frees sizes unused for `keepUpdates` updates when idle bytes exceed `limitBytes`. */
  tick(limitBytes: number): number {
    this.update++;
    const oldest = this.update - this.keepUpdates;
    return trimPool(this.pool, limitBytes, (key) => (this.lastUse.get(key) ?? -1) < oldest);
  }
}

const agings = new WeakMap<object, PoolAging>();
const trainLimit = idleLimitBytes(process.env, 'ASYMFLOW_WEBGPU_TRAIN_IDLE_BYTES', 8 * 2 ** 30);

/** PoolAging.tick on the active webgpu backend's pool (installed on first use); a no-op elsewhere. */
export function ageWebgpuPool(limitBytes = trainLimit, keepUpdates = 4): number {
  const pool = webgpuPool();
  if (!pool) return 0;
  let aging = agings.get(pool);
  if (!aging) agings.set(pool, (aging = new PoolAging(pool, keepUpdates)));
  return aging.tick(limitBytes);
}
