/** Statistics for reports: proportions with 95% intervals, means, and Pearson r with its interval. */

export interface Proportion {
  readonly value: number; // successes / count (0 when count is 0)
  readonly successes: number;
  readonly count: number;
  readonly ci95: readonly [number, number]; // Wilson score interval
}

const Z95 = 1.959963984540054;

/** Proportion with a Wilson 95% interval (well-behaved at 0, 1 and small counts, unlike the normal one). */
export function proportion(successes: number, count: number): Proportion {
  if (count === 0) return { value: 0, successes: 0, count: 0, ci95: [0, 1] };
  const p = successes / count;
  const z2 = Z95 * Z95;
  const centre = (p + z2 / (2 * count)) / (1 + z2 / count);
  const half = (Z95 / (1 + z2 / count)) * Math.sqrt((p * (1 - p)) / count + z2 / (4 * count * count));
  // At p = 0 or 1 the bound is exactly 0 or 1; floating point would leave it a hair inside.
  const lo = successes === 0 ? 0 : Math.max(0, centre - half);
  const hi = successes === count ? 1 : Math.min(1, centre + half);
  return { value: p, successes, count, ci95: [lo, hi] };
}

export function mean(xs: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += xs[i];
  return xs.length ? s / xs.length : 0;
}

/** Unbiased (n−1) standard deviation; 0 for fewer than two values. */
export function stdUnbiased(xs: ArrayLike<number>): number {
  if (xs.length < 2) return 0;
  const m = mean(xs);
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += (xs[i] - m) ** 2;
  return Math.sqrt(s / (xs.length - 1));
}

export interface Correlation {
  readonly r: number; // NaN when either side is constant
  readonly n: number;
  readonly ci95: readonly [number, number]; // Fisher z interval; [NaN, NaN] when undefined
}

/** Pearson correlation of paired samples with a Fisher-z 95% interval. */
export function pearson(xs: ArrayLike<number>, ys: ArrayLike<number>): Correlation {
  if (xs.length !== ys.length) throw new Error(`pearson: lengths differ (${xs.length} vs ${ys.length})`);
  const n = xs.length;
  const mx = mean(xs);
  const my = mean(ys);
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = xs[i] - mx;
    const dy = ys[i] - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  if (n < 2 || sxx === 0 || syy === 0) return { r: Number.NaN, n, ci95: [Number.NaN, Number.NaN] };
  const r = Math.max(-1, Math.min(1, sxy / Math.sqrt(sxx * syy)));
  if (n <= 3 || Math.abs(r) === 1) return { r, n, ci95: [r, r] };
  const z = Math.atanh(r);
  const se = 1 / Math.sqrt(n - 3);
  return { r, n, ci95: [Math.tanh(z - Z95 * se), Math.tanh(z + Z95 * se)] };
}
