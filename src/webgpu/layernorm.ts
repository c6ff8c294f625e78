/**
 * LayerNorm on webgpu as one WGSL kernel forward (one workgroup per row: mean, centred variance, scale and
 * shift) instead of ~10 tfjs kernels, and one backward kernel per row (dx and dy·x̂) plus two column sums
 * for the gain and shift gradients instead of ~15 (issue 9). Same formula as
 * model/layers.ts layerNorm (biased variance, eps inside the rsqrt); only used when fusedBackend() is set, so
 * cpu/wasm keep the reference ops. Parity: bench/checks/fused-parity.ts and bench/parity.ts (whole model, cpu vs webgpu).
 */
import * as tf from '@tensorflow/tfjs';
import { sumRows } from './colsum.ts';
import { asTensor, bufferOf, dispatch, newOutput, pipeline, saveForGradient, type Backend } from './raw.ts';
import { keptUniforms } from './bindings.ts';

export const LANES = 64;

/**
 * WGSL that sums each of the workgroup arrays `arrays` into its element 0 (a tree over LANES lanes). Text, not
 * a WGSL function: GLSL (Dawn's GLES path in CI) forbids barriers inside called functions.
 */
function treeSum(...arrays: string[]): string {
  const adds = arrays.map((a) => `${a}[lane] += ${a}[lane + stride];`).join(' ');
  return `  workgroupBarrier();
  for (var stride = ${LANES / 2}u; stride > 0u; stride = stride / 2u) {
    if (lane < stride) { ${adds} }
    workgroupBarrier();
  }`;
}

/**
 * WGSL defining `mean` and `rstd` of the row at `base` (forward and backward recompute the same statistics;
 * the decode step's matmuls fold the forward into their input load, rows-linear.ts). Needs `lane`,
 * `x`, `u.d`, `u.eps` and a workgroup array `red` of LANES.
 */
export const ROW_MEAN_RSTD = `  var s = 0.0;
  for (var i = lane; i < u.d; i += ${LANES}u) { s += x[base + i]; }
  red[lane] = s;
${treeSum('red')}
  let mean = red[0] / f32(u.d);
  workgroupBarrier();
  var q = 0.0;
  for (var i = lane; i < u.d; i += ${LANES}u) { let c = x[base + i] - mean; q += c * c; }
  red[lane] = q;
${treeSum('red')}
  let rstd = inverseSqrt(red[0] / f32(u.d) + u.eps);`;

/** Forward LayerNorm, one workgroup of LANES per row: y, x, gain, shift, U { rows, d, eps, pad } (also decode.ts). */
export const LAYER_NORM_WGSL = /* wgsl */ `
struct U { rows: u32, d: u32, eps: f32, pad: u32 }
@group(0) @binding(0) var<storage, read_write> y: array<f32>;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> gain: array<f32>;
@group(0) @binding(3) var<storage, read> shift: array<f32>;
@group(0) @binding(4) var<uniform> u: U;
var<workgroup> red: array<f32, ${LANES}>;

// No early return and barriers only in main: GLSL (Dawn's GLES path in CI) forbids barriers after a
// return or inside called functions.
@compute @workgroup_size(${LANES})
fn main(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let row = wid.x + wid.y * groups.x;
  let live = row < u.rows;
  let base = select(0u, row * u.d, live);
  let lane = lid.x;
${ROW_MEAN_RSTD}
  if (live) {
    for (var i = lane; i < u.d; i += ${LANES}u) { y[base + i] = ((x[base + i] - mean) * rstd) * gain[i] + shift[i]; }
  }
}`;

