/**
 * Exact GELU on webgpu as one WGSL kernel forward, 0.5·x·(1 + erf(x/√2)), and one backward,
 * dy·(Φ(x) + x·φ(x)), instead of ~5 and ~10 tfjs kernels (issue 9). erf is tfjs-webgpu's own
 * Abramowitz–Stegun approximation (same constants), and the backward uses the exact derivative of erf,
 * as tfjs's Erf gradient does. Only used when fusedBackend() is set; parity in bench/checks/fused-parity.ts.
 */
import * as tf from '@tensorflow/tfjs';
import { asTensor, bufferOf, dispatch, newOutput, pipeline, type Backend } from './raw.ts';
import { keptSizes } from './bindings.ts';

const WORKGROUP = 256;

/** WGSL erf_as(a): tfjs-webgpu's erf (also the decode step's fused FFN, rows-linear.ts). */
export const ERF = /* wgsl */ `
fn erf_as(a: f32) -> f32 {
  let t = 1.0 / (1.0 + 0.3275911 * abs(a));
  let poly = ((((1.061405429 * t + -1.453152027) * t) + 1.421413741) * t + -0.284496736) * t + 0.254829592;
  return sign(a) * (1.0 - poly * t * exp(-abs(a) * abs(a)));
}`;

const HEADER = /* wgsl */ `
struct U { n: u32, pad0: u32, pad1: u32, pad2: u32 }
@group(0) @binding(0) var<storage, read_write> out: array<f32>;
@group(0) @binding(1) var<storage, read> x: array<f32>;`;

const FORWARD_WGSL = /* wgsl */ `${HEADER}
@group(0) @binding(2) var<uniform> u: U;
${ERF}
@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = gid.x + gid.y * groups.x * ${WORKGROUP}u;
  if (i >= u.n) { return; }
  let v = x[i];
  out[i] = v * (0.5 * (1.0 + erf_as(v * ${Math.SQRT1_2})));
}`;

const BACKWARD_WGSL = /* wgsl */ `${HEADER}
@group(0) @binding(2) var<storage, read> dy: array<f32>;
@group(0) @binding(3) var<uniform> u: U;
${ERF}
@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = gid.x + gid.y * groups.x * ${WORKGROUP}u;
  if (i >= u.n) { return; }
  let v = x[i];
  let cdf = 0.5 * (1.0 + erf_as(v * ${Math.SQRT1_2}));
  let pdf = exp(-0.5 * v * v) * ${1 / Math.sqrt(2 * Math.PI)};
  out[i] = dy[i] * (cdf + v * pdf);
}`;

function run(b: Backend, name: string, code: string, inputs: tf.Tensor[]): tf.Tensor {
  const n = inputs[0].size;
  const out = newOutput(b, [...inputs[0].shape]);
  const uniforms = keptSizes(b, [n, 0, 0, 0]);
  dispatch(b, pipeline(b, name, code), [{ buffer: bufferOf(b, out) }, ...inputs.map((t) => ({ buffer: bufferOf(b, t) })), uniforms], Math.ceil(n / WORKGROUP));
  return asTensor(out);
}

/** GELU of a non-empty float32 tensor on the webgpu backend `b`: [...] → [...]. */
export function geluFused(b: Backend, x: tf.Tensor): tf.Tensor {
  const f = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const xs = args[0] as tf.Tensor;
    (args[1] as tf.GradSaveFunc)([xs]);
    return {
      value: run(b, 'geluForward', FORWARD_WGSL, [xs]), // [...]
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => run(b, 'geluBackward', BACKWARD_WGSL, [saved[0], dy]), // [...]
    };
  });
  return f(x);
}
