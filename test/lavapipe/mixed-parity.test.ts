/**
 * bench/parity.ts's mixed-precision entry, run here so CI's lavapipe suite checks it (the GLES parity run can
 * only print why it is skipped): the tensor-core matmul and the model's loss and gradients under
 * `--precision mixed` against cpu's fp32, within bench/checks/tc-parity.ts's bounds.
 */
import { expect, it } from 'vitest';
import { resolveBackend } from '../../src/backend/index.ts';
import { modelConfig } from '../../src/model/config.ts';
import { gradientSnapshot, parityBatch } from '../../bench/checks/parity.ts';
import { MIXED_GRAD_NORMWISE, MIXED_LOSS_ABS, MIXED_MIN_NORMWISE, tensorCoreParity } from '../../bench/checks/tc-parity.ts';

it('mixed precision on this adapter is within the parity bounds of cpu fp32', async () => {
  const config = modelConfig('tiny');
  const rows = parityBatch(config, 4);
  await resolveBackend('cpu', { log: () => {} });
  const reference = await gradientSnapshot(config, rows);
  const tc = await tensorCoreParity(config, rows, reference);
  console.log(JSON.stringify(tc));
  if (!('ok' in tc)) throw new Error(`mixed precision did not run: ${tc.skipped}`);
  expect(tc.matmulOk).toBe(true);
  expect(tc.lossAbs).toBeLessThanOrEqual(MIXED_LOSS_ABS);
  expect(tc.gradNormwise).toBeLessThanOrEqual(MIXED_GRAD_NORMWISE);
  expect(tc.gradNormwise).toBeGreaterThanOrEqual(MIXED_MIN_NORMWISE);
  expect(tc.gpuErrors).toBe(0);
  expect(tc.ok).toBe(true);
});
