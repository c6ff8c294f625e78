/**
 * rows-linear.ts's x·W + b (LayerNorm prologue, bias, GELU / residual epilogue) for the B rows of a decode step on
 * the tensor cores (issue 17, mixed precision): the rows, padded to whole fragments (rows past B are zeros and
 * are never written), times f16 weights, f32 accumulation, epilogue in f32.
 *
 * Why this shape. A decode step multiplies B ≈ 32 rows by every weight once (base: ~1 GFLOP, 75 MB of fp32
 * weights), so by our count it is bound by memory latency and bandwidth, not arithmetic: the fp32 kernel gives
 * each thread a long serial k-loop of dependent loads (base's FFN2: 512 iterations in 64 workgroups). Here one workgroup holds all its rows (≤ 64; more rows take
 * more workgroups along y) and one fragment-wide column panel, so every weight is read once per step; its
 * SUBGROUPS subgroups split each k-step of `bk` between them, every thread issues its few 16-byte loads of the
 * next step before the current step's products (prefetch), and the subgroups' partial sums add up in a fixed
 * order at the end (deterministic). The weights are read from an f16 copy laid out in column panels
 * (panelWgsl): each workgroup streams one contiguous block per step with no bounds checks, and half the bytes of
 * fp32 (base: 38 MB a step instead of 75, which could stay in the H200's 50 MB L2 between steps). Rounding on the fly would give the
 * same products (the kernel rounds every weight to f16 either way); the copy is made from the fp32 master
 * weights at every decoder's setup (once per sample() call), so it is never stale when weights change
 * between calls (RL). The activations stay f32 in storage and are LayerNormed in f32 before their rounding.
 * Generated for any TcShape (16×16 / subgroups of 32 on the H200, 8×8 / 8 on lavapipe). Used by decode.ts only.
 */
import { ERF } from './gelu.ts';
import { epilogueStore, packWgsl, type Epilogue } from './rows-linear.ts';
import { TC_ENABLES, type TcShape } from './tc-shape.ts';

/** Subgroups of a workgroup: each multiplies its own fragments of every k-step. */
const SUBGROUPS = 8;
/** Row fragments one workgroup holds at most (64 rows of 16): B past that takes more workgroups along y. */
const MAX_ROW_FRAGMENTS = 4;
/** Workgroup memory the kernel asks for at most (the H200 ran matmul-tc's 28 KB; 32 KB is a common tier). */
const MAX_BYTES = 32768;
/** Most x values a thread loads per k-step, in vec4s: its registers, and the size of the unrolled code. */
const MAX_X_LOADS = 8;

/** One compiled form of the kernel: the fragment shape, row fragments `rf`, k-fragments per subgroup a step `kf`. */
export interface RowsTcPlan {
  readonly size: number; // fragment side s
  readonly subgroup: number; // invocations per subgroup
  readonly rf: number;
  readonly kf: number;
  readonly rows: number; // rows a workgroup holds: rf · s
  readonly cols: number; // the column panel: s
  readonly bk: number; // k per step: SUBGROUPS · kf · s
  readonly threads: number;
  readonly bytes: number; // workgroup memory
}

const strideX = (bk: number) => bk + 8; // halves: 16 bytes of padding spread a fragment's rows over the banks

function planOf(shape: TcShape, rf: number, kf: number): RowsTcPlan {
  const s = shape.size;
  const rows = rf * s;
  const bk = SUBGROUPS * kf * s;
  const bytes = 2 * rows * strideX(bk) + 2 * bk * s + 4 * SUBGROUPS * s * s + 8 * rows;
  return { size: s, subgroup: shape.subgroup, rf, kf, rows, cols: s, bk, threads: SUBGROUPS * shape.subgroup, bytes };
}

/**
 * The form for `batch` rows on a device with `limit` bytes of workgroup memory (the deepest k-step within it and
 * MAX_X_LOADS), or undefined when none fits or the shape's fragments do not spread evenly over the invocations.
 */
export function rowsTcPlan(shape: TcShape, batch: number, limit: number): RowsTcPlan | undefined {
  const s = shape.size;
  if (s % 8 !== 0) return undefined; // a panel row is whole 16-byte groups of halves
  const rf = Math.min(Math.ceil(batch / s), MAX_ROW_FRAGMENTS);
  for (const kf of [4, 2, 1]) {
    const plan = planOf(shape, rf, kf);
    // Each thread loads whole 16-byte groups of 8 weights and the X tile evenly.
    const even = (plan.bk * plan.cols) % (8 * plan.threads) === 0 && (plan.rows * plan.bk) % (4 * plan.threads) === 0;
    const loads = (plan.rows * plan.bk) / (4 * plan.threads);
    if (even && plan.bytes <= Math.min(limit, MAX_BYTES) && (loads <= MAX_X_LOADS || kf === 1)) return plan;
  }
  return undefined;
}

/** k rounded up to whole steps: the panels' depth, zeros past k. */
export const panelDepth = (plan: RowsTcPlan, k: number): number => Math.ceil(k / plan.bk) * plan.bk;

