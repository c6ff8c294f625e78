/**
 * The model's attention op (attentionFused) under `--precision mixed` takes the tensor-core kernels on this
 * adapter, and under fp32 the fp32 ones: the same op's value and q/k/v gradients both ways, apart by the f16
 * rounding (not bit-equal: the switch really switched) and within a normwise 2⁻⁸ — the kernels' own bounds are
 * the element-wise ones of attention-tc-forward/backward.test.ts; this checks the wiring (which kernels, the
 * saved O and lse reaching the backward, B·H > 1, prefix, key bias through tfjs).
 */
import { afterAll, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { resolveBackend, type ResolvedBackend } from '../../src/backend/index.ts';
import { attentionFused, fusedBackend, tcShape } from '../../src/webgpu/index.ts';
import { setTensorCoreAttention, tcAttentionPlan } from '../../src/webgpu/attention-tc.ts';
import { uniform } from '../../bench/gpu-io.ts';
import { normwise } from '../../bench/bench-util.ts';

let backend: ResolvedBackend | undefined;
afterAll(async () => {
  await backend?.dispose();
});

const [BATCH, L, HEADS, DH, PREFIX] = [2, 41, 2, 32, 9];

/** attentionFused's value and q, k, v gradients (of Σ value·w, w fixed) as flat arrays. */
async function valueAndGrads(): Promise<Float32Array[]> {
  const b = fusedBackend();
  if (!b) throw new Error('no fused webgpu backend');
  const n = BATCH * L * HEADS * DH;
  const [q, k, v] = [1, 2, 3].map((s) => tf.tensor3d(uniform(n, s, 2), [BATCH, L, HEADS * DH]));
  const w = tf.tensor3d(uniform(n, 4), [BATCH, L, HEADS * DH]);
  const kb = tf.tensor2d(
    Float32Array.from({ length: BATCH * L }, (_, i) => (i % L >= L - 4 && i >= L ? -1e4 : 0)),
    [BATCH, L],
  );
  const f = (a: tf.Tensor, c: tf.Tensor, d: tf.Tensor) =>
    tf.sum(tf.mul(attentionFused(b, a as tf.Tensor3D, c as tf.Tensor3D, d as tf.Tensor3D, HEADS, PREFIX, kb), w));
  const value = tf.tidy(() => attentionFused(b, q!, k!, v!, HEADS, PREFIX, kb));
  const grads = tf.grads(f)([q!, k!, v!]);
  const out = await Promise.all([value, ...grads].map(async (t) => (await t.data()) as Float32Array));
  tf.dispose([q!, k!, v!, w, kb, value, ...grads]);
  return out;
}

it('takes the tensor-core kernels under mixed precision, the fp32 ones otherwise', async () => {
  backend = await resolveBackend('webgpu', { precision: 'mixed', log: () => {} });
  expect(backend.precision).toBe('mixed');
  const plan = tcAttentionPlan(fusedBackend()!, DH);
  expect(plan?.shape).toEqual(tcShape());
  const mixed = await valueAndGrads();
  const was = setTensorCoreAttention(false);
  const fp32 = await valueAndGrads();
  setTensorCoreAttention(was);
  const apart = mixed.map((m, i) => normwise(m, fp32[i]!));
  console.log(`normwise tensor cores vs fp32: O ${apart[0]}, dQ ${apart[1]}, dK ${apart[2]}, dV ${apart[3]}`);
  for (const x of apart) {
    expect(x).toBeGreaterThan(0);
    expect(x).toBeLessThanOrEqual(2 ** -8);
  }
  await backend.dispose();
  backend = await resolveBackend('webgpu', { precision: 'fp32', log: () => {} });
  expect(tcAttentionPlan(fusedBackend()!, DH)).toBeUndefined();
});
