import { describe, expect, it } from 'vitest';
import { ageWebgpuPool, idleLimitBytes, PoolAging, trimPool, trimWebgpuPool, type AgingPool, type BufferPool } from '../../../src/webgpu/pool.ts';

function fakePool(idleSizes: number[], usedBytes: number): { pool: BufferPool; destroyed: number[] } {
  const destroyed: number[] = [];
  const buffer = (size: number) => ({ size, destroy: () => destroyed.push(size) });
  const freeBuffers = new Map<string, { size: number; destroy(): void }[]>();
  for (const size of idleSizes) {
    const key = `${size}_140`;
    freeBuffers.set(key, [...(freeBuffers.get(key) ?? []), buffer(size)]);
  }
  freeBuffers.set('64_140', []); // a size with nothing idle
  const idle = idleSizes.reduce((a, b) => a + b, 0);
  const pool: BufferPool = { freeBuffers, numFreeBuffers: idleSizes.length, numBytesAllocated: idle + usedBytes, numBytesUsed: usedBytes };
  return { pool, destroyed };
}

describe('webgpu buffer pool cap', () => {
  it('leaves a pool under the cap alone', () => {
    const { pool, destroyed } = fakePool([100, 200], 1000);
    expect(trimPool(pool, 300)).toBe(0);
    expect(destroyed).toEqual([]);
    expect(pool.numFreeBuffers).toBe(2);
  });

  it('destroys every idle buffer over the cap and keeps the accounting and the keys', () => {
    const { pool, destroyed } = fakePool([100, 200, 200], 1000);
    expect(trimPool(pool, 300)).toBe(500);
    expect(destroyed.sort((a, b) => a - b)).toEqual([100, 200, 200]);
    expect(pool.numFreeBuffers).toBe(0);
    expect(pool.numBytesAllocated).toBe(1000); // only the used bytes remain
    expect(pool.freeBuffers.size).toBe(3); // an empty map would read as a disposed manager to tfjs
    expect([...pool.freeBuffers.values()].every((b) => b.length === 0)).toBe(true);
  });

  it('reads the cap from the environment with an exact message for a bad value', () => {
    expect(idleLimitBytes({})).toBe(4 * 2 ** 30);
    expect(idleLimitBytes({ ASYMFLOW_WEBGPU_IDLE_BYTES: '1000' })).toBe(1000);
    expect(() => idleLimitBytes({ ASYMFLOW_WEBGPU_IDLE_BYTES: 'lots' })).toThrow(
      "ASYMFLOW_WEBGPU_IDLE_BYTES must be a non-negative number of bytes, got 'lots'",
    );
  });

  it('is a no-op off webgpu', () => {
    expect(trimWebgpuPool(0)).toBe(0);
  });
});

describe('webgpu buffer pool aging', () => {
  /** A pool whose acquireBuffer hands out a fresh buffer of the size (as tfjs does when none is free). */
  function agingPool() {
    const destroyed: number[] = [];
    const pool: AgingPool = {
      freeBuffers: new Map(),
      numFreeBuffers: 0,
      numBytesAllocated: 0,
      numBytesUsed: 0,
      acquireBuffer(size: number, usage: number) {
        pool.numBytesAllocated += size;
        return { size, usage };
      },
    };
    const release = (size: number, usage = 140) => {
      // as tfjs's releaseBuffer with reuse
      const key = `${size}_${usage}`;
      pool.freeBuffers.set(key, [...(pool.freeBuffers.get(key) ?? []), { size, destroy: () => destroyed.push(size) }]);
      pool.numFreeBuffers++;
    };
    return { pool, destroyed, release };
  }

  it('frees only sizes not acquired during the last updates, once idle bytes pass the cap', () => {
    const { pool, destroyed, release } = agingPool();
    const aging = new PoolAging(pool, 2);
    pool.acquireBuffer(100, 140);
    release(100); // update 0: shape A
    expect(aging.tick(50)).toBe(0); // A was used in the window
    pool.acquireBuffer(300, 140);
    release(300); // update 1: shape B
    expect(aging.tick(50)).toBe(0); // A (update 0) is still within 2 updates of update 2
    pool.acquireBuffer(300, 140);
    release(300); // update 2: B again; A now stale
    expect(aging.tick(50)).toBe(100);
    expect(destroyed).toEqual([100]);
    expect(pool.numFreeBuffers).toBe(2); // B's two free buffers stay
    expect(pool.numBytesAllocated).toBe(600);
    expect(aging.tick(10_000)).toBe(0); // under the cap nothing goes, stale or not
  });

  it('reads its own cap with an exact message for a bad value', () => {
    expect(idleLimitBytes({}, 'ASYMFLOW_WEBGPU_TRAIN_IDLE_BYTES', 8)).toBe(8);
    expect(() => idleLimitBytes({ ASYMFLOW_WEBGPU_TRAIN_IDLE_BYTES: '-1' }, 'ASYMFLOW_WEBGPU_TRAIN_IDLE_BYTES', 8)).toThrow(
      "ASYMFLOW_WEBGPU_TRAIN_IDLE_BYTES must be a non-negative number of bytes, got '-1'",
    );
  });

  it('is a no-op off webgpu', () => {
    expect(ageWebgpuPool(0)).toBe(0);
  });
});
