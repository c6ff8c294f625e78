/**
 * IEEE binary16 rounding (round to nearest, ties to even, subnormals kept, overflow to ±Infinity): what the
 * tensor-core matmul does to each float32 operand (WGSL's f16(x)), for the parity bounds and their tests.
 * Node 20 has no Float16Array.
 */
export function f16Round(x: number): number {
  if (!Number.isFinite(x) || x === 0) return x;
  const sign = x < 0 ? -1 : 1;
  const v = Math.abs(x);
  if (v >= 65520) return sign * Infinity; // halfway to the next binade past 65504 rounds up
  // Spacing of f16 values around v: 2^(e-10) for normals (e ≥ -14), 2^-24 for subnormals.
  const e = Math.max(Math.floor(Math.log2(v)), -14);
  const ulp = 2 ** (e - 10);
  const q = v / ulp;
  let r = Math.round(q);
  if (Math.abs(q - Math.trunc(q) - 0.5) < 1e-12 && r % 2 !== 0) r -= 1; // ties to even
  return sign * r * ulp;
}
