/** WGSL of the fused attention (attention.ts): the pieces its kernels share, and the forward kernel. */

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

/** Forward: O [B, L, H, dh] and lse [B·H, L]. */
export const forwardWgsl = (dh4: number, t: number) => /* wgsl */ `${UNIFORMS}
@group(0) @binding(0) var<storage, read_write> out: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read_write> lse: array<f32>;
@group(0) @binding(2) var<storage, read> q: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read> k: array<vec4<f32>>;
@group(0) @binding(4) var<storage, read> v: array<vec4<f32>>;
@group(0) @binding(5) var<storage, read> kb: array<f32>;
@group(0) @binding(6) var<uniform> u: U;
${PRELUDE(dh4)}
${kvTiles(t, dh4)}

// Barriers only in main and in uniform control flow (GLSL on Dawn's GLES path in CI forbids the rest).
@compute @workgroup_size(${ROWS})
fn main(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
${blockOf('qb')}
  let i = qb * ${ROWS}u + lid.x;
  let base = rowOf(b, min(i, u.L - 1u), h);
  var qr: array<vec4<f32>, DH4>;
  var acc: array<vec4<f32>, DH4>;
  for (var c = 0u; c < DH4; c++) { qr[c] = q[base + c] * u.scale; acc[c] = vec4<f32>(0.0); }
  var m = -1.0e30;
  var l = 0.0;
  // Keys past max(prefix, the block's last query) are masked for every row of the block.
  let kEnd = min(u.L, max(u.prefix, qb * ${ROWS}u + ${ROWS}u));
  for (var k0 = 0u; k0 < kEnd; k0 += T) {
${loadKvTile(ROWS)}
    var s: array<f32, ${t}>;
    var bm = m;
    for (var jj = 0u; jj < T; jj++) {
      var xv = vec4<f32>(0.0);
      for (var c = 0u; c < DH4; c++) { xv += qr[c] * ks[jj * DH4 + c]; }
      let x = hsum(xv) + kbs[jj];
      s[jj] = x;
      if (visible(i, k0 + jj)) { bm = max(bm, x); }
    }
    let corr = exp(m - bm);
    l *= corr;
    for (var c = 0u; c < DH4; c++) { acc[c] *= corr; }
    for (var jj = 0u; jj < T; jj++) {
      var p = 0.0;
      if (visible(i, k0 + jj)) { p = exp(s[jj] - bm); }
      l += p;
      for (var c = 0u; c < DH4; c++) { acc[c] += p * vs[jj * DH4 + c]; }
    }
    m = bm;
  }
  if (live && i < u.L) {
    let inv = 1.0 / l;
    for (var c = 0u; c < DH4; c++) { out[base + c] = acc[c] * inv; }
    lse[bh * u.L + i] = m + log(l);
  }
}`;
