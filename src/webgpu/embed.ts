/**
 * The text embedding tokEmb[ids] + textPos[positions] as one custom-gradient op on webgpu (issue 9):
 * forward one gather-add dispatch, backward the two embedding-table gradients straight from dy with our
 * segment sum (segment-sum.ts). Through tf.gather each table's gradient was Reshape ×2, Transpose ×2
 * (identity permutations, yet full copies of the [B·T, d] gradient and of the table), UnsortedSegmentSum and
 * the Add's bookkeeping, plus saved copies in the forward. Values are those of gather then add (one f32 add;
 * ids outside a table read 0 there, as tfjs-webgpu's gather does). ASYMFLOW_FUSED_EMBED=0 keeps tf.gather;
 * parity: bench/checks/fused-parity.ts `embedRel`.
 */
import * as tf from '@tensorflow/tfjs';
import { segmentSum } from './segment-sum.ts';
import { asTensor, bufferOf, dispatch, newOutput, pipeline, view, type Backend } from './raw.ts';
import { keptSizes } from './bindings.ts';

const WORKGROUP = 256;

const GATHER_ADD_WGSL = /* wgsl */ `
struct U { n: u32, d: u32, tokens: u32, positions: u32 }
@group(0) @binding(0) var<storage, read_write> out: array<f32>;
@group(0) @binding(1) var<storage, read> tok: array<f32>;
@group(0) @binding(2) var<storage, read> pos: array<f32>;
@group(0) @binding(3) var<storage, read> ids: array<i32>;
@group(0) @binding(4) var<storage, read> positions: array<i32>;
@group(0) @binding(5) var<uniform> u: U;

@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let e = gid.x + gid.y * groups.x * ${WORKGROUP}u;
  if (e >= u.n * u.d) { return; }
  let r = e / u.d;
  let c = e % u.d;
  let i = ids[r];
  let p = positions[r];
  var a = 0.0;
  var b = 0.0;
  if (i >= 0 && u32(i) < u.tokens) { a = tok[u32(i) * u.d + c]; }
  if (p >= 0 && u32(p) < u.positions) { b = pos[u32(p) * u.d + c]; }
  out[e] = a + b;
}`;

let enabled = true;

/** ASYMFLOW_FUSED_EMBED=0 turns the op off (model/forward.ts then uses tf.gather + tf.add). */
export function setFusedEmbed(on: boolean): void {
  enabled = on;
}

/** The op applies: on, float32 tables of the same width, int32 ids and positions of the same shape. */
export function embedFusedApplies(tok: tf.Tensor2D, pos: tf.Tensor2D, ids: tf.Tensor, positions: tf.Tensor): boolean {
  return (
    enabled &&
    tok.dtype === 'float32' &&
    pos.dtype === 'float32' &&
    tok.shape[1] === pos.shape[1] &&
    ids.dtype === 'int32' &&
    positions.dtype === 'int32' &&
    ids.shape.join() === positions.shape.join() &&
    ids.size > 0
  );
}

/** tok [V, d], pos [P, d], ids/positions int32 [...] → tok[ids] + pos[positions], [..., d], on the webgpu backend `b`. */
export function embedTextFused(b: Backend, tok: tf.Tensor2D, pos: tf.Tensor2D, ids: tf.Tensor, positions: tf.Tensor): tf.Tensor {
  const [tokens, d] = tok.shape;
  const rows = ids.size;
  const f = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [ts, ps, is, qs] = args as tf.Tensor[];
    (args[4] as tf.GradSaveFunc)([is, qs]);
    const out = newOutput(b, [...is.shape, d]);
    const uniforms = keptSizes(b, [rows, d, tokens, ps.shape[0]]);
    dispatch(
      b,
      pipeline(b, 'embedGatherAdd', GATHER_ADD_WGSL),
      [out, ts, ps, is, qs].map((t) => ({ buffer: bufferOf(b, t) })).concat([uniforms]),
      Math.ceil((rows * d) / WORKGROUP),
    );
    return {
      value: asTensor(out), // [..., d]
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [i0, q0] = saved;
        const rowsOfDy = view(dy, [rows, d]);
        const dTok = asTensor(segmentSum(b, rowsOfDy, i0, tokens, d)); // [V, d]
        const dPos = asTensor(segmentSum(b, rowsOfDy, q0, ps.shape[0], d)); // [P, d]
        // ids and positions are int32 constants, on no path from a variable: tfjs never reads their entries, but
        // customGrad wants one tensor per input.
        return [dTok, dPos, i0, q0];
      },
    };
  });
  return f(tok, pos, ids, positions);
}
