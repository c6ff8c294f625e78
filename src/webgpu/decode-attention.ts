/**
 * The per-token pieces of a decode step that are not matmuls, as WGSL for decode.ts (issue 9):
 *   embed      x[b] = tokEmb[id_b] + textPos[pos_b] (+ the caption grid's patch row), id_b the previous pick's token
 *   attention  per (row, head): write the new K and V at the row's cache slot, then softmax(q·kᵀ/√dh)·v over
 *              slots 0…slot (the image prefix, the prompt and the tokens so far), in one workgroup
 * The reference (model/forward.ts decodeStep) masks slots past the row's own with MASKED, whose exp underflows to
 * exactly 0 in f32, so skipping them here gives the same sums.
 *
 * Both read the step's per-row inputs from one buffer of DecodeRow structs (decode.ts writes it).
 */

/**
 * WGSL of the per-row step inputs: the newest token's text position and cache slot, the pick's uniform.
 * The token itself is read from the previous pick's output on the GPU, so steps can be queued ahead.
 */
export const DECODE_ROW = /* wgsl */ `struct Row { pos: i32, slot: i32, rand: f32, pad: u32 }`;

/** 32-bit words per DecodeRow. */
export const ROW_WORDS = 4;

/**
 * The embed kernel; with `grid`, the caption grid's input too (model/caption-grid.ts): x[b] += image[b·per +
 * gridPatch[pos_b]], `per` = 2P+1 grid rows a sample (gridRows), gridPatch P (its zero row) off the grid.
 */
export const embedWgsl = (grid: boolean) => /* wgsl */ `
${DECODE_ROW}
struct U { rows: u32, d: u32, per: u32, pad1: u32 }
@group(0) @binding(0) var<storage, read_write> x: array<f32>;
@group(0) @binding(1) var<storage, read> tokEmb: array<f32>;
@group(0) @binding(2) var<storage, read> textPos: array<f32>;
@group(0) @binding(3) var<storage, read> rows: array<Row>;
@group(0) @binding(4) var<storage, read> picked: array<u32>;
@group(0) @binding(5) var<uniform> u: U;
${
  grid
    ? `@group(0) @binding(6) var<storage, read> image: array<f32>;
@group(0) @binding(7) var<storage, read> gridPatch: array<i32>;`
    : ''
}
@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x;
  if (i >= u.rows * u.d) { return; }
  let b = i / u.d;
  let c = i % u.d;
  let pos = u32(rows[b].pos);
  x[i] = tokEmb[picked[b] * u.d + c] + textPos[pos * u.d + c]${grid ? ' + image[(b * u.per + u32(gridPatch[pos])) * u.d + c]' : ''};
}`;

/** Threads of the decode-step reduction kernels (attention, token picking). */
export const LANES = 64;

/** WGSL folding workgroup array `a` of LANES into a[0] with `op` (max or +); barriers in main only (GLES). */
export const tree = (a: string, op: (x: string, y: string) => string) => `  workgroupBarrier();
  for (var stride = ${LANES / 2}u; stride > 0u; stride = stride / 2u) {
    if (lane < stride) { ${a}[lane] = ${op(`${a}[lane]`, `${a}[lane + stride]`)}; }
    workgroupBarrier();
  }`;

/**
 * Most cache slots the attention kernel takes (its scores live in workgroup memory, 8 KiB). A constant, not
 * the call's capacity, so one compiled pipeline serves every capacity (a benchmark's warm-up call with fewer
 * tokens compiles it too). small/base need at most 81 + 1,088.
 */
export const MAX_SLOTS = 2048;
/** The long-window variant's slots (16 KiB of scores): the paper preset's 2,560 text positions + 81 patches. */
export const LONG_SLOTS = 4096;

/** The kernel variant for a cache of `capacity` slots: MAX_SLOTS, else LONG_SLOTS, else undefined (too long). */
export const slotsFor = (capacity: number): number | undefined => (capacity <= MAX_SLOTS ? MAX_SLOTS : capacity <= LONG_SLOTS ? LONG_SLOTS : undefined);

/** Workgroup memory the attention kernel needs for head size dh, in bytes. */
export const attentionWorkgroupBytes = (dh: number, slots = MAX_SLOTS): number => 4 * (slots + dh + 5 * LANES);

/** Head sizes the attention kernel takes: vec4 columns that tile the workgroup (dh 4, 8, …, 256). */
export const attentionFits = (dh: number): boolean => dh % 4 === 0 && LANES % (dh / 4) === 0;

