/**
 * The fused attention forward (webgpu-attention.ts) register-tiled, as a matmul is: 64 threads take 32 query
 * rows × 32 keys a tile, each thread a 4-row × 4-key block of scores (an outer product per head dimension:
 * 2 vec4 reads of workgroup memory per 16 FMA) and 4 rows × dh/8 columns of the output (P·V: 1 + dh/32 vec4
 * reads per 4·dh/8 FMA). The one-thread-a-row kernel reads a vec4 of K or V per 4 FMA and ran at ~2 TFLOP/s
 * on the H100 (3.1 ms of a `small` step). Row maxima and sums of a tile are gathered through workgroup
 * memory, every thread of a row group adding the 8 partials in the same order, so all hold the same running
 * max and sum. Same outputs as forwardWgsl: O [B, L, H, dh] and lse [B·H, L].
 * Used for dh a multiple of 32 up to 64 when ~30 KB of workgroup memory fits; ASYMFLOW_ATTENTION_TILED=0
 * keeps the one-thread-a-row kernel (A/B runs).
 */
import { PRELUDE } from './webgpu-attention-wgsl.ts';

/** Query rows and keys per tile, threads per workgroup (8 row groups × 8 key groups). */
export const TILE_ROWS = 32;
export const TILE_KEYS = 32;
export const TILE_THREADS = 64;

/** Bytes of workgroup memory the kernel needs at head size dh. */
export const tiledStorageBytes = (dh: number): number =>
  4 * (dh * TILE_ROWS + dh * TILE_KEYS + TILE_KEYS * dh + TILE_KEYS * TILE_ROWS + 2 * 8 * TILE_ROWS + TILE_KEYS);

export const tiledApplies = (dh: number, storageLimit: number): boolean => dh % 32 === 0 && dh <= 64 && tiledStorageBytes(dh) <= storageLimit;

