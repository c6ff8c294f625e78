/**
 * Per-dispatch cost of tfjs-webgpu on this device (issue 9): long chains of tiny and large elementwise ops,
 * ops with a JS-number operand (a scalar tensor uploaded per op), a read-back round trip, and the matmul
 * shapes of a training step. One JSON line per case; tune with ASYMFLOW_TFJS_FLAGS.
 *
 *   node .device/dispatch.mjs --backend webgpu [--n 2000]
 */
import * as tf from '@tensorflow/tfjs';
import { resolveBackend } from '../src/model/backend.ts';
import { flags, round } from './bench-util.ts';

const arg = flags();
const n = Number(arg('n', '2000'));
const backend = await resolveBackend(arg('backend', ''));

/** Runs `body` n times (each step replaces x) and waits for the result: ms per step. */
async function chain(shape: number[], steps: number, body: (x: tf.Tensor, y: tf.Tensor) => tf.Tensor): Promise<number> {
  const y = tf.randomUniform(shape);
  let x = tf.randomUniform(shape);
  for (let warm = 0; warm < 2; warm++) {
    const next = tf.tidy(() => body(x, y));
    x.dispose();
    x = next;
  }
  await x.data();
  const t0 = performance.now();
  for (let i = 0; i < steps; i++) {
    const next = tf.tidy(() => body(x, y));
    x.dispose();
    x = next;
  }
  await x.data();
  const ms = (performance.now() - t0) / steps;
  tf.dispose([x, y]);
  return ms;
}

const report = (what: string, extra: Record<string, unknown>) =>
  console.log(JSON.stringify({ what, flags: process.env.ASYMFLOW_TFJS_FLAGS ?? '', ...extra }));

report('add_256', { ms_per_op: round(await chain([256], n, (x, y) => tf.add(x, y)), 4) });
report('add_16384x256', { ms_per_op: round(await chain([16384, 256], n / 4, (x, y) => tf.add(x, y)), 4) });
report('mul_scalar_256', { ms_per_op: round(await chain([256], n, (x) => tf.mul(x, 0.999)), 4) });
{
  const x = tf.randomUniform([256]);
  await x.data();
  const t0 = performance.now();
  for (let i = 0; i < 50; i++) {
    const y = tf.add(x, 1);
    await y.data();
    y.dispose();
  }
  report('roundtrip_256', { ms_per_op: round((performance.now() - t0) / 50, 4) });
  x.dispose();
}
for (const [m, k, nn] of [[16384, 256, 256], [16384, 256, 1024], [16384, 1024, 256], [256, 16384, 256], [19104, 512, 512]]) {
  const a = tf.randomUniform([m, k]);
  const w = tf.randomUniform([k, nn]);
  const ms = await chain([1], 20, (x) => tf.add(x, tf.sum(tf.slice(tf.matMul(a, w), [0, 0], [1, 1])))) ;
  report('matmul', { m, k, n: nn, ms_per_op: round(ms, 3), tflops: round((2 * m * k * nn) / (ms * 1e9), 2) });
  tf.dispose([a, w]);
}
report('memory', { ...tf.memory(), gpu_errors: backend.gpuErrors().length });
await backend.dispose();
