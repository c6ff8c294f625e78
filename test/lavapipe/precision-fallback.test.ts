/**
 * `--precision mixed` on a device without the tensor-core features runs fp32 and says why in one line (issue 17):
 * lavapipe under Dawn without allow_unsafe_apis hides chromium-experimental-subgroup-matrix.
 */
import { afterAll, expect, it } from 'vitest';
import { resolveBackend, type ResolvedBackend } from '../../src/backend/index.ts';
import { tensorCoreMatmul } from '../../src/webgpu/matmul.ts';
import { mixedPrecision } from '../../src/webgpu/index.ts';

let backend: ResolvedBackend | undefined;
afterAll(async () => {
  await backend?.dispose();
});

it('falls back to fp32 with one line naming the missing feature', async () => {
  const log: string[] = [];
  const env = { ...process.env, ASYMFLOW_WEBGPU_DAWN: 'backend=vulkan' };
  backend = await resolveBackend('webgpu', { precision: 'mixed', env, log: (line) => log.push(line) });
  expect(backend.precision).toBe('fp32');
  expect(log.filter((l) => l.startsWith('precision:'))).toEqual([
    'precision: fp32 (mixed asked for, but the adapter lacks chromium-experimental-subgroup-matrix)',
  ]);
  expect(tensorCoreMatmul()).toBeUndefined();
  expect(mixedPrecision()).toBe(false);
});
