/** WGSL pieces shared by the fused attention kernels (attention.ts). */

/** Query rows per workgroup (one thread each) in the forward and dq kernels; keys per dkdv workgroup. */
export const ROWS = 64;

export const UNIFORMS = /* wgsl */ `
struct U { L: u32, H: u32, prefix: u32, qBlocks: u32, total: u32, hasBias: u32, scale: f32, pad: u32 }`;

/** WGSL shared by the kernels: which (b, h, block) this workgroup is, and row addressing in [B, L, H, dh]. */
export const PRELUDE = (dh4: number) => /* wgsl */ `
const DH4 = ${dh4}u;
fn rowOf(b: u32, l: u32, h: u32) -> u32 { return ((b * u.L + l) * u.H + h) * DH4; }
fn visible(i: u32, j: u32) -> bool { return i < u.L && j < u.L && (j < u.prefix || j <= i); }
// Dot products accumulate as vec4 lanes, summed at the end: four dependency chains of dh/4, not one of dh.
fn hsum(v: vec4<f32>) -> f32 { return (v.x + v.y) + (v.z + v.w); }
fn keyBias(b: u32, j: u32) -> f32 { if (u.hasBias == 1u) { return kb[b * u.L + min(j, u.L - 1u)]; } return 0.0; }`;

/** WGSL: this workgroup's index g (2-D folded, clamped; `live` false past u.total), its block `name`, b and h. */
export const blockOf = (name: string) => `  let g = min(wid.x + wid.y * groups.x, u.total - 1u);
  let live = wid.x + wid.y * groups.x < u.total;
  let ${name} = g % u.qBlocks;
  let bh = g / u.qBlocks;
  let b = bh / u.H;
  let h = bh % u.H;`;

/** WGSL: the workgroup tiles of T keys (K, V and their key biases) that query-row kernels stream through. */
export const kvTiles = (t: number, dh4: number) => `const T = ${t}u;
var<workgroup> ks: array<vec4<f32>, ${t * dh4}>;
var<workgroup> vs: array<vec4<f32>, ${t * dh4}>;
var<workgroup> kbs: array<f32, ${t}>; // the tile's key biases`;

/**
 * WGSL, inline in main (barriers must stay there for Dawn's GLES path): the tile of T keys from k0 — K, V
 * and their key biases — loaded by `threads` threads into kvTiles' workgroup arrays.
 */
export const loadKvTile = (threads: number) => `    workgroupBarrier();
    for (var e = lid.x; e < T * DH4; e += ${threads}u) {
      let src = rowOf(b, min(k0 + e / DH4, u.L - 1u), h) + e % DH4;
      ks[e] = k[src];
      vs[e] = v[src];
    }
    if (lid.x < T) { kbs[lid.x] = keyBias(b, k0 + lid.x); }
    workgroupBarrier();`;
