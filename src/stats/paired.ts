/**
 * Paired comparisons on per-puzzle records: two accuracies measured on the same puzzles (exact McNemar), and
 * the mean of per-puzzle differences (a gain, or a difference of gains) by a bootstrap that resamples seeds
 * and, inside each drawn seed, its puzzles — so the interval carries both the puzzle sample and the training
 * seed. Every test here is two-sided; a verdict asks for significance *and* the claimed sign.
 */
import { Rng } from '../rng.ts';
import { binomialTwoSidedHalf, normalQuantile } from './distributions.ts';

/** 0/1 outcomes per puzzle; null where the puzzle was not scored (a failed request): such a pair is dropped. */
export type Outcomes = readonly (number | null)[];

export interface McNemar {
  readonly n: number; // complete pairs
  readonly onlyX: number; // x right, y wrong
  readonly onlyY: number; // y right, x wrong
  readonly difference: number; // mean(y) − mean(x) over the complete pairs (0 when n = 0)
  readonly p: number; // exact two-sided (binomial on the discordant pairs at ½); 1 when none is discordant
}

/** McNemar's exact test of y against x, paired by index; pools strata (seeds) given as several vectors. */
export function mcnemarExact(pairs: readonly { readonly x: Outcomes; readonly y: Outcomes }[]): McNemar {
  let n = 0;
  let onlyX = 0;
  let onlyY = 0;
  for (const { x, y } of pairs) {
    if (x.length !== y.length) throw new Error(`mcnemarExact: the two outcome vectors differ in length (${x.length} vs ${y.length})`);
    for (let i = 0; i < x.length; i++) {
      const a = x[i];
      const b = y[i];
      if (a === null || b === null) continue;
      if ((a !== 0 && a !== 1) || (b !== 0 && b !== 1)) throw new Error(`mcnemarExact: outcomes must be 0 or 1, got ${a} and ${b} at puzzle ${i}`);
      n++;
      if (a === 1 && b === 0) onlyX++;
      if (a === 0 && b === 1) onlyY++;
    }
  }
  return { n, onlyX, onlyY, difference: n === 0 ? 0 : (onlyY - onlyX) / n, p: binomialTwoSidedHalf(onlyX, onlyX + onlyY) };
}

export interface Bootstrap {
  readonly n: number; // values pooled over every seed
  readonly seeds: number;
  readonly estimate: number; // the mean over all values
  readonly ci95: readonly [number, number]; // percentile interval
  readonly se: number; // standard deviation of the bootstrap means
  readonly p: number; // two-sided: 2·min(share of means ≤ 0, share ≥ 0), at least 1/reps; 1 when n = 0
  readonly reps: number;
}

export interface BootstrapOptions {
  readonly reps?: number; // default 4000
  readonly seed?: number | string; // default 'paired-bootstrap'
}

/**
 * The bootstrap of a mean of per-puzzle values, one vector per seed: each replicate draws the seeds with
 * replacement (when there are several) and then the puzzles of each drawn seed with replacement. Seeded: the
 * same input gives the same interval and p.
 */
export function pairedBootstrap(perSeed: readonly (readonly number[])[], o: BootstrapOptions = {}): Bootstrap {
  const reps = o.reps ?? 4000;
  const groups = perSeed.filter((g) => g.length > 0);
  const all = groups.flat();
  const n = all.length;
  if (n === 0) return { n: 0, seeds: 0, estimate: 0, ci95: [0, 0], se: 0, p: 1, reps: 0 };
  if (all.some((v) => !Number.isFinite(v))) throw new Error('pairedBootstrap: every value must be a finite number');
  const estimate = all.reduce((s, v) => s + v, 0) / n;
  const rng = new Rng(o.seed ?? 'paired-bootstrap');
  const means = new Float64Array(reps);
  for (let r = 0; r < reps; r++) {
    let sum = 0;
    let count = 0;
    for (let s = 0; s < groups.length; s++) {
      const g = groups.length > 1 ? groups[rng.int(groups.length)] : groups[s];
      for (let i = 0; i < g.length; i++) sum += g[rng.int(g.length)];
      count += g.length;
    }
    means[r] = sum / count;
  }
  means.sort();
  const at = (q: number) => means[Math.min(reps - 1, Math.max(0, Math.round(q * (reps - 1))))];
  let below = 0;
  let above = 0;
  let m = 0;
  for (const v of means) {
    if (v <= 0) below++;
    if (v >= 0) above++;
    m += v;
  }
  m /= reps;
  let ss = 0;
  for (const v of means) ss += (v - m) ** 2;
  const p = Math.min(1, Math.max(1 / reps, (2 * Math.min(below, above)) / reps));
  return { n, seeds: groups.length, estimate, ci95: [at(0.025), at(0.975)], se: Math.sqrt(ss / Math.max(1, reps - 1)), p, reps };
}

/** Per-puzzle differences y − x of complete pairs (null dropped), one vector per seed. */
export function differences(pairs: readonly { readonly x: Outcomes; readonly y: Outcomes }[]): number[][] {
  return pairs.map(({ x, y }) => {
    if (x.length !== y.length) throw new Error(`differences: the two vectors differ in length (${x.length} vs ${y.length})`);
    const d: number[] = [];
    for (let i = 0; i < x.length; i++) if (x[i] !== null && y[i] !== null) d.push((y[i] as number) - (x[i] as number));
    return d;
  });
}

/**
 * The smallest effect a two-sided test at `alpha` detects with 80% power, given the standard error measured
 * at the n used: (z_{1−α/2} + z_{0.8})·se. With se 0 (every pair equal) the measured spread says nothing,
 * so the floor below is reported instead.
 */
export function minimalDetectableEffect(se: number, alpha: number): number {
  return (normalQuantile(1 - alpha / 2) + normalQuantile(0.8)) * se;
}

/**
 * The smallest paired difference of proportions that can reach p < alpha at all with n pairs: every pair
 * discordant one way takes k of them with 2·½^k < alpha, so nothing below k/n can be declared. Infinity when n
 * is too small for any k.
 */
export function mcnemarFloor(n: number, alpha: number): number {
  const k = Math.ceil(Math.log2(2 / alpha) + 1e-12);
  return k <= n ? k / n : Infinity;
}