/** Halves of the f16 panel copy of a [k, n] weight. */
export const panelHalves = (plan: RowsTcPlan, k: number, n: number): number => Math.ceil(n / plan.cols) * plan.cols * panelDepth(plan, k);

/**
 * The f16 panel copy of up to three [k, n] matrices side by side ([k, parts·n]; Q, K and V), or of one stored
 * [n, k] (`transposed`: the tied head's tokEmb [V, d]): panel p holds columns p·cols… as [kPad][cols], zeros past
 * k and past the columns. Bindings: out (the f16 panels), a, b, c, U { k, n, parts, transposed, kPad, panels };
 * one invocation per half, dispatched as (x, y) workgroups of 256 with x·y·256 ≥ panelHalves.
 */
export function panelWgsl(cols: number): string {
  return `enable f16;\n${packWgsl(
    'f16',
    'k: u32, n: u32, parts: u32, transposed: u32, kPad: u32, panels: u32, pad0: u32, pad1: u32',
    `  if (i >= u.panels * u.kPad * ${cols}u) { return; }
  let kk = (i / ${cols}u) % u.kPad;
  let col = (i / (u.kPad * ${cols}u)) * ${cols}u + i % ${cols}u;
  var v = 0.0;
  if (kk < u.k && col < u.n * u.parts) {
    v = pick3(col / u.n, select(kk * u.n + col % u.n, (col % u.n) * u.k + kk, u.transposed == 1u));
  }
  out[i] = f16(v);`,
  )}`;
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

/**
 * The WGSL of out[rows, m] (epilogue) x[rows, k] · W (+ b), W as panelWgsl's f16 copy, x LayerNormed first with
 * `norm` (statistics in f32 per row by subgroup sums). `vec`: k is a multiple of 4 (x read as vec4s).
 * Bindings: out (read_write), x, panel (as vec4<u32>: 8 halves each), then bias when `bias`, gain and shift
 * when `norm`, then U { rows, k, m, eps, kPad }. Dispatch (⌈m / cols⌉, ⌈rows / plan.rows⌉) workgroups.
 */
export function rowsLinearTcWgsl(plan: RowsTcPlan, epilogue: Epilogue, bias: boolean, norm: boolean, vec: boolean): string {
  const { size: s, subgroup: g, rf, kf, rows, cols, bk, threads } = plan;
  const sx = strideX(bk);
  const w = vec ? 4 : 1;
  const xType = vec ? 'vec4<f32>' : 'f32';
  const zero = vec ? 'vec4<f32>(0.0)' : '0.0';
  const perRow = bk / w; // x loads a row of a step
  const loadsX = (rows * bk) / (threads * w);
  const loadsW = (bk * cols) / (8 * threads);
  const extra = [...(bias ? ['b'] : []), ...(norm ? ['gain', 'shift'] : [])];
  const component = (v: string, j: number) => (vec ? `${v}[${j}]` : v);
  const kVec = (k: string) => (vec ? `vec4<f32>(gain[${k}], gain[${k} + 1u], gain[${k} + 2u], gain[${k} + 3u])` : `gain[${k}]`);
  // Row statistics: subgroup `sg` takes rows sg, sg + SUBGROUPS, … (R of them), its lanes stride along them;
  // the R rows' loads of one stride are independent (issued back to back). Loop bounds are uniform (masked
  // loads), as subgroupAdd needs; two passes (the second reads what the first brought into the cache).
  const R = rows / SUBGROUPS;
  const masked = (body: (v: string) => string) => `    for (var c = 0u; c < n; c += ${g}u) {
      for (var i = 0u; i < ${R}u; i++) {
        let v = select(${zero}, x[base[i] + min(c + lane, n - 1u)], c + lane < n);
        ${body('v')}
      }
    }`;
  const stats = norm
    ? `
  {
    let n = u.k / ${w}u;
    var base: array<u32, ${R}>;
    var mean: array<f32, ${R}>;
    var acc: array<f32, ${R}>;
    for (var i = 0u; i < ${R}u; i++) {
      let row = r0 + sg + i * ${SUBGROUPS}u;
      base[i] = select(0u, row * n, row < u.rows);
      acc[i] = 0.0;
    }
${masked((v) => `acc[i] += ${vec ? `dot(${v}, vec4<f32>(1.0))` : v};`)}
    for (var i = 0u; i < ${R}u; i++) {
      mean[i] = subgroupAdd(acc[i]) / f32(u.k);
      acc[i] = 0.0;
    }
${masked(
  (v) => `let d = select(${zero}, ${v} - mean[i], c + lane < n);
        acc[i] += ${vec ? 'dot(d, d)' : 'd * d'};`,
)}
    for (var i = 0u; i < ${R}u; i++) {
      let rstd = inverseSqrt(subgroupAdd(acc[i]) / f32(u.k) + u.eps);
      if (lane == 0u) {
        means[sg + i * ${SUBGROUPS}u] = mean[i];
        rstds[sg + i * ${SUBGROUPS}u] = rstd;
      }
    }
  }
  workgroupBarrier();`
    : '';
  const normed = norm ? `\n      v = ((v - means[rl]) * rstds[rl]) * ${kVec('kc')} + ${kVec('kc').replaceAll('gain', 'shift')};` : '';
  const load = (k: string) => `
  for (var e = 0u; e < ${loadsX}u; e++) {
    let t = lid.x + e * ${threads}u;
    let rl = t / ${perRow}u;
    let kc = ${k} + (t % ${perRow}u) * ${w}u;
    var v = ${zero};
    if (r0 + rl < u.rows && kc < u.k) {
      v = x[((r0 + rl) * u.k + kc) / ${w}u];${normed}
    }
    xr[e] = v;
  }
  for (var e = 0u; e < ${loadsW}u; e++) { wr[e] = panel[first + ${k} * ${cols / 8}u + lid.x + e * ${threads}u]; }`;
  const store = `
  for (var e = 0u; e < ${loadsX}u; e++) {
    let t = lid.x + e * ${threads}u;
    let at = (t / ${perRow}u) * ${sx}u + (t % ${perRow}u) * ${w}u;
${range(w)
  .map((j) => `    Xs[at + ${j}u] = f16(${component('xr[e]', j)});`)
  .join('\n')}
  }
  for (var e = 0u; e < ${loadsW}u; e++) {
    let at = (lid.x + e * ${threads}u) * 8u;
${range(4)
  .map((q) => `    let h${q} = bitcast<vec2<f16>>(wr[e][${q}]);\n    Ws[at + ${2 * q}u] = h${q}.x;\n    Ws[at + ${2 * q + 1}u] = h${q}.y;`)
  .join('\n')}
  }`;
  const mma = range(kf)
    .map(
      (f) => `    {
      let kk = (sg * ${kf}u + ${f}u) * ${s}u;
      let r = subgroupMatrixLoad<subgroup_matrix_right<f16, ${s}, ${s}>, row_major>(&Ws, kk * ${cols}u, ${cols}u);
${range(rf)
  .map(
    (i) =>
      `      c${i} = subgroupMatrixMultiplyAccumulate(subgroupMatrixLoad<subgroup_matrix_left<f16, ${s}, ${s}>, row_major>(&Xs, ${i * s * sx}u + kk, ${sx}u), r, c${i});`,
  )
  .join('\n')}
    }`,
    )
    .join('\n');
  const emit = range(rf)
    .map(
      (i) => `  subgroupMatrixStore<row_major>(&stage, sg * ${s * cols}u, c${i}, ${cols}u);
  workgroupBarrier();
  for (var e = lid.x; e < ${s * cols}u; e += ${threads}u) {
    let row = r0 + ${i * s}u + e / ${cols}u;
    let j = wid.x * ${cols}u + e % ${cols}u;
    if (row < u.rows && j < u.m) {
      var sum = stage[e];
      for (var q = 1u; q < ${SUBGROUPS}u; q++) { sum += stage[q * ${s * cols}u + e]; }
      let o = row * u.m + j;
      let y = ${bias ? 'sum + b[j]' : 'sum'};
      ${epilogueStore(epilogue)}
    }
  }
  workgroupBarrier();`,
    )
    .join('\n');
  return /* wgsl */ `
${TC_ENABLES}
struct U { rows: u32, k: u32, m: u32, eps: f32, kPad: u32, pad0: u32, pad1: u32, pad2: u32 }
@group(0) @binding(0) var<storage, read_write> out: array<f32>;
@group(0) @binding(1) var<storage, read> x: array<${xType}>;
@group(0) @binding(2) var<storage, read> panel: array<vec4<u32>>;
${extra.map((name, i) => `@group(0) @binding(${3 + i}) var<storage, read> ${name}: array<f32>;`).join('\n')}
@group(0) @binding(${3 + extra.length}) var<uniform> u: U;
var<workgroup> Xs: array<f16, ${rows * sx}>;
var<workgroup> Ws: array<f16, ${bk * cols}>;
var<workgroup> stage: array<f32, ${SUBGROUPS * s * cols}>; // each subgroup's result fragment, summed in order
${norm ? `var<workgroup> means: array<f32, ${rows}>;\nvar<workgroup> rstds: array<f32, ${rows}>;` : ''}
${epilogue === 'gelu' ? ERF : ''}

// Barriers only in main's uniform control flow; every workgroup runs the same loop.
@compute @workgroup_size(${threads})
fn main(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
  let sg = lid.x / ${g}u;
  let lane = lid.x % ${g}u;
  let r0 = wid.y * ${rows}u;
  let first = wid.x * u.kPad * ${cols / 8}u; // this panel's first vec4${stats}
  ${range(rf)
    .map((i) => `var c${i} = subgroup_matrix_result<f32, ${s}, ${s}>();`)
    .join('\n  ')}
  var xr: array<${xType}, ${loadsX}>;
  var wr: array<vec4<u32>, ${loadsW}>;
${load('0u')}
  for (var k0 = 0u; k0 < u.k; k0 += ${bk}u) {
    workgroupBarrier();
${store}
    workgroupBarrier();
    if (k0 + ${bk}u < u.k) {
${load(`(k0 + ${bk}u)`)}
    }
${mma}
  }
${emit}
}`;
}
