/**
 * The fused attention on the tensor cores (issue 17): forward, dQ and dK/dV as f16 subgroup-matrix kernels
 * (attention-tc-forward-wgsl.ts, attention-tc-backward-wgsl.ts), used by attention.ts under mixed precision in
 * place of the fp32 kernels, with their bindings and outputs. On when the tensor-core matmuls are
 * (installWebgpuKernels: mixed precision on a device with subgroup matrices) unless ASYMFLOW_TC_ATTENTION=0; a
 * head size the fragment does not divide, or a device whose workgroup memory fits no tile, keeps the fp32 kernels.
 * Kernels are generated for tcShape() (16×16 / 32 lanes on NVIDIA, 8×8 / 8 on lavapipe) and keyed by it.
 */
import { dkdvTcWgsl, dqTcWgsl } from './attention-tc-backward-wgsl.ts';
import { forwardTcWgsl } from './attention-tc-forward-wgsl.ts';
import { tcAttentionLayout, tcAttentionName, tcAttentionTile, tcAttentionTileGap, type TcAttentionKind, type TcAttentionTile } from './attention-tc-layout.ts';
import { keptUniforms, type UniformField } from './bindings.ts';
import { bufferOf, dispatch, newOutput, pipeline, type Backend, type Info } from './raw.ts';
import { tcShape, type TcShape } from './tc-shape.ts';

let enabled = false;
let asked: { sg: number; tk: number } | undefined;

/**
 * Tensor-core attention on or off (installWebgpuKernels: mixed precision); `tile` 'sg,tk'
 * (ASYMFLOW_TC_ATTENTION_TILE, for A/B runs on the device): subgroups per workgroup and rows per tile for each
 * kernel where it fits, else that kernel's first tile that does. Returns the previous on/off setting.
 */
export function setTensorCoreAttention(on: boolean, tile?: string): boolean {
  const was = enabled;
  enabled = on;
  asked = tile ? parseTile(tile) : undefined;
  return was;
}

function parseTile(spec: string): { sg: number; tk: number } {
  const parts = spec.split(',').map(Number);
  if (parts.length !== 2 || parts.some((p) => !Number.isInteger(p) || p < 1)) {
    throw new Error(`ASYMFLOW_TC_ATTENTION_TILE must be 'sg,tk' (subgroups per workgroup, rows per tile), got '${spec}'`);
  }
  return { sg: parts[0] as number, tk: parts[1] as number };
}

/** The three kernels' tiles for head size dh on this device, or undefined (fp32 kernels) when off or none fits. */
export interface TcAttentionPlan {
  readonly shape: TcShape;
  readonly dh: number;
  readonly tiles: Readonly<Record<TcAttentionKind, TcAttentionTile>>;
}

export function tcAttentionPlan(b: Backend, dh: number): TcAttentionPlan | undefined {
  if (!enabled) return undefined;
  const shape = tcShape();
  const limit = b.device.limits.maxComputeWorkgroupStorageSize;
  const [forward, dq, dkdv] = (['forward', 'dq', 'dkdv'] as const).map((kind) => {
    const first = tcAttentionTile(kind, shape, dh, limit);
    const wanted = first && asked ? { ...first, ...asked } : undefined;
    return wanted && tcAttentionTileGap(kind, shape, dh, wanted, limit) === undefined ? wanted : first;
  });
  return forward && dq && dkdv ? { shape, dh, tiles: { forward, dq, dkdv } } : undefined;
}

/** Attention's sizes: [B, L, H·dh], H heads, `prefix` image keys, whether a key bias is bound. */
export interface AttentionSizes {
  readonly shape: number[];
  readonly heads: number;
  readonly prefix: number;
  readonly hasBias: boolean;
}

/** One kernel's pipeline, uniforms (struct U of attention-wgsl.ts, blocks of its rows) and workgroup count. */
function kernel(b: Backend, plan: TcAttentionPlan, kind: TcAttentionKind, sizes: AttentionSizes) {
  const tile = plan.tiles[kind];
  const [batch, l] = sizes.shape as [number, number, number];
  const rows = tcAttentionLayout(kind, plan.shape, plan.dh, tile).rows;
  const blocks = Math.ceil(l / rows);
  const total = batch * sizes.heads * blocks;
  const code = () => (kind === 'forward' ? forwardTcWgsl : kind === 'dq' ? dqTcWgsl : dkdvTcWgsl)(plan.shape, plan.dh, tile);
  const uniforms = keptUniforms(b, [
    ...[l, sizes.heads, sizes.prefix, blocks, total, sizes.hasBias ? 1 : 0].map((v): UniformField => ({ type: 'uint32', data: [v] })),
    { type: 'float32', data: [1 / Math.sqrt(plan.dh)] },
    { type: 'uint32', data: [0] },
  ]);
  return { p: pipeline(b, tcAttentionName(kind, plan.shape, plan.dh, tile), code), uniforms, total };
}

const bind = (b: Backend, ts: Info[]): GPUBufferBinding[] => ts.map((t) => ({ buffer: bufferOf(b, t) }));

/** O [B, L, H·dh] and lse [B·H, L] (forwardWgsl's outputs) on the tensor cores. */
export function attentionForwardTc(b: Backend, plan: TcAttentionPlan, sizes: AttentionSizes, q: Info, k: Info, v: Info, kb: Info): { out: Info; lse: Info } {
  const [batch, l] = sizes.shape as [number, number, number];
  const out = newOutput(b, sizes.shape);
  const lse = newOutput(b, [batch * sizes.heads, l]);
  const f = kernel(b, plan, 'forward', sizes);
  dispatch(b, f.p, [...bind(b, [out, lse, q, k, v, kb]), f.uniforms], f.total);
  return { out, lse };
}

/** dQ, dK, dV on the tensor cores (D = rowsum(dO∘O) passed from the dQ kernel to dK/dV's, then released). */
export function attentionBackwardTc(
  b: Backend,
  plan: TcAttentionPlan,
  sizes: AttentionSizes,
  saved: { q: Info; k: Info; v: Info; o: Info; lse: Info; kb: Info },
  dy: Info,
): { dq: Info; dk: Info; dv: Info; dsum: Info } {
  const [batch, l] = sizes.shape as [number, number, number];
  const { q, k, v, o, lse, kb } = saved;
  const dq = newOutput(b, sizes.shape);
  const dsum = newOutput(b, [batch * sizes.heads, l]);
  const fq = kernel(b, plan, 'dq', sizes);
  dispatch(b, fq.p, [...bind(b, [dq, dsum, q, k, v, o, dy, lse, kb]), fq.uniforms], fq.total);
  const dk = newOutput(b, sizes.shape);
  const dv = newOutput(b, sizes.shape);
  const fkv = kernel(b, plan, 'dkdv', sizes);
  dispatch(b, fkv.p, [...bind(b, [dk, dv, q, k, v, dy, lse, dsum, kb]), fkv.uniforms], fkv.total);
  return { dq, dk, dv, dsum };
}
