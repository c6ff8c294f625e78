/**
 * The tensor-core attention's shape (issue 17; kernels in attention-tc-forward-wgsl.ts and
 * attention-tc-backward-wgsl.ts): how many subgroups a workgroup holds, how many keys (forward, dQ) or queries
 * (dK/dV) a tile of workgroup memory holds, how the lanes of a subgroup share the rows of its fragment when they
 * work element by element (softmax, dS), the workgroup memory that takes, and the WGSL pieces the kernels share.
 *
 * Each subgroup owns one fragment's rows (`size` query rows, or key rows for dK/dV); a workgroup of `sg`
 * subgroups owns sg·size rows and streams tiles of `tk` rows of the other side through workgroup memory as f16
 * (rounded on the way in, rows padded by 8 halves: 16 bytes, the stride alignment cooperative matrices want,
 * and a bank shift per row). Products leave the tensor cores through a per-subgroup f32 stage (size × tk,
 * rows padded by 4 floats), where `lpr` lanes per row read them, so on the H200 (32 lanes, 16 rows) all
 * 32 lanes work, two per row; lavapipe (8 lanes, 8 rows) has one, and its tests also run two (rows per
 * lane 2) so the H200's lane arithmetic is checked on the CPU.
 */
import type { TcShape } from './tc-shape.ts';

export interface TcAttentionTile {
  readonly sg: number; // subgroups per workgroup
  readonly tk: number; // keys (forward, dQ) or queries (dK/dV) per workgroup-memory tile
  readonly lpr: number; // lanes sharing one row in the element-wise phases
}

/** Which kernel: the forward, dQ (with D), or dK/dV. */
export type TcAttentionKind = 'forward' | 'dq' | 'dkdv';

/**
 * Tiles tried in order, as (subgroups, fragments of N rows a tile): 4 subgroups (128 invocations on the H200)
 * and tiles of 4 fragments (64 keys there) unless workgroup memory forbids. In fragments, not rows, so lavapipe's
 * 8×8 kernels unroll as many products as the H200's 16×16 ones (lavapipe compiles each unrolled product slowly).
 */
const CANDIDATES: readonly (readonly [number, number])[] = [
  [4, 4],
  [4, 2],
  [4, 1],
  [2, 1],
  [1, 1],
];

/** The workgroup-memory strides and sizes (elements) of a kernel; bytes() sums them. */
export function tcAttentionLayout(kind: TcAttentionKind, shape: TcShape, dh: number, t: TcAttentionTile) {
  const rows = t.sg * shape.size;
  const tileStride = dh + 8; // K/V (forward, dQ) or Q/dO (dK/dV) tiles, f16
  const halfStride = Math.max(dh, t.tk) + 8; // the subgroups' own rows staged as f16, then P or dS
  const stageStride = t.tk + 4; // f32
  const stage = t.sg * shape.size * stageStride;
  const f16s = 2 * t.tk * tileStride + rows * halfStride + (kind === 'dkdv' ? rows * (t.tk + 8) : 0);
  const f32s = (kind === 'forward' ? 1 : 2) * stage + (kind === 'dkdv' ? 2 * t.tk : t.tk) + 2 * rows * t.lpr;
  return { rows, tileStride, halfStride, stageStride, stage, bytes: 2 * f16s + 4 * f32s };
}

/** Why `t` cannot run `dh` on `shape` within `limit` bytes of workgroup memory, or undefined when it can. */
export function tcAttentionTileGap(kind: TcAttentionKind, shape: TcShape, dh: number, t: TcAttentionTile, limit: number): string | undefined {
  if (dh % shape.size !== 0) return `head size ${dh} is not a multiple of the ${shape.size}×${shape.size} fragment`;
  if (t.tk % shape.size !== 0) return `a tile of ${t.tk} rows is not a multiple of the fragment's ${shape.size}`;
  if (shape.subgroup % t.lpr !== 0 || (shape.size * t.lpr) % shape.subgroup !== 0 || t.tk % t.lpr !== 0) {
    return `${t.lpr} lanes per row do not divide ${shape.subgroup} lanes over ${shape.size} rows and ${t.tk} columns`;
  }
  const bytes = tcAttentionLayout(kind, shape, dh, t).bytes;
  return bytes > limit ? `${bytes} bytes of workgroup memory (at most ${limit})` : undefined;
}

/** The first candidate tile that fits, with lanes per row `lpr` (subgroup / size unless given); undefined if none. */
export function tcAttentionTile(kind: TcAttentionKind, shape: TcShape, dh: number, limit: number, lpr?: number): TcAttentionTile | undefined {
  const lanes = lpr ?? Math.max(1, shape.subgroup / shape.size);
  for (const [sg, fragments] of CANDIDATES) {
    const t = { sg, tk: fragments * shape.size, lpr: lanes };
    if (tcAttentionTileGap(kind, shape, dh, t, limit) === undefined) return t;
  }
  return undefined;
}

/** A pipeline name that tells every generated variant apart. */
export const tcAttentionName = (kind: TcAttentionKind, shape: TcShape, dh: number, t: TcAttentionTile): string =>
  `attentionTc-${kind}-${shape.size}x${shape.subgroup}-dh${dh}-sg${t.sg}-tk${t.tk}-lpr${t.lpr}`;

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

