/**
 * The training loss's head as one custom-gradient op on webgpu (issue 9): log softmax(h·headᵀ)[target] for
 * hidden states h [..., d], i.e. logits (our matmul), then one thread per row for the max, Σ exp, the
 * log-sum-exp and the target's log-prob. Backward: dz = dlogp·(onehot(target) − exp(z − lse)) in one
 * elementwise dispatch, then dh and the head's gradient through our matmul. Through tfjs ops this was
 * Reshape, BatchMatMul, OneHot, Cast, Multiply, Sum, Max, Sub, Exp, Sum, Log, Add, Sub forward and about
 * 30 kernels backward, with saved copies of each input. Same formula as model/logprobs.ts's reference (picked
 * logit − (log Σ exp(z − max) + max)); sums in another order, so f32 rounding apart. A target outside the
 * vocabulary picks 0, as tf.oneHot's all-zero row does. ASYMFLOW_FUSED_LOGPROBS=0 keeps the tfjs ops;
 * parity: bench/checks/fused-parity.ts `headLogprobsRel` (tied and untied head).
 */
import * as tf from '@tensorflow/tfjs';
import { matmulOwn, ownMatmulFits, ownMatmulInstalled } from './matmul.ts';
import { asTensor, bufferOf, dispatch, newOutput, pipeline, saveForGradient, view, type Backend, type Info } from './raw.ts';
import { keptSizes } from './bindings.ts';

const WORKGROUP = 256;

const FORWARD_WGSL = /* wgsl */ `
struct U { rows: u32, vocab: u32, pad0: u32, pad1: u32 }
@group(0) @binding(0) var<storage, read_write> logp: array<f32>;
@group(0) @binding(1) var<storage, read_write> lse: array<f32>;
@group(0) @binding(2) var<storage, read> z: array<f32>;
@group(0) @binding(3) var<storage, read> targets: array<i32>;
@group(0) @binding(4) var<uniform> u: U;

@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let r = gid.x + gid.y * groups.x * ${WORKGROUP}u;
  if (r >= u.rows) { return; }
  let base = r * u.vocab;
  var m = z[base];
  for (var v = 1u; v < u.vocab; v++) { m = max(m, z[base + v]); }
  var s = 0.0;
  for (var v = 0u; v < u.vocab; v++) { s += exp(z[base + v] - m); }
  let l = log(s) + m;
  let t = targets[r];
  var picked = 0.0;
  if (t >= 0 && u32(t) < u.vocab) { picked = z[base + u32(t)]; }
  lse[r] = l;
  logp[r] = picked - l;
}`;

const BACKWARD_WGSL = /* wgsl */ `
struct U { rows: u32, vocab: u32, pad0: u32, pad1: u32 }
@group(0) @binding(0) var<storage, read_write> dz: array<f32>;
@group(0) @binding(1) var<storage, read> z: array<f32>;
@group(0) @binding(2) var<storage, read> lse: array<f32>;
@group(0) @binding(3) var<storage, read> targets: array<i32>;
@group(0) @binding(4) var<storage, read> dlogp: array<f32>;
@group(0) @binding(5) var<uniform> u: U;

@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let e = gid.x + gid.y * groups.x * ${WORKGROUP}u;
  if (e >= u.rows * u.vocab) { return; }
  let r = e / u.vocab;
  let v = e % u.vocab;
  var hit = 0.0;
  if (targets[r] == i32(v)) { hit = 1.0; }
  dz[e] = dlogp[r] * (hit - exp(z[e] - lse[r]));
}`;

let enabled = true;

/** ASYMFLOW_FUSED_LOGPROBS=0 turns the op off (model/logprobs.ts then uses the tfjs ops). */
export function setFusedLogprobs(on: boolean): void {
  enabled = on;
}

/** [n, V] and [d, V] (or [V, d] and [V, d] when tied) sizes of the head: vocabulary and width. */
const headSize = (table: tf.Tensor2D, tied: boolean): [number, number] => (tied ? table.shape : [table.shape[1], table.shape[0]]);

/** The op applies: on, our matmul installed, float32, and the three products (z, dh, dhead) are ours. */
export function headLogprobsApplies(h: tf.Tensor, table: tf.Tensor2D, tied: boolean, targets: tf.Tensor): boolean {
  const [vocab, d] = headSize(table, tied);
  const rows = h.size / d;
  return (
    enabled &&
    ownMatmulInstalled() &&
    h.dtype === 'float32' &&
    table.dtype === 'float32' &&
    targets.dtype === 'int32' &&
    h.shape[h.rank - 1] === d &&
    targets.size === rows &&
    ownMatmulFits(rows, vocab, d) &&
    ownMatmulFits(rows, d, vocab) &&
    ownMatmulFits(tied ? vocab : d, tied ? d : vocab, rows)
  );
}

function product(b: Backend, a: Info, bm: Info, transposeA: boolean, transposeB: boolean): Info {
  const out = matmulOwn(b, a, bm, transposeA, transposeB);
  if (!out) throw new Error(`headLogprobsFused: matmul [${a.shape}]·[${bm.shape}] not taken`);
  return out;
}

function rowsDispatch(b: Backend, name: string, code: string, buffers: Info[], rows: number, vocab: number, threads: number): void {
  const uniforms = keptSizes(b, [rows, vocab, 0, 0]);
  dispatch(b, pipeline(b, name, code), [...buffers.map((t) => ({ buffer: bufferOf(b, t) })), uniforms], Math.ceil(threads / WORKGROUP));
}

/**
 * log p(target | h) under logits z = h·tableᵀ (tied: table is the token embedding [V, d]) or h·table
 * (untied head [d, V]): h [..., d], targets int32 [...] → [...], on the webgpu backend `b` (check
 * headLogprobsApplies first). Gradients for h and the table.
 */
export function headLogprobsFused(b: Backend, h: tf.Tensor, table: tf.Tensor2D, tied: boolean, targets: tf.Tensor): tf.Tensor {
  const [vocab, d] = headSize(table, tied);
  const rows = h.size / d;
  const f = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [hs, ts, targetsIn] = args as tf.Tensor[];
    const z = product(b, view(hs, [rows, d]), ts, false, tied); // [rows, V]
    const logp = newOutput(b, [...targetsIn.shape]);
    const lse = newOutput(b, [rows]);
    rowsDispatch(b, 'headLogprobs', FORWARD_WGSL, [logp, lse, z, targetsIn], rows, vocab, rows);
    const kept = saveForGradient(args[3] as tf.GradSaveFunc, [hs, ts, targetsIn, asTensor(z), asTensor(lse)]);
    return {
      value: asTensor(logp), // [...]
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [h0, t0, targets0, z0, lse0] = kept(saved);
        const dz = newOutput(b, [rows, vocab]);
        rowsDispatch(b, 'headLogprobsBackward', BACKWARD_WGSL, [dz, z0, lse0, targets0, dy], rows, vocab, rows * vocab);
        const h2 = view(h0, [rows, d]);
        const dh = product(b, dz, t0, false, !tied); // [rows, d]
        const dTable = tied ? product(b, dz, h2, true, false) : product(b, h2, dz, true, false); // [V, d] or [d, V]
        tf.dispose(asTensor(dz)); // released once the queued work is done
        // targets are int32 constants, on no path from a variable: tfjs never reads this entry, but customGrad
        // wants one tensor per input.
        return [asTensor(view(dh, [...h0.shape])), asTensor(dTable), targets0];
      },
    };
  });
  return f(h, table, targets);
}
