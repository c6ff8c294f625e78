/**
 * Per-dispatch cost of tfjs-webgpu on this device (issue 9): long chains of tiny and large elementwise ops,
 * ops with a JS-number operand (a scalar tensor uploaded per op), a read-back round trip, and the matmul
 * shapes of a training step. One JSON line per case; tune with ASYMFLOW_TFJS_FLAGS.
 *
 *   node .device/dispatch.mjs --backend webgpu [--n 2000]
 */
import * as tf from '@tensorflow/tfjs';
import { resolveBackend } from '../src/backend/index.ts';
import { flags, round } from './bench-util.ts';
import { keptSizes } from '../src/webgpu/bindings.ts';
import { asTensor, bufferOf, dispatch, internals, newOutput, pipeline } from '../src/webgpu/raw.ts';

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

const report = (what: string, extra: Record<string, unknown>) => console.log(JSON.stringify({ what, flags: process.env.ASYMFLOW_TFJS_FLAGS ?? '', ...extra }));

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
for (const [m, k, nn] of [
  [16384, 256, 256],
  [16384, 256, 1024],
  [16384, 1024, 256],
  [256, 16384, 256],
  [19104, 512, 512],
]) {
  const a = tf.randomUniform([m, k]);
  const w = tf.randomUniform([k, nn]);
  const ms = await chain([1], 20, (x) => tf.add(x, tf.sum(tf.slice(tf.matMul(a, w), [0, 0], [1, 1]))));
  report('matmul', { m, k, n: nn, ms_per_op: round(ms, 3), tflops: round((2 * m * k * nn) / (ms * 1e9), 2) });
  tf.dispose([a, w]);
}
if (backend.name === 'webgpu') await ourDispatchParts();
report('memory', { ...tf.memory(), gpu_errors: backend.gpuErrors().length });

/**
 * Where the CPU time of one of our dispatches goes (src/webgpu/raw.ts dispatch()): µs per call of each part, on a
 * one-workgroup kernel, so the GPU never holds the CPU back. Submits happen every 15 dispatches, as tfjs's.
 */
async function ourDispatchParts(): Promise<void> {
  const b = internals();
  const p = pipeline(
    b,
    'benchAddOne',
    `struct U { n: u32, a: u32, b: u32, c: u32 }
@group(0) @binding(0) var<storage, read_write> out: array<f32>;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<uniform> u: U;
@compute @workgroup_size(64) fn main(@builtin(global_invocation_id) gid: vec3<u32>) { if (gid.x < u.n) { out[gid.x] = x[gid.x] + 1.0; } }`,
  );
  const x = tf.ones([256]);
  const sizes = [256, 0, 0, 0].map((v) => ({ type: 'uint32', data: [v] }));
  const calls = 3000;
  const usPerCall = async (body: () => void): Promise<number> => {
    for (let i = 0; i < 300; i++) body();
    if (b.commandEncoder) {
      b.endComputePassEncoder();
      b.submitQueue();
    }
    await x.data();
    const t0 = performance.now();
    for (let i = 0; i < calls; i++) body();
    const us = ((performance.now() - t0) * 1000) / calls;
    if (b.commandEncoder) {
      b.endComputePassEncoder();
      b.submitQueue();
    }
    await x.data();
    return round(us, 2);
  };
  const out = bufferOf(b, newOutput(b, [256]));
  const input = bufferOf(b, x);
  const kept = keptSizes(b, [256, 0, 0, 0]);
  const layout = p.getBindGroupLayout(0);
  const entries = [
    { binding: 0, resource: { buffer: out } },
    { binding: 1, resource: { buffer: input } },
    { binding: 2, resource: kept },
  ];
  const group = b.device.createBindGroup({ layout, entries });
  const pass = () => {
    b.ensureCommandEncoderReady();
    return (b.computePassEncoder ??= b.commandEncoder!.beginComputePass({}));
  };
  let n = 0;
  const parts = {
    make_uniforms: await usPerCall(() => void b.makeUniforms(sizes)),
    kept_uniforms: await usPerCall(() => void keptSizes(b, [256, 0, 0, 0])),
    get_bind_group_layout: await usPerCall(() => void p.getBindGroupLayout(0)),
    create_bind_group: await usPerCall(() => void b.device.createBindGroup({ layout, entries })),
    set_pipeline_and_group: await usPerCall(() => {
      const e = pass();
      e.setPipeline(p);
      e.setBindGroup(0, group);
    }),
    dispatch_workgroups: await usPerCall(() => {
      const e = pass();
      e.setPipeline(p);
      e.setBindGroup(0, group);
      e.dispatchWorkgroups(1);
    }),
    // The same plus a submit every 15th (per dispatch: a submit's cost / 15).
    with_submits: await usPerCall(() => {
      const e = pass();
      e.setPipeline(p);
      e.setBindGroup(0, group);
      e.dispatchWorkgroups(1);
      if (++n % 15 === 0) {
        b.endComputePassEncoder();
        b.submitQueue();
      }
    }),
    // Everything dispatch() does for a kernel: output tensor, uniforms, bind group (cached or not), submit every 15.
    whole_dispatch: await usPerCall(() => {
      const o = newOutput(b, [256]);
      dispatch(b, p, [{ buffer: bufferOf(b, o) }, { buffer: input }, keptSizes(b, [256, 0, 0, 0])], 1);
      asTensor(o).dispose();
    }),
  };
  report('our_dispatch_parts_us', parts);
  x.dispose();
}
await backend.dispose();