/**
 * Decode attention for one layer: y [B, H·dh] (heads merged, as mergeHeads), from qkv [B, 3·H·dh] (Q | K | V,
 * each heads-major as splitHeads) and the caches kc, vc [B, H, C, dh], which get the new K and V in place.
 * One workgroup per (row, head); dh and the slots are baked in (workgroup arrays need constant sizes), C ≤ slots.
 */
export function attentionWgsl(dh: number, slots = MAX_SLOTS): string {
  if (!attentionFits(dh)) throw new Error(`attentionWgsl: head size ${dh} needs dh / 4 to divide ${LANES}`);
  const quads = dh / 4;
  const groups = LANES / quads;
  return /* wgsl */ `
${DECODE_ROW}
struct U { heads: u32, capacity: u32, pad: u32, scale: f32 }
@group(0) @binding(0) var<storage, read_write> y: array<f32>;
@group(0) @binding(1) var<storage, read> qkv: array<f32>;
@group(0) @binding(2) var<storage, read_write> kc: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read_write> vc: array<vec4<f32>>;
@group(0) @binding(4) var<storage, read> rows: array<Row>;
@group(0) @binding(5) var<uniform> u: U;
var<workgroup> s: array<f32, ${slots}>;
var<workgroup> q: array<vec4<f32>, ${dh / 4}>;
var<workgroup> red: array<f32, ${LANES}>;
var<workgroup> part: array<vec4<f32>, ${LANES}>;

@compute @workgroup_size(${LANES})
fn main(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
  let lane = lid.x;
  let b = wid.x / u.heads;
  let h = wid.x % u.heads;
  let d = u.heads * ${dh}u;
  let slot = min(u32(rows[b].slot), u.capacity - 1u);
  let base = (b * u.heads + h) * u.capacity * ${dh}u;
  let src = b * 3u * d + h * ${dh}u;
  for (var i = lane; i < ${dh / 4}u; i += ${LANES}u) {
    let o = src + 4u * i;
    q[i] = vec4<f32>(qkv[o], qkv[o + 1u], qkv[o + 2u], qkv[o + 3u]);
    kc[(base + slot * ${dh}u) / 4u + i] = vec4<f32>(qkv[o + d], qkv[o + d + 1u], qkv[o + d + 2u], qkv[o + d + 3u]);
    let ov = o + 2u * d;
    vc[(base + slot * ${dh}u) / 4u + i] = vec4<f32>(qkv[ov], qkv[ov + 1u], qkv[ov + 2u], qkv[ov + 3u]);
  }
  storageBarrier();
  workgroupBarrier();
  // Keys as vec4 (a quarter of the loads of a scalar row walk: each lane reads its own key's row).
  var mx = -3.0e38;
  for (var j = lane; j <= slot; j += ${LANES}u) {
    var dot4 = vec4<f32>(0.0);
    let row = (base + j * ${dh}u) / 4u;
    for (var i = 0u; i < ${dh / 4}u; i++) { dot4 = dot4 + q[i] * kc[row + i]; }
    let score = ((dot4.x + dot4.y) + (dot4.z + dot4.w)) * u.scale;
    s[j] = score;
    mx = max(mx, score);
  }
  red[lane] = mx;
${tree('red', (a, c) => `max(${a}, ${c})`)}
  let top = red[0];
  workgroupBarrier();
  var sum = 0.0;
  for (var j = lane; j <= slot; j += ${LANES}u) {
    let e = exp(s[j] - top);
    s[j] = e;
    sum = sum + e;
  }
  red[lane] = sum;
${tree('red', (a, c) => `${a} + ${c}`)}
  let total = red[0];
  // Weights · V: lane = (group, vec4 column); each group sums every ${groups}-th key, then the groups add up.
  let column = lane % ${quads}u;
  var acc = vec4<f32>(0.0);
  for (var j = lane / ${quads}u; j <= slot; j += ${groups}u) { acc = acc + (s[j] / total) * vc[(base + j * ${dh}u) / 4u + column]; }
  part[lane] = acc;
  workgroupBarrier();
  if (lane < ${quads}u) {
    var o = part[lane];
    for (var g = 1u; g < ${groups}u; g++) { o = o + part[g * ${quads}u + lane]; }
    let at = b * d + h * ${dh}u + 4u * lane;
    y[at] = o.x;
    y[at + 1u] = o.y;
    y[at + 2u] = o.z;
    y[at + 3u] = o.w;
  }
}`;
}