/** WGSL shared by the kernels: extensions, constants, and the uniforms' struct and helpers (attention-wgsl.ts's). */
export function tcPrelude(shape: TcShape, dh: number, t: TcAttentionTile, kind: TcAttentionKind): string {
  const l = tcAttentionLayout(kind, shape, dh, t);
  return /* wgsl */ `enable f16;
enable subgroups;
enable chromium_experimental_subgroup_matrix;
// Fragment offsets depend on the subgroup's index (local_invocation_id / SG), uniform within each subgroup,
// which the analysis cannot see.
diagnostic(off, chromium.subgroup_matrix_uniformity);
const N = ${shape.size}u; // fragment rows and columns
const SG = ${shape.subgroup}u; // lanes per subgroup
const SGS = ${t.sg}u; // subgroups per workgroup
const THREADS = ${t.sg * shape.subgroup}u;
const ROWS = ${l.rows}u; // this workgroup's rows (sg fragments of N)
const TK = ${t.tk}u; // rows of the streamed tile
const LPR = ${t.lpr}u; // lanes per row in the element-wise phases
const RPL = ${(shape.size * t.lpr) / shape.subgroup}u; // rows per lane
const DH = ${dh}u;
const TS = ${l.tileStride}u; // f16 tile row stride
const HS = ${l.halfStride}u; // f16 own-rows stride
const SS = ${l.stageStride}u; // f32 stage row stride
fn rowAt(b: u32, i: u32, h: u32) -> u32 { return ((b * u.L + i) * u.H + h) * DH; } // a row's first float`;
}

/** WGSL: this invocation's subgroup, lane and their rows' bases (after blockOf). */
export const TC_LANES = `  let sg = lid.x / SG;
  let lane = lid.x % SG;
  let stBase = sg * N * SS; // this subgroup's stage
  let hBase = sg * N * HS; // this subgroup's own rows in the f16 staging`;

/** WGSL: the element (r, c) of this subgroup's N × TK stage that lane `lane` takes at (rho, t). */
export const laneRow = (rho: string) => `(lane / LPR + (SG / LPR) * ${rho})`;
export const laneCol = (t: string) => `(lane % LPR + LPR * ${t})`;

/** WGSL: this lane's (rho, t) elements of the subgroup's N × TK stages, row r and column c. */
export const perElement = (body: string) => `    for (var rho = 0u; rho < RPL; rho++) {
      let r = ${laneRow('rho')};
      for (var t = 0u; t < TK / LPR; t++) {
        let c = ${laneCol('t')};
${body}
      }
    }`;

/**
 * WGSL, inline in main: `count` rows from row `first` (< u.L, else zeros) of vec4 binding `src` (row layout
 * [B, L, H·dh]) into f16 array `dst` with row stride `stride`, by the whole workgroup (coalesced vec4 reads).
 */
export const loadRows = (
  src: string,
  dst: string,
  first: string,
  count: string,
  stride: string,
) => `    for (var e = lid.x; e < ${count} * (DH / 4u); e += THREADS) {
      let r = e / (DH / 4u);
      let c = e % (DH / 4u);
      var x = vec4<f32>(0.0);
      if (${first} + r < u.L) { x = ${src}[rowAt(b, ${first} + r, h) / 4u + c]; }
      let o = r * ${stride} + c * 4u;
      ${dst}[o] = f16(x.x); ${dst}[o + 1u] = f16(x.y); ${dst}[o + 2u] = f16(x.z); ${dst}[o + 3u] = f16(x.w);
    }`;

/**
 * WGSL: this workgroup's own ROWS rows of `src` from row `first` staged through `hs` into left fragments
 * `${name}0…` (dh / N of them, held in registers for the whole kernel), barriers around.
 */
export function ownFragments(src: string, name: string, first: string, shape: TcShape, dh: number): string {
  const loads = range(dh / shape.size)
    .map((c) => `  let ${name}${c} = subgroupMatrixLoad<subgroup_matrix_left<f16, N, N>, row_major>(&hs, hBase + ${c * shape.size}u, HS);`)
    .join('\n');
  return `  workgroupBarrier();
${loadRows(src, 'hs', first, 'ROWS', 'HS')}
  workgroupBarrier();
${loads}`;
}

/**
 * WGSL: result fragments `${acc}0…` (N × DH of this subgroup's rows) out through the stage in chunks of TK
 * columns, barriers around; `write(r, col, value)` stores one element (consecutive lanes take consecutive
 * columns: coalesced). Every subgroup stores, so the barriers stay uniform.
 */
export function storeResult(acc: string, shape: TcShape, dh: number, t: TcAttentionTile, write: (r: string, col: string, value: string) => string): string {
  const perChunk = t.tk / shape.size;
  const chunks = range(Math.ceil(dh / shape.size / perChunk));
  return chunks
    .map((ch) => {
      const frags = range(Math.min(perChunk, dh / shape.size - ch * perChunk)).map((f) => ch * perChunk + f);
      const width = frags.length * shape.size;
      return `  workgroupBarrier();
${frags.map((f, k) => `  subgroupMatrixStore<row_major>(&st, stBase + ${k * shape.size}u, ${acc}${f}, SS);`).join('\n')}
  workgroupBarrier();
  for (var e = lane; e < N * ${width}u; e += SG) {
    let r = e / ${width}u;
    let c = e % ${width}u;
${write('r', `${ch * perChunk * shape.size}u + c`, 'st[stBase + r * SS + c]')}
  }`;
    })
    .join('\n');
}

export { range };
