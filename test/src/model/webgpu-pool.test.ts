import { describe, expect, it } from 'vitest';
import { idleLimitBytes, trimPool, trimWebgpuPool, type BufferPool } from '../../../src/model/webgpu-pool.ts';

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
