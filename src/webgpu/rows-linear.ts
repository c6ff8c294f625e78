/**
 * x·W + b for the few rows of a decode step (one token per sequence, B ≈ 32) as one WGSL dispatch with its
 * epilogue folded in (issue 9): tfjs's matmul is tiled for large outputs and every op around it (bias, GELU,
 * the residual add) is another kernel and ~30 µs of JS. Each workgroup owns COLS output columns × ROWS rows;
 * the rows' inputs go through workgroup memory KTILE at a time, so each weight is read once per ROWS rows.
 * With so few rows there are few workgroups (32 for small's FFN2), so each splits k over SLICES groups of
 * threads (interleaved, so a warp still reads consecutive weights) whose partial sums add up in a fixed
 * order at the end: deterministic, f32 rounding apart from tfjs's tiled sums.
 * Used by decode.ts only.
 */
import { ERF } from './gelu.ts';
import { LANES, ROW_MEAN_RSTD } from './layernorm.ts';

export const ROWS = 4;
export const COLS = 64;
const KTILE = 256;
/** k-slices per workgroup: COLS × SLICES threads, each summing every SLICES-th k (more warps per SM). */
const SLICES = 4;

/** What the kernel does with y = x·W (+ b) at out[row, j]. */
export type Epilogue = 'store' | 'residual' | 'gelu';

/** WGSL putting y into out[o] by `epilogue` (GELU needs ERF declared); the tensor-core form shares it. */
export function epilogueStore(epilogue: Epilogue): string {
  return {
    store: 'out[o] = y;',
    residual: 'out[o] = out[o] + y;', // x + (x·W + b), the reference's order
    gelu: `out[o] = y * (0.5 * (1.0 + erf_as(y * ${Math.SQRT1_2})));`, // as gelu.ts
  }[epilogue];
}

/**
 * The WGSL of out[rows, m] (epilogue) x[rows, k] · W, W [k, m] or, `transposed`, [m, k] (the tied head reads
 * tokEmb [V, d] as its transpose). With `norm`, x is LayerNormed on the way in: each workgroup computes its
 * rows' mean and rstd with layernorm.ts's own WGSL (same lanes, same order: the same values as the
 * LayerNorm kernel), which saves a dispatch and the normed copy. Bindings: out (read_write), x, w, then bias
 * when `bias`, then gain and shift when `norm`, then U { rows, k, m, eps }. Dispatch (⌈m / COLS⌉,
 * ⌈rows / ROWS⌉) workgroups.
 */
