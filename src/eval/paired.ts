/**
 * Paired comparison of two policies scored 0/1 on the same samples: the difference of their accuracies with a
 * paired bootstrap 95% interval, and the exact McNemar test on the discordant pairs. Pairing removes the
 * between-puzzle variance (both runs see the same puzzles), so it tells apart differences that two
 * independent Wilson intervals would not.
 */
// The arithmetic is src/stats/'s (the reproduce verdicts' tests); this is the demo's 0/1-scores form of it.
import { binomialTwoSidedHalf } from '../stats/distributions.ts';
import { pairedBootstrap } from '../stats/paired.ts';

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

/** Two-sided exact McNemar p-value: 2·P(X ≤ min(b, c)) for X ~ Binomial(b + c, ½), capped at 1. */
export function mcnemarExact(onlyA: number, onlyB: number): number {
  for (const [name, v] of [
    ['onlyA', onlyA],
    ['onlyB', onlyB],
  ] as const) {
    if (!Number.isInteger(v) || v < 0) throw new RangeError(`mcnemarExact: ${name} must be a non-negative integer, got ${v}`);
  }
  return binomialTwoSidedHalf(onlyA, onlyA + onlyB);
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
    if ((a[i] !== 0 && a[i] !== 1) || (b[i] !== 0 && b[i] !== 1))
      throw new RangeError(`pairedComparison: scores must be 0 or 1, got ${a[i]} and ${b[i]} at sample ${i}`);
    sumA += a[i];
    sumB += b[i];
    d[i] = b[i] - a[i];
    if (d[i] < 0) onlyA++;
    else if (d[i] > 0) onlyB++;
  }
  if (n === 0) return { n, a: 0, b: 0, diff: 0, ci95: [-1, 1], onlyA, onlyB, pValue: 1 };
  const { ci95 } = pairedBootstrap([Array.from(d)], { reps: resamples, seed: options.seed ?? 'paired-bootstrap' });
  return { n, a: sumA / n, b: sumB / n, diff: (sumB - sumA) / n, ci95, onlyA, onlyB, pValue: mcnemarExact(onlyA, onlyB) };
}

/** True when the interval of b − a excludes 0: the two policies differ on this metric at the 95% level. */
export const differs = (c: PairedComparison): boolean => c.ci95[0] > 0 || c.ci95[1] < 0;
