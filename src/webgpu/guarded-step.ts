/**
 * The end of a training step on webgpu (issue 9) as few, cheap dispatches whose bindings repeat every step:
 *
 *   1. every gradient copied into one packed buffer (kept per optimizer and gradient list)
 *   2. Σg² of fixed-size chunks of it (SUM_SQUARES_CHUNKS_WGSL)
 *   3. the verdict, one workgroup: norm = √Σ, finite = loss and norm finite, ok = finite and every step queued
 *      before was ok (unless the caller resets the chain), scale = ok ? clip factor : −1; written to the
 *      optimizer's state buffer with the step's lr, bias corrections and decay factor, and to a [3] tensor
 *      [loss, norm, ok] that the caller reads back
 *   4. AdamW from the packed gradient and the state buffer, several parameters a dispatch (adamw-group.ts)
 *
 * The packed gradient, the chunk partials and the state are tensors this module keeps, so their buffers never
 * change: steps 2 and 4 bind the same buffers every step (cached bind groups, kept uniforms). On the H100 a
 * `small` step spent ~30 ms of CPU queueing ~330 dispatches, each paying for a new bind group and uniform
 * buffer, while its kernels ran ~30 ms; the reference form (model/train.ts: ~12 tfjs ops, then AdamW with a per-step
 * uniform and bind group for each of ~70 parameters) was the largest single share of that.
 */
import * as tf from '@tensorflow/tfjs';
import { keptUniforms } from './bindings.ts';
import { adamwGroupSlots, adamwGroupWgsl, groupLayout } from './adamw-group.ts';
import { chunkLayout, chunkSquares, copyPacked, WORKGROUP, type AdamWConstants } from './fused.ts';
import { asTensor, bufferOf, dispatch, newOutput, owns, pipeline, writtenBufferOf, type Backend } from './raw.ts';

/** state: [scale (the clip factor × gradScale; negative: refused), ok (1/0), lr, bc1, bc2, keep (1 − lr·weightDecay), 0, 0] */
const VERDICT_WGSL = /* wgsl */ `
struct U { chunks: u32, reset: u32, clip: f32, lr: f32, bc1: f32, bc2: f32, keep: f32, gradScale: f32 }
@group(0) @binding(0) var<storage, read_write> state: array<f32>;
@group(0) @binding(1) var<storage, read_write> verdict: array<f32>;
@group(0) @binding(2) var<storage, read> partials: array<f32>;
@group(0) @binding(3) var<storage, read> loss: array<f32>;
@group(0) @binding(4) var<uniform> u: U;
var<workgroup> part: array<f32, ${WORKGROUP}>;
// By the bits: a compiler may assume floats are never NaN or infinite and fold x != x away.
fn finite(x: f32) -> bool { return (bitcast<u32>(x) & 0x7f800000u) != 0x7f800000u; }
@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(local_invocation_id) lid: vec3<u32>) {
  var acc = 0.0;
  for (var c = lid.x; c < u.chunks; c += ${WORKGROUP}u) { acc += partials[c]; }
  part[lid.x] = acc;
  workgroupBarrier();
  for (var stride = ${WORKGROUP / 2}u; stride > 0u; stride = stride / 2u) {
    if (lid.x < stride) { part[lid.x] += part[lid.x + stride]; }
    workgroupBarrier();
  }
  if (lid.x == 0u) {
    let norm = sqrt(part[0]) * u.gradScale; // the gradients' own norm (they arrive loss-scaled under mixed precision)
    let l = loss[0];
    var before = state[1];
    if (u.reset == 1u) { before = 1.0; }
    let ok = before > 0.5 && finite(l) && finite(norm);
    var scale = -1.0;
    if (ok) {
      scale = 1.0;
      if (u.clip > 0.0) { scale = min(1.0, u.clip / (norm + 1e-6)); }
      scale = scale * u.gradScale;
    }
    state[0] = scale;
    state[1] = select(0.0, 1.0, ok);
    state[2] = u.lr;
    state[3] = u.bc1;
    state[4] = u.bc2;
    state[5] = u.keep;
    verdict[0] = l;
    verdict[1] = norm;
    verdict[2] = select(0.0, 1.0, ok);
  }
}`;