/** dx and dy·x̂ per row: dx = rstd·(dy·g − mean(dy·g) − x̂·mean(dy·g·x̂)). */
const LAYER_NORM_BACKWARD_WGSL = /* wgsl */ `
struct U { rows: u32, d: u32, eps: f32, pad: u32 }
@group(0) @binding(0) var<storage, read_write> dx: array<f32>;
@group(0) @binding(1) var<storage, read_write> dyxhat: array<f32>;
@group(0) @binding(2) var<storage, read> x: array<f32>;
@group(0) @binding(3) var<storage, read> gain: array<f32>;
@group(0) @binding(4) var<storage, read> dy: array<f32>;
@group(0) @binding(5) var<uniform> u: U;
var<workgroup> red: array<f32, ${LANES}>;
var<workgroup> red2: array<f32, ${LANES}>;

// Same rules as the forward: no early return, barriers only in main (GLES).
@compute @workgroup_size(${LANES})
fn main(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let row = wid.x + wid.y * groups.x;
  let live = row < u.rows;
  let base = select(0u, row * u.d, live);
  let lane = lid.x;
  let n = f32(u.d);
${ROW_MEAN_RSTD}
  workgroupBarrier();
  var a = 0.0;
  var c = 0.0;
  for (var i = lane; i < u.d; i += ${LANES}u) {
    let dyg = dy[base + i] * gain[i];
    a += dyg;
    c += dyg * ((x[base + i] - mean) * rstd);
  }
  red[lane] = a;
  red2[lane] = c;
${treeSum('red', 'red2')}
  let meanA = red[0] / n;
  let meanC = red2[0] / n;
  if (live) {
    for (var i = lane; i < u.d; i += ${LANES}u) {
      let xhat = (x[base + i] - mean) * rstd;
      let g = dy[base + i];
      dx[base + i] = rstd * ((g * gain[i] - meanA) - xhat * meanC);
      dyxhat[base + i] = g * xhat;
    }
  }
}`;

/** [dx [..., d], dy·x̂ [..., d]] of LayerNorm at x with gain g, for upstream gradient dy. */
function backward(b: Backend, x: tf.Tensor, g: tf.Tensor, dy: tf.Tensor, eps: number): [tf.Tensor, tf.Tensor] {
  const d = x.shape[x.rank - 1];
  const rows = x.size / d;
  const dx = newOutput(b, [...x.shape]);
  const dyxhat = newOutput(b, [...x.shape]);
  const uniforms = keptUniforms(b, [
    { type: 'uint32', data: [rows] },
    { type: 'uint32', data: [d] },
    { type: 'float32', data: [eps] },
    { type: 'uint32', data: [0] },
  ]);
  dispatch(
    b,
    pipeline(b, 'layerNormBackward', LAYER_NORM_BACKWARD_WGSL),
    [
      { buffer: bufferOf(b, dx) },
      { buffer: bufferOf(b, dyxhat) },
      { buffer: bufferOf(b, x) },
      { buffer: bufferOf(b, g) },
      { buffer: bufferOf(b, dy) },
      uniforms,
    ],
    rows,
  );
  return [asTensor(dx), asTensor(dyxhat)];
}

function forward(b: Backend, x: tf.Tensor, g: tf.Tensor1D, shift: tf.Tensor1D, eps: number): tf.Tensor {
  const d = x.shape[x.rank - 1];
  const rows = x.size / d;
  const out = newOutput(b, [...x.shape]);
  const uniforms = keptUniforms(b, [
    { type: 'uint32', data: [rows] },
    { type: 'uint32', data: [d] },
    { type: 'float32', data: [eps] },
    { type: 'uint32', data: [0] },
  ]);
  dispatch(
    b,
    pipeline(b, 'layerNorm', LAYER_NORM_WGSL),
    [{ buffer: bufferOf(b, out) }, { buffer: bufferOf(b, x) }, { buffer: bufferOf(b, g) }, { buffer: bufferOf(b, shift) }, uniforms],
    rows,
  );
  return asTensor(out);
}

/** LayerNorm over the last axis, [..., d] → [..., d], for the webgpu backend `b` (x, g, b float32). */
export function layerNormFused(b: Backend, x: tf.Tensor, g: tf.Tensor1D, shift: tf.Tensor1D, eps: number): tf.Tensor {
  if (x.dtype !== 'float32' || x.size === 0) throw new Error(`layerNormFused: needs a non-empty float32 input, got ${x.dtype} [${x.shape}]`);
  const f = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [xs, gs, bs] = args as tf.Tensor[];
    const kept = saveForGradient(args[3] as tf.GradSaveFunc, [xs, gs]);
    return {
      value: forward(b, xs, gs as tf.Tensor1D, bs as tf.Tensor1D, eps), // [..., d]
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [x0, g0] = kept(saved);
        const d = x0.shape[x0.rank - 1];
        const [dx, dyxhat] = backward(b, x0, g0, dy, eps); // [..., d] each
        return [dx, sumRows(b, dyxhat, d), sumRows(b, dy, d)]; // [..., d], [d], [d]
      },
    };
  });
  return f(x, g, shift);
}
