/**
 * Split-K for products with few output tiles (the weight gradients: 256×256 outputs, K = B·L ≈ 19k), shared by
 * the fp32 and tensor-core matmuls (matmul.ts, matmul-tc.ts): each split writes its partial
 * [splits, batch, M, N] and REDUCE_WGSL sums them in a fixed order (+ bias, + addend, + the column sums'
 * splits), so the result is deterministic and needs no atomics.
 */

/** Split K when the tiles alone give fewer workgroups than this (~4 resident 256-thread workgroups per SM on a 132-SM H100). */
const MIN_WORKGROUPS = 512;

/**
 * Splits K into chunks of ≥ 256 (multiples of the kernel's K step) until `tiles` tiles make MIN_WORKGROUPS
 * workgroups; each split writes a partial that REDUCE_WGSL sums in a fixed order.
 */
export function splitK(tiles: number, k: number, step: number): { splits: number; kChunk: number } {
  const wanted = tiles >= MIN_WORKGROUPS ? 1 : Math.max(1, Math.min(Math.ceil(MIN_WORKGROUPS / tiles), Math.floor(k / 256)));
  const kChunk = Math.ceil(Math.ceil(k / wanted) / step) * step;
  return { splits: Math.ceil(k / kChunk), kChunk };
}

export const REDUCE_WGSL = /* wgsl */ `
struct U { size: u32, n: u32, splits: u32, hasBias: u32, hasAddend: u32, colSum: u32, pad1: u32, pad2: u32 }
@group(0) @binding(0) var<storage, read_write> out: array<f32>;
@group(0) @binding(1) var<storage, read> part: array<f32>;
@group(0) @binding(2) var<storage, read> bias: array<f32>;
@group(0) @binding(3) var<storage, read> addend: array<f32>;
@group(0) @binding(4) var<uniform> u: U;
@group(0) @binding(5) var<storage, read_write> csum: array<f32>; // colSum: [N], the splits' column sums added
@group(0) @binding(6) var<storage, read> csumPart: array<f32>; // [splits, N]

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let e = gid.x + gid.y * groups.x * 256u;
  if (e >= u.size) {
    // Threads past the product add the column sums' splits (colSum: u.n of them).
    let c = e - u.size;
    if (u.colSum == 1u && c < u.n) {
      var colTotal = 0.0;
      for (var k = 0u; k < u.splits; k++) { colTotal += csumPart[k * u.n + c]; }
      csum[c] = colTotal;
    }
    return;
  }
  var s = 0.0;
  for (var k = 0u; k < u.splits; k++) { s += part[k * u.size + e]; }
  if (u.hasBias == 1u) { s += bias[e % u.n]; }
  if (u.hasAddend == 1u) { s += addend[e]; }
  out[e] = s;
}`;

/**
 * WGSL: which output tile (m0, n0), batch entry (bi) and K split this workgroup computes, for tiles of
 * tm × tn; `live` is false for the padding workgroups of the last 2-D row (they run the loop, write nothing).
 */
export const workgroupTile = (tm: number, tn: number): string => `  let flat = wid.x + wid.y * groups.x;
  let live = flat < u.total;
  let g = min(flat, u.total - 1u);
  let split = g % u.splits;
  let t = g / u.splits;
  let bi = t / u.tilesMN;
  let r = t % u.tilesMN;
  let m0 = (r / u.tilesN) * ${tm}u;
  let n0 = (r % u.tilesN) * ${tn}u;
  let aBase = bi * u.aStride;
  let bBase = bi * u.bStride;`;