export interface GuardedEntry {
  readonly p: tf.Variable;
  readonly m: tf.Variable;
  readonly v: tf.Variable;
  readonly g: tf.Tensor;
  readonly decay: boolean;
}

/** AdamW's constants of the update (decay as the factor kept, per parameter by its flag), and the step's guard. */
export interface GuardedConstants extends Omit<AdamWConstants, 'decay'> {
  readonly keep: number; // 1 − lr·weightDecay, for parameters that decay
  readonly clip: number; // global-norm clip, 0 = none
  readonly reset: boolean; // start the ok chain over (a refusal was read back since the last step)
  readonly gradScale?: number; // what the packed gradients are multiplied by first (1 / loss scale; default 1)
}

interface Plan {
  readonly packed: tf.Tensor1D; // every gradient end to end
  readonly partials: tf.Tensor1D; // Σg² per chunk
  readonly table: tf.Tensor1D; // int32 chunk table (chunkLayout)
  readonly offsets: readonly number[];
  readonly chunks: number;
  readonly groups: readonly UpdateGroup[]; // AdamW's dispatches
}

/** Parameters updated by one AdamW dispatch: their entries' indices, and its table and workgroups. */
interface UpdateGroup {
  readonly slots: readonly number[];
  readonly table: tf.Tensor1D; // int32, adamw-group.ts's TABLE_WORDS a slot
  readonly workgroups: number;
}

interface Kept {
  readonly state: tf.Tensor1D; // see VERDICT_WGSL
  readonly plans: Map<string, Plan>; // by the gradients' sizes
}

const kept = new WeakMap<object, Kept>();
const MAX_PLANS = 8; // gradient lists per optimizer (one in training; a few in tests)

function keptFor(owner: object): Kept {
  let k = kept.get(owner);
  if (!k) kept.set(owner, (k = { state: tf.keep(tf.tensor1d([0, 1, 0, 0, 0, 0, 0, 0])), plans: new Map() }));
  return k;
}

function planFor(k: Kept, sizes: readonly number[], decays: readonly boolean[], groupSlots: number): Plan {
  const key = `${sizes.join(',')}|${decays.map(Number).join('')}|${groupSlots}`;
  const cached = k.plans.get(key);
  if (cached) return cached;
  const { words, offsets, total, chunks } = chunkLayout(sizes);
  const plan: Plan = {
    packed: tf.keep(tf.zeros([total])),
    partials: tf.keep(tf.zeros([chunks])),
    table: tf.keep(tf.tensor1d(words, 'int32')),
    offsets,
    chunks,
    groups: updateGroups(sizes, offsets, decays, groupSlots),
  };
  if (k.plans.size >= MAX_PLANS) {
    const [oldest, old] = k.plans.entries().next().value!;
    k.plans.delete(oldest);
    tf.dispose([old.packed, old.partials, old.table, ...old.groups.map((g) => g.table)]); // tfjs defers the release past unsubmitted commands
  }
  k.plans.set(key, plan);
  return plan;
}

/** Consecutive non-empty parameters, `groupSlots` to a dispatch. */
function updateGroups(sizes: readonly number[], offsets: readonly number[], decays: readonly boolean[], groupSlots: number): UpdateGroup[] {
  const live = sizes.flatMap((size, slot) => (size > 0 ? [slot] : []));
  const groups: UpdateGroup[] = [];
  for (let first = 0; first < live.length; first += groupSlots) {
    const slots = live.slice(first, first + groupSlots);
    const layout = groupLayout(
      slots.map((s) => sizes[s] as number),
      slots.map((s) => offsets[s] as number),
      slots.map((s) => decays[s] as boolean),
    );
    groups.push({ slots, table: tf.keep(tf.tensor1d(layout.table, 'int32')), workgroups: layout.workgroups });
  }
  return groups;
}

