/**
 * Fused prefix-LM attention on webgpu (issue 9): softmax(q·kᵀ/√dh + mask + keyBias)·v as one WGSL kernel
 * forward and two backward, flash-attention style, instead of ~10 tfjs kernels each way over [B, H, L, L]
 * scores (~180 MB per layer at `small`). Nothing of size L² is ever stored:
 *
 *   forward : one thread per query row, 64 rows a workgroup; K/V tiles of T keys in workgroup memory;
 *             online softmax (running max m and sum l per row); writes O and lse = m + log l.
 *   dq      : two threads per query row, 64 rows a workgroup, over tiles of T keys in two phases: one
 *             thread p = exp(s − lse), the other dp = dO·v − D with D = dO·O (written out for the next
 *             kernel), both into workgroup memory; then each adds half of dQ = scale·Σ p·dp·k. Each thread
 *             holds one of q, dO and half of dQ (24 vec4 of registers, was 48 with one thread per row:
 *             ASYMFLOW_DQ_PAIRED=0, also used when dh is not a multiple of 8), so twice the warps fit an SM.
 *   dkdv    : 128 threads per 64 keys over tiles of T queries (q, dO, lse, D) in workgroup memory, in two
 *             phases a tile: threads 0–63 p = exp(k·q + bias − lse) while threads 64–127 dp = v·dO − D, both
 *             into workgroup memory; then threads 0–63 dV += p·dO and threads 64–127 dK += p·dp·q. Each
 *             thread holds one of k, v (32 vec4 fewer registers) and does 32 of the 64 vec4 FMA per
 *             (query, key); the earlier split (threads 0–63 dV, 64–127 dK, both computing p) had 32 / 48 of 80
 *             and took 3.6 against 3.3 ms at `small` on the H100 (bench/README), so it was removed. Same
 *             values bit for bit. No atomics: deterministic.
 *
 * q, k, v, O and their gradients stay in the linear layers' [B, L, H·dh] layout (head h at columns
 * h·dh…), so the split/merge-heads transposes are gone too. The mask is the one prefixLmBias builds: key j
 * is visible to query i when j < prefix (image) or j ≤ i (causal text); masked pairs are skipped (the
 * reference adds MASKED = −1e4, whose exp is exactly 0), key blocks wholly masked for a query block are
 * never visited. keyBias [B, L] (padding keys: MASKED) is added to the scores as the reference adds it.
 * Only used when fusedBackend() is set (webgpu); parity in bench/checks/fused-parity.ts and bench/parity.ts.
 * Under mixed precision on a device with subgroup matrices all three run on the tensor cores instead
 * (attention-tc.ts: f16 operands, f32 softmax and accumulation; tests in test/lavapipe).
 */
import * as tf from '@tensorflow/tfjs';
import { dkdvBalancedWgsl, dqPairedWgsl, dqWgsl } from './attention-backward-wgsl.ts';
import { forwardWgsl, ROWS } from './attention-wgsl.ts';
import { asTensor, bufferOf, dispatch, newOutput, pipeline, type Backend, type Info } from './raw.ts';
import { keptUniforms, type UniformField } from './bindings.ts';
import { attentionBackwardTc, attentionForwardTc, tcAttentionPlan } from './attention-tc.ts';

let enabled = true;
let pairedDq = true;

/** ASYMFLOW_DQ_PAIRED=0: the earlier dq kernel, one thread per query row (A/B runs). Returns the previous setting. */
export function setPairedDq(on: boolean): boolean {
  const was = pairedDq;
  pairedDq = on;
  return was;
}

/** ASYMFLOW_FUSED_ATTENTION=0 turns the fused attention off in the model (A/B runs); the kernels stay testable. */
export function setFusedAttention(on: boolean): void {
  enabled = on;
}

/** The model takes the fused attention: enabled, and dh a multiple of 4 (rows are read as vec4), ≤ 128. */
export const attentionFusedApplies = (dh: number): boolean => enabled && headSizeOk(dh);
const headSizeOk = (dh: number): boolean => dh % 4 === 0 && dh >= 4 && dh <= 128;

/**
 * Rows of K/V (forward, dq) or of q/dO (dkdv) per workgroup-memory tile that fit the device's limit, with
 * `perRow` more floats a row (the balanced dkdv's p and dp for its 2·ROWS threads).
 */
function tileRows(b: Backend, dh: number, perRow = 0): number {
  const limit = Math.min(b.device.limits.maxComputeWorkgroupStorageSize, 32768);
  for (const t of [32, 16, 8]) if (2 * t * dh * 4 + 2 * t * 4 + t * perRow * 4 <= limit) return t;
  return 4;
}

interface Geometry {
  readonly dh: number;
  readonly tile: number;
  /** The kernels' uniforms (kept: keptUniforms in bindings.ts). */
  readonly uniforms: () => GPUBufferBinding;
  readonly groups: number;
  readonly shape: number[]; // [B, L, d]
  readonly lseShape: number[]; // [B·H, L]
}

