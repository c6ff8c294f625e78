/**
 * Paired comparison of two policies scored 0/1 on the same samples: the difference of their accuracies with a
 * paired bootstrap 95% interval, and the exact McNemar test on the discordant pairs. Pairing removes the
 * between-puzzle variance (both runs see the same puzzles), so it tells apart differences that two
 * independent Wilson intervals would not.
 */
import { Rng } from '../rng.ts';

export interface PairedComparison {
  readonly n: number; // paired samples
  readonly a: number; // accuracy of the first policy
  readonly b: number; // accuracy of the second
  readonly diff: number; // b − a
  readonly ci95: readonly [number, number]; // paired bootstrap percentile interval of b − a
  readonly onlyA: number; // samples the first gets right and the second wrong
  readonly onlyB: number;
  readonly pValue: number; // exact McNemar (two-sided binomial test of onlyB against onlyA)
}

/** log C(n, k) by summing logs (n is a sample count: at most a few thousand). */
function logChoose(n: number, k: number): number {
  let s = 0;
  for (let i = 1; i <= k; i++) s += Math.log(n - k + i) - Math.log(i);
  return s;
}

/** Two-sided exact McNemar p-value: 2·P(X ≤ min(b, c)) for X ~ Binomial(b + c, ½), capped at 1. */
export function mcnemarExact(onlyA: number, onlyB: number): number {
  for (const [name, v] of [['onlyA', onlyA], ['onlyB', onlyB]] as const) {
    if (!Number.isInteger(v) || v < 0) throw new RangeError(`mcnemarExact: ${name} must be a non-negative integer, got ${v}`);
  }
  const m = onlyA + onlyB;
  if (m === 0) return 1;
  const low = Math.min(onlyA, onlyB);
  let tail = 0;
  for (let k = 0; k <= low; k++) tail += Math.exp(logChoose(m, k) - m * Math.LN2);
  return Math.min(1, 2 * tail);
}

export interface PairedOptions {
  readonly resamples?: number; // bootstrap resamples (default 10,000)
  readonly seed?: number | string; // the bootstrap's RNG seed (default 'paired-bootstrap'): same inputs, same interval
}

/** Compares 0/1 scores `a[i]` and `b[i]` of the same sample i (see the file comment). */
export function pairedComparison(a: ArrayLike<number>, b: ArrayLike<number>, options: PairedOptions = {}): PairedComparison {
  if (a.length !== b.length) throw new Error(`pairedComparison: the two score lists differ in length (${a.length} vs ${b.length}); pair them by sample first`);
  const n = a.length;
  const resamples = options.resamples ?? 10_000;
  if (!Number.isInteger(resamples) || resamples < 1) throw new RangeError(`pairedComparison: resamples must be a positive integer, got ${resamples}`);
  const d = new Int8Array(n);
  let sumA = 0;
  let sumB = 0;
  let onlyA = 0;
  let onlyB = 0;
  for (let i = 0; i < n; i++) {
    if ((a[i] !== 0 && a[i] !== 1) || (b[i] !== 0 && b[i] !== 1)) throw new RangeError(`pairedComparison: scores must be 0 or 1, got ${a[i]} and ${b[i]} at sample ${i}`);
    sumA += a[i];
    sumB += b[i];
    d[i] = b[i] - a[i];
    if (d[i] < 0) onlyA++;
    else if (d[i] > 0) onlyB++;
  }
  if (n === 0) return { n, a: 0, b: 0, diff: 0, ci95: [-1, 1], onlyA, onlyB, pValue: 1 };
  const rng = new Rng(options.seed ?? 'paired-bootstrap');
  const diffs = new Float64Array(resamples);
  for (let r = 0; r < resamples; r++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += d[rng.int(n)];
    diffs[r] = s / n;
  }
  diffs.sort();
  const at = (q: number) => diffs[Math.min(resamples - 1, Math.max(0, Math.floor(q * resamples)))];
  return { n, a: sumA / n, b: sumB / n, diff: (sumB - sumA) / n, ci95: [at(0.025), at(0.975)], onlyA, onlyB, pValue: mcnemarExact(onlyA, onlyB) };
}

/** True when the interval of b − a excludes 0: the two policies differ on this metric at the 95% level. */
export const differs = (c: PairedComparison): boolean => c.ci95[0] > 0 || c.ci95[1] < 0;