export function rowsLinearWgsl(epilogue: Epilogue, transposed: boolean, bias: boolean, norm: boolean): string {
  // ROW_MEAN_RSTD reduces red[0…LANES) written by lanes 0…LANES − 1, i.e. the k-slice 0 threads; the others
  // write red[LANES…] (never read) and only join the barriers.
  if (COLS !== LANES) throw new Error('rowsLinearWgsl: the LayerNorm statistics need COLS = LayerNorm LANES');
  const extra = [...(bias ? ['b'] : []), ...(norm ? ['gain', 'shift'] : [])];
  const stats = norm
    ? `
  var means: array<f32, ${ROWS}>;
  var rstds: array<f32, ${ROWS}>;
  for (var r = 0u; r < ${ROWS}u; r++) {
    let row = r0 + r;
    let base = select(0u, row * u.k, row < u.rows);
${ROW_MEAN_RSTD.replaceAll('u.d', 'u.k')}
    means[r] = mean;
    rstds[r] = rstd;
    workgroupBarrier();
  }`
    : '';
  const weight = transposed ? 'w[j * u.k + k0 + kk]' : 'w[(k0 + kk) * u.m + j]';
  const y = bias ? 'sum + b[j]' : 'sum';
  const store = epilogueStore(epilogue);
  return /* wgsl */ `
struct U { rows: u32, k: u32, m: u32, eps: f32 }
@group(0) @binding(0) var<storage, read_write> out: array<f32>;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> w: array<f32>;
${extra.map((name, i) => `@group(0) @binding(${3 + i}) var<storage, read> ${name}: array<f32>;`).join('\n')}
@group(0) @binding(${3 + extra.length}) var<uniform> u: U;
var<workgroup> tile: array<f32, ${ROWS * KTILE}>;
var<workgroup> red: array<f32, ${COLS * SLICES}>;
var<workgroup> part: array<f32, ${ROWS * SLICES * COLS}>;
${epilogue === 'gelu' ? ERF : ''}

// Barriers only in uniform control flow, no early return (GLES, Dawn's path in CI).
@compute @workgroup_size(${COLS}, ${SLICES})
fn main(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
  let lane = lid.x + ${COLS}u * lid.y;
  let j = wid.x * ${COLS}u + lid.x;
  let r0 = wid.y * ${ROWS}u;${stats}
  var acc: array<f32, ${ROWS}>;
  for (var r = 0u; r < ${ROWS}u; r++) { acc[r] = 0.0; }
  for (var k0 = 0u; k0 < u.k; k0 += ${KTILE}u) {
    for (var t = lane; t < ${ROWS * KTILE}u; t += ${COLS * SLICES}u) {
      let row = r0 + t / ${KTILE}u;
      let k = k0 + t % ${KTILE}u;
      var v = 0.0;
      if (row < u.rows && k < u.k) {
        v = x[row * u.k + k];${
          norm
            ? `
        let r = t / ${KTILE}u;
        v = ((v - means[r]) * rstds[r]) * gain[k] + shift[k];`
            : ''
        }
      }
      tile[t] = v;
    }
    workgroupBarrier();
    if (j < u.m) {
      let n = min(${KTILE}u, u.k - k0);
      for (var kk = lid.y; kk < n; kk += ${SLICES}u) {
        let wk = ${weight};
        for (var r = 0u; r < ${ROWS}u; r++) { acc[r] = acc[r] + tile[r * ${KTILE}u + kk] * wk; }
      }
    }
    workgroupBarrier();
  }
  for (var r = 0u; r < ${ROWS}u; r++) { part[(r * ${SLICES}u + lid.y) * ${COLS}u + lid.x] = acc[r]; }
  workgroupBarrier();
  if (lid.y == 0u && j < u.m) {
    for (var r = 0u; r < ${ROWS}u; r++) {
      let row = r0 + r;
      if (row < u.rows) {
        var sum = part[r * ${SLICES * COLS}u + lid.x];
        for (var sl = 1u; sl < ${SLICES}u; sl++) { sum = sum + part[(r * ${SLICES}u + sl) * ${COLS}u + lid.x]; }
        let o = row * u.m + j;
        let y = ${y};
        ${store}
      }
    }
  }
}`;
}

/**
 * WGSL of a packing kernel's frame: `out` (of `outType`), three f32 sources a, b, c, U, and main over invocations
 * i = gid.x + gid.y·groups.x·256; `PICK3(at)` reads source number `part` at `at`. Used with PACK3_WGSL's body and
 * rows-linear-tc.ts's f16 panels.
 */
export function packWgsl(outType: string, uniform: string, body: string): string {
  return /* wgsl */ `
struct U { ${uniform} }
@group(0) @binding(0) var<storage, read_write> out: array<${outType}>;
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read> b: array<f32>;
@group(0) @binding(3) var<storage, read> c: array<f32>;
@group(0) @binding(4) var<uniform> u: U;
fn pick3(part: u32, at: u32) -> f32 {
  var v = a[at];
  if (part == 1u) { v = b[at]; }
  if (part == 2u) { v = c[at]; }
  return v;
}
@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = gid.x + gid.y * groups.x * 256u;
${body}
}`;
}

/** Packs three [rows, n] matrices side by side into one [rows, 3n] (Q, K and V weights or biases). */
export const PACK3_WGSL = packWgsl(
  'f32',
  'rows: u32, n: u32, pad0: u32, pad1: u32',
  `  if (i >= u.rows * u.n * 3u) { return; }
  let row = i / (3u * u.n);
  let col = i % (3u * u.n);
  out[i] = pick3(col / u.n, row * u.n + col % u.n);`,
);