function geometry(b: Backend, x: tf.Tensor, heads: number, prefix: number, hasBias: boolean): Geometry {
  const [batch, l, d] = x.shape;
  const dh = d / heads;
  const qBlocks = Math.ceil(l / ROWS);
  const total = batch * heads * qBlocks;
  const uniforms = () =>
    keptUniforms(b, [
      ...[l, heads, prefix, qBlocks, total, hasBias ? 1 : 0].map((v): UniformField => ({ type: 'uint32', data: [v] })),
      { type: 'float32', data: [1 / Math.sqrt(dh)] },
      { type: 'uint32', data: [0] },
    ]);
  return { dh, tile: tileRows(b, dh), uniforms, groups: total, shape: [batch, l, d], lseShape: [batch * heads, l] };
}

const bind = (b: Backend, ts: Info[]): GPUBufferBinding[] => ts.map((t) => ({ buffer: bufferOf(b, t) }));

/**
 * Prefix-LM attention of q, k, v [B, L, H·dh] (heads side by side in the last axis, as the linear layers
 * give them) with `prefix` fully visible image keys and optional keyBias [B, L] added to every query's
 * scores: → [B, L, H·dh], the heads merged. Gradients for q, k, v (keyBias is a constant).
 */
export function attentionFused(b: Backend, q: tf.Tensor3D, k: tf.Tensor3D, v: tf.Tensor3D, heads: number, prefix: number, keyBias?: tf.Tensor2D): tf.Tensor3D {
  const [batch, l, d] = q.shape;
  if (d % heads !== 0 || !headSizeOk(d / heads) || l === 0 || batch === 0) {
    throw new Error(`attentionFused: unsupported shape [${q.shape}] with ${heads} heads`);
  }
  if (keyBias && (keyBias.shape[0] !== batch || keyBias.shape[1] !== l)) throw new Error(`attentionFused: keyBias [${keyBias.shape}], want [${batch}, ${l}]`);
  // A one-element stand-in when there is no key bias (hasBias = 0: never read).
  const kb: tf.Tensor = keyBias ?? tf.zeros([1]);
  const f = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [qs, ks, vs] = args as tf.Tensor3D[];
    const save = args[3] as tf.GradSaveFunc;
    const geo = geometry(b, qs, heads, prefix, keyBias !== undefined);
    // The tensor cores (mixed precision) for the forward and both backward kernels, or fp32 for all three.
    const plan = tcAttentionPlan(b, geo.dh);
    const sizes = { shape: geo.shape, heads, prefix, hasBias: keyBias !== undefined };
    let out: Info, lse: Info;
    if (plan) ({ out, lse } = attentionForwardTc(b, plan, sizes, qs, ks, vs, kb));
    else {
      out = newOutput(b, geo.shape);
      lse = newOutput(b, geo.lseShape);
      dispatch(
        b,
        pipeline(b, `attention${geo.dh}x${geo.tile}`, () => forwardWgsl(geo.dh / 4, geo.tile)),
        [...bind(b, [out, lse, qs, ks, vs, kb]), geo.uniforms()],
        geo.groups,
      );
    }
    const o = asTensor<tf.Tensor3D>(out);
    save([qs, ks, vs, o, asTensor(lse)]);
    return {
      value: o, // [B, L, d]
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [q0, k0, v0, o0, lse0] = saved;
        if (plan) {
          const g = attentionBackwardTc(b, plan, sizes, { q: q0, k: k0, v: v0, o: o0, lse: lse0, kb }, dy);
          tf.dispose(asTensor(g.dsum));
          return [asTensor(g.dq), asTensor(g.dk), asTensor(g.dv)];
        }
        const g = geometry(b, q0, heads, prefix, keyBias !== undefined);
        const dq = newOutput(b, g.shape);
        const dsum = newOutput(b, g.lseShape);
        const pairedTile = tileRows(b, g.dh, 2 * ROWS);
        const dqKernel =
          pairedDq && g.dh % 8 === 0
            ? pipeline(b, `attentionDqPaired${g.dh}x${pairedTile}`, () => dqPairedWgsl(g.dh / 4, pairedTile))
            : pipeline(b, `attentionDq${g.dh}x${g.tile}`, () => dqWgsl(g.dh / 4, g.tile));
        dispatch(b, dqKernel, [...bind(b, [dq, dsum, q0, k0, v0, o0, dy, lse0, kb]), g.uniforms()], g.groups);
        const dk = newOutput(b, g.shape);
        const dv = newOutput(b, g.shape);
        const kernel = pipeline(b, `attentionDkdvBalanced${g.dh}x${pairedTile}`, () => dkdvBalancedWgsl(g.dh / 4, pairedTile));
        dispatch(b, kernel, [...bind(b, [dk, dv, q0, k0, v0, dy, lse0, dsum, kb]), g.uniforms()], g.groups);
        tf.dispose(asTensor(dsum));
        return [asTensor(dq), asTensor(dk), asTensor(dv)];
      },
    };
  });
  return f(q, k, v) as tf.Tensor3D;
}