export const forwardTiledWgsl = (dh4: number): string => {
  const dv = dh4 / 8; // output vec4s per thread and row
  const rows = [0, 1, 2, 3];
  const cols = Array.from({ length: dv }, (_, c) => c);
  return /* wgsl */ `
struct U { L: u32, H: u32, prefix: u32, qBlocks: u32, total: u32, hasBias: u32, scale: f32, pad: u32 }
@group(0) @binding(0) var<storage, read_write> out: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read_write> lse: array<f32>;
@group(0) @binding(2) var<storage, read> q: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read> k: array<vec4<f32>>;
@group(0) @binding(4) var<storage, read> v: array<vec4<f32>>;
@group(0) @binding(5) var<storage, read> kb: array<f32>;
@group(0) @binding(6) var<uniform> u: U;
${PRELUDE(dh4)}
const DH = ${4 * dh4}u;
var<workgroup> qs: array<vec4<f32>, ${dh4 * 4 * 8}>; // [d][row / 4]: q·scale, 4 rows a vec4
var<workgroup> kt: array<vec4<f32>, ${dh4 * 4 * 8}>; // [d][key / 4]: k, 4 keys a vec4
var<workgroup> vt: array<vec4<f32>, ${32 * dh4}>; // [key][d / 4]
var<workgroup> pt: array<vec4<f32>, ${32 * 8}>; // [key][row / 4]: p, 4 rows a vec4
var<workgroup> redMax: array<f32, ${8 * 32}>; // [key group][row]
var<workgroup> redSum: array<f32, ${8 * 32}>;
var<workgroup> kbs: array<f32, 32>;

// Barriers only in main and in uniform control flow (GLSL on Dawn's GLES path in CI forbids the rest).
@compute @workgroup_size(64)
fn main(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let g = min(wid.x + wid.y * groups.x, u.total - 1u);
  let live = wid.x + wid.y * groups.x < u.total;
  let qb = g % u.qBlocks;
  let bh = g / u.qBlocks;
  let b = bh / u.H;
  let h = bh % u.H;
  let rg = lid.x / 8u; // rows 4rg … 4rg + 3 of the block
  let kg = lid.x % 8u; // keys 4kg … 4kg + 3 of a tile; output columns (vec4) kg·${dv} …
  let r0 = qb * 32u;
  // The block's q rows, scaled, transposed into [d][row].
  for (var e = lid.x; e < 32u * DH4; e += 64u) {
    let r = e / DH4;
    let c = e % DH4;
    let x = q[rowOf(b, min(r0 + r, u.L - 1u), h) + c] * u.scale;
    qs[(4u * c) * 8u + r / 4u][r % 4u] = x.x;
    qs[(4u * c + 1u) * 8u + r / 4u][r % 4u] = x.y;
    qs[(4u * c + 2u) * 8u + r / 4u][r % 4u] = x.z;
    qs[(4u * c + 3u) * 8u + r / 4u][r % 4u] = x.w;
  }
${rows.map((r) => `  let i${r} = r0 + 4u * rg + ${r}u;\n  var m${r} = -1.0e30;\n  var l${r} = 0.0;\n${cols.map((c) => `  var acc${r}_${c} = vec4<f32>(0.0);`).join('\n')}`).join('\n')}
  let kEnd = min(u.L, max(u.prefix, r0 + 32u));
  for (var k0 = 0u; k0 < kEnd; k0 += 32u) {
    workgroupBarrier();
    for (var e = lid.x; e < 32u * DH4; e += 64u) {
      let j = e / DH4;
      let c = e % DH4;
      let src = rowOf(b, min(k0 + j, u.L - 1u), h) + c;
      let x = k[src];
      kt[(4u * c) * 8u + j / 4u][j % 4u] = x.x;
      kt[(4u * c + 1u) * 8u + j / 4u][j % 4u] = x.y;
      kt[(4u * c + 2u) * 8u + j / 4u][j % 4u] = x.z;
      kt[(4u * c + 3u) * 8u + j / 4u][j % 4u] = x.w;
      vt[j * DH4 + c] = v[src];
    }
    if (lid.x < 32u) { kbs[lid.x] = keyBias(b, k0 + lid.x); }
    workgroupBarrier();
    // Scores of rows 4rg + r, keys 4kg … 4kg + 3.
${rows.map((r) => `    var s${r} = vec4<f32>(0.0);`).join('\n')}
    for (var d = 0u; d < DH; d++) {
      let qv = qs[d * 8u + rg];
      let kv = kt[d * 8u + kg];
${rows.map((r) => `      s${r} += qv.${'xyzw'[r]} * kv;`).join('\n')}
    }
    let bias = vec4<f32>(kbs[4u * kg], kbs[4u * kg + 1u], kbs[4u * kg + 2u], kbs[4u * kg + 3u]);
    let j0 = k0 + 4u * kg;
${rows.map((r) => `    s${r} += bias;
    let seen${r} = vec4<bool>(visible(i${r}, j0), visible(i${r}, j0 + 1u), visible(i${r}, j0 + 2u), visible(i${r}, j0 + 3u));
    let masked${r} = select(vec4<f32>(-1.0e30), s${r}, seen${r});
    redMax[kg * 32u + 4u * rg + ${r}u] = max(max(masked${r}.x, masked${r}.y), max(masked${r}.z, masked${r}.w));`).join('\n')}
    workgroupBarrier();
${rows.map((r) => `    var bm${r} = m${r};
    for (var t = 0u; t < 8u; t++) { bm${r} = max(bm${r}, redMax[t * 32u + 4u * rg + ${r}u]); }
    let p${r} = select(vec4<f32>(0.0), exp(s${r} - bm${r}), seen${r});
    redSum[kg * 32u + 4u * rg + ${r}u] = (p${r}.x + p${r}.y) + (p${r}.z + p${r}.w);`).join('\n')}
    pt[(4u * kg) * 8u + rg] = vec4<f32>(p0.x, p1.x, p2.x, p3.x);
    pt[(4u * kg + 1u) * 8u + rg] = vec4<f32>(p0.y, p1.y, p2.y, p3.y);
    pt[(4u * kg + 2u) * 8u + rg] = vec4<f32>(p0.z, p1.z, p2.z, p3.z);
    pt[(4u * kg + 3u) * 8u + rg] = vec4<f32>(p0.w, p1.w, p2.w, p3.w);
    workgroupBarrier();
${rows.map((r) => `    var ts${r} = 0.0;
    for (var t = 0u; t < 8u; t++) { ts${r} += redSum[t * 32u + 4u * rg + ${r}u]; }
    let corr${r} = exp(m${r} - bm${r});
    l${r} = l${r} * corr${r} + ts${r};
    m${r} = bm${r};
${cols.map((c) => `    acc${r}_${c} *= corr${r};`).join('\n')}`).join('\n')}
    for (var j = 0u; j < 32u; j++) {
      let pv = pt[j * 8u + rg];
${cols.map((c) => `      let v${c} = vt[j * DH4 + kg * ${dv}u + ${c}u];`).join('\n')}
${rows.map((r) => cols.map((c) => `      acc${r}_${c} += pv.${'xyzw'[r]} * v${c};`).join('\n')).join('\n')}
    }
  }
  if (live) {
${rows.map((r) => `    if (i${r} < u.L) {
      let inv = 1.0 / l${r};
      let base = rowOf(b, i${r}, h) + kg * ${dv}u;
${cols.map((c) => `      out[base + ${c}u] = acc${r}_${c} * inv;`).join('\n')}
      if (kg == 0u) { lse[bh * u.L + i${r}] = m${r} + log(l${r}); }
    }`).join('\n')}
  }
}`;
};