/** The packed form takes these entries: all float32, each gradient the size of its parameter. */
export const packedApplies = (entries: readonly GuardedEntry[], loss: tf.Scalar): boolean =>
  entries.length > 0 && loss.dtype === 'float32' && entries.every(({ p, m, v, g }) => [p, m, v, g].every((t) => t.dtype === 'float32') && g.size === p.size);

/**
 * A variable updated in place must be the only tensor on its buffer (one made from a tensor that is still
 * alive shares it): such a variable gets a copy of its own first, once.
 */
function ownBuffer(b: Backend, t: tf.Variable): void {
  if (owns(b, t)) return;
  const copy = tf.tidy(() => tf.mul(t, 1));
  t.assign(copy);
  copy.dispose();
}

/** Queues steps 1–4 for `entries` (packedApplies must hold). Returns [loss, norm, ok] ([3]; caller disposes). */
export function queueGuardedAdamw(b: Backend, owner: object, entries: readonly GuardedEntry[], loss: tf.Scalar, c: GuardedConstants): tf.Tensor1D {
  if (!packedApplies(entries, loss)) throw new Error('queueGuardedAdamw: entries must be float32 with gradients the size of their parameters');
  for (const { p, m, v } of entries) for (const t of [p, m, v]) ownBuffer(b, t);
  const k = keptFor(owner);
  const plan = planFor(
    k,
    entries.map((e) => e.g.size),
    entries.map((e) => e.decay),
    adamwGroupSlots(b.device.limits.maxStorageBuffersPerShaderStage),
  );
  const packed = writtenBufferOf(b, plan.packed);
  copyPacked(
    b,
    entries.map((e) => e.g),
    packed,
    plan.offsets,
  );
  const u = (x: number) => ({ type: 'uint32' as const, data: [x] as [number] });
  const f = (x: number) => ({ type: 'float32' as const, data: [x] as [number] });
  const table = { buffer: bufferOf(b, plan.table) };
  const partials = writtenBufferOf(b, plan.partials);
  chunkSquares(b, partials, packed, table, plan.chunks);
  const verdict = newOutput(b, [3]);
  const state = writtenBufferOf(b, k.state);
  // The only per-step uniform: one dispatch reads it, so tfjs's pooled uniform buffer is safe here.
  const stepUniforms = b.makeUniforms([u(plan.chunks), u(c.reset ? 1 : 0), f(c.clip), f(c.lr), f(c.bc1), f(c.bc2), f(c.keep), f(c.gradScale ?? 1)]);
  dispatch(
    b,
    pipeline(b, 'guardedVerdict', VERDICT_WGSL),
    [{ buffer: state }, { buffer: bufferOf(b, verdict) }, { buffer: partials }, { buffer: bufferOf(b, loss) }, stepUniforms],
    1,
  );
  for (const group of plan.groups) {
    const n = group.slots.length;
    const constants = keptUniforms(b, [f(c.beta1), f(1 - c.beta1), f(c.beta2), f(1 - c.beta2), f(c.eps), u(n), u(0), u(0)]);
    const pmv = group.slots.flatMap((slot) => [entries[slot]!.p, entries[slot]!.m, entries[slot]!.v].map((t) => ({ buffer: writtenBufferOf(b, t) })));
    const head = [{ buffer: packed }, { buffer: state }, { buffer: bufferOf(b, group.table) }, constants];
    dispatch(
      b,
      pipeline(b, `adamwGroup${n}`, () => adamwGroupWgsl(n)),
      [...head, ...pmv],
      group.workgroups,
    );
  }
  return asTensor<tf.Tensor1D>(verdict);
}

/** Disposes what queueGuardedAdamw keeps for `owner` (AdamW.dispose). */
export function releaseGuarded(owner: object): void {
  const k = kept.get(owner);
  if (!k) return;
  kept.delete(owner);
  tf.dispose([k.state, ...[...k.plans.values()].flatMap((p) => [p.packed, p.partials, p.table, ...p.groups.map((g) => g.table)])]);
}
