import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { applyTfjsFlags, resolveBackend } from '../../../src/backend/index.ts';
import { installGradientPatches } from '../../../src/backend/grad-patches.ts';
import { fusedOptimizer } from '../../../src/webgpu/index.ts';

const log = () => {};

/** tfjs 4.22's own Sum/Mean gradients, written out: dy reshaped, times host ones, (÷ count for Mean). */
function originalGradient(kind: 'sum' | 'mean', x: tf.Tensor, dy: tf.Tensor, axes: number[]): tf.Tensor {
  const kept = x.shape.map((s, i) => (axes.includes(i) ? 1 : s));
  const spread = tf.mul(tf.reshape(dy, kept), tf.ones(x.shape, 'float32'));
  return kind === 'sum'
    ? spread
    : tf.div(
        spread,
        axes.reduce((n, a) => n * x.shape[a], 1),
      );
}

describe('Sum / Mean gradients without host ones (grad-patches.ts)', () => {
  beforeAll(async () => {
    await resolveBackend('cpu', { env: {}, log });
    installGradientPatches();
  });

  for (const kind of ['sum', 'mean'] as const) {
    for (const axes of [[2], [0, 2], [1], [0, 1, 2]]) {
      it(`${kind} over axes ${axes.join(',')} gives exactly the original gradient`, async () => {
        const x = tf.tensor3d(
          Float32Array.from({ length: 2 * 3 * 5 }, (_, i) => Math.sin(i) * 3),
          [2, 3, 5],
        ); // [2, 3, 5]
        const reduced = kind === 'sum' ? tf.sum(x, axes) : tf.mean(x, axes);
        const w = tf.tensor(
          Float32Array.from({ length: reduced.size }, (_, i) => 0.37 * i - 1.1),
          reduced.shape,
        ); // reduced shape
        const got = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(kind === 'sum' ? tf.sum(t, axes) : tf.mean(t, axes), w)))(x); // [2, 3, 5]
        const want = originalGradient(kind, x, w, axes); // [2, 3, 5]
        expect(got.shape).toEqual([2, 3, 5]);
        expect(Array.from(await got.data())).toEqual(Array.from(await want.data()));
        expect(Math.max(...Array.from(await got.abs().data()))).toBeGreaterThan(0);
      });
    }
  }

  it('keeps LayerNorm-style moments gradients exact (keepDims, last axis)', async () => {
    const x = tf.tensor2d(
      Float32Array.from({ length: 4 * 7 }, (_, i) => Math.cos(i * 1.3) * 2),
      [4, 7],
    ); // [4, 7]
    const f = (t: tf.Tensor) => {
      const { mean, variance } = tf.moments(t, -1, true); // [4, 1] each
      return tf.sum(tf.mul(tf.sub(t, mean), tf.rsqrt(tf.add(variance, 1e-5)))); // []
    };
    const got = await tf.grad(f)(x).data();
    expect(Array.from(got).every(Number.isFinite)).toBe(true);
    // Against central differences: independent of both gradient formulas.
    const eps = 1e-2;
    const base = Float32Array.from(await x.data());
    for (const k of [0, 9, 27]) {
      const plus = base.slice();
      const minus = base.slice();
      plus[k] += eps;
      minus[k] -= eps;
      const fd = ((await f(tf.tensor2d(plus, [4, 7])).data())[0] - (await f(tf.tensor2d(minus, [4, 7])).data())[0]) / (2 * eps);
      expect(got[k]).toBeCloseTo(fd, 1);
    }
  });
});

describe('webgpu-only speed patches stay off elsewhere', () => {
  afterAll(async () => {
    await resolveBackend('cpu', { env: {}, log });
  });

  it('has no fused optimizer on cpu or wasm', async () => {
    await resolveBackend('cpu', { env: {}, log });
    expect(fusedOptimizer()).toBeUndefined();
    await resolveBackend('wasm', { env: {}, log });
    expect(fusedOptimizer()).toBeUndefined();
  });
});

describe('ASYMFLOW_TFJS_FLAGS', () => {
  it('sets registered flags with typed values and names bad entries', () => {
    const before = tf.env().getBool('DEBUG');
    applyTfjsFlags('DEBUG=false');
    expect(tf.env().getBool('DEBUG')).toBe(false);
    applyTfjsFlags(`DEBUG=${before}`);
    expect(() => applyTfjsFlags('DEBUG')).toThrow("ASYMFLOW_TFJS_FLAGS: 'DEBUG' is not NAME=value");
    expect(() => applyTfjsFlags('NO_SUCH_FLAG=1')).toThrow(/^ASYMFLOW_TFJS_FLAGS: .*NO_SUCH_FLAG/);
  });
});
