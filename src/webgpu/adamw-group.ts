/**
 * The guarded AdamW update of several parameters in one dispatch (issue 17). At `small` a mixed-precision step
 * is bound by the CPU that encodes it (~420 dispatches at ~65 µs each on the H200), and AdamW was 71 of them,
 * one per parameter, although each is a few µs of GPU work. A dispatch can bind only
 * maxStorageBuffersPerShaderStage buffers and every parameter, m and v is its own tfjs buffer, so a group holds
 * (limit − 3) / 3 parameters: 4 at the limit of 16 that Dawn reports on lavapipe and GLES.
 *
 * Workgroups are laid out slot after slot; a table gives each slot [first workgroup, size, offset into the
 * packed gradient, decays]. The arithmetic is ADAMW_PACKED_WGSL's (fused.ts), term for term, so the grouped
 * and per-parameter updates agree to the bit.
 */
import { WORKGROUP } from './fused.ts';

/** Parameters one grouped dispatch can update on a device with this many storage buffers per stage. */
export const adamwGroupSlots = (maxStorageBuffers: number): number => Math.max(1, Math.floor((maxStorageBuffers - 3) / 3));

/** Table words per slot: [first workgroup, size, offset in the packed gradient, decay 1/0]. */
export const TABLE_WORDS = 4;

export interface GroupLayout {
  readonly table: Int32Array;
  readonly workgroups: number;
}

/** The table and workgroup count of one group: parameters of `sizes` at `offsets` in the packed gradient. */
export function groupLayout(sizes: readonly number[], offsets: readonly number[], decays: readonly boolean[]): GroupLayout {
  const table = new Int32Array(TABLE_WORDS * sizes.length);
  let workgroups = 0;
  sizes.forEach((size, s) => {
    table.set([workgroups, size, offsets[s] as number, decays[s] ? 1 : 0], TABLE_WORDS * s);
    workgroups += Math.ceil(size / WORKGROUP);
  });
  return { table, workgroups };
}

/** WGSL of the grouped update for `slots` parameters (bindings 4 + 3s…: parameter, first and second moment of slot s; named apart from the locals m1, v1, p1). */
export function adamwGroupWgsl(slots: number): string {
  const range = Array.from({ length: slots }, (_, s) => s);
  const bindings = range
    .map(
      (s) => `@group(0) @binding(${4 + 3 * s}) var<storage, read_write> param${s}: array<f32>;
@group(0) @binding(${5 + 3 * s}) var<storage, read_write> first${s}: array<f32>;
@group(0) @binding(${6 + 3 * s}) var<storage, read_write> second${s}: array<f32>;`,
    )
    .join('\n');
  // WGSL cannot index bindings: each slot is a case of its own.
  const cases = (body: (s: number) => string) => range.map((s) => `    case ${s}u: { ${body(s)} }`).join('\n');
  return /* wgsl */ `
struct U { beta1: f32, oneMinusBeta1: f32, beta2: f32, oneMinusBeta2: f32, eps: f32, slots: u32, pad0: u32, pad1: u32 }
@group(0) @binding(0) var<storage, read> g: array<f32>;
@group(0) @binding(1) var<storage, read> state: array<f32>;
@group(0) @binding(2) var<storage, read> table: array<u32>;
@group(0) @binding(3) var<uniform> u: U;
${bindings}
@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  // A negative scale: the device refused this step (not finite): write nothing.
  if (state[0] < 0.0) { return; }
  let w = wid.x + wid.y * groups.x;
  var s = 0u;
  for (var k = 1u; k < u.slots; k++) { if (w >= table[${TABLE_WORDS}u * k]) { s = k; } }
  let i = (w - table[${TABLE_WORDS}u * s]) * ${WORKGROUP}u + lid.x;
  if (i >= table[${TABLE_WORDS}u * s + 1u]) { return; }
  let gi = g[table[${TABLE_WORDS}u * s + 2u] + i] * state[0];
  let lr = state[2];
  let bc1 = state[3];
  let bc2 = state[4];
  let keep = state[5];
  var pi = 0.0;
  var mi = 0.0;
  var vi = 0.0;
  switch s {
${cases((s) => `pi = param${s}[i]; mi = first${s}[i]; vi = second${s}[i];`)}
    default: {}
  }
  let m1 = mi * u.beta1 + gi * u.oneMinusBeta1;
  let v1 = vi * u.beta2 + (gi * gi) * u.oneMinusBeta2;
  let denom = sqrt(v1 / bc2) + u.eps;
  let update = (m1 / bc1) / denom;
  if (table[${TABLE_WORDS}u * s + 3u] == 1u) { pi = pi * keep; }
  let p1 = pi - update * lr;
  switch s {
${cases((s) => `param${s}[i] = p1; first${s}[i] = m1; second${s}[i] = v1;`)}
    default: {}
  }
}`;
}
