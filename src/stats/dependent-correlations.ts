/**
 * Williams' t test (Steiger 1980, eq. 14) of two dependent correlations that share a variable: r(x, y) against
 * r(x, z) on the same n observations, given r(y, z). Used for r(a, ã_r) vs r(a, a_p) (finding 5) and for two
 * surrogates' r with a_p (finding 6).
 */
import { normalQuantile, studentTCdf } from './distributions.ts';

export interface DependentCorrelations {
  readonly rxy: number;
  readonly rxz: number;
  readonly ryz: number;
  readonly n: number;
  readonly t: number; // NaN when undefined
  readonly df: number;
  readonly p: number; // two-sided; 1 when the test is undefined (n ≤ 3 or an r undefined)
  readonly mde: number; // the r difference detectable at 80% power with α 0.05 at this n (Fisher-z scale, near r = 0)
}

export function williamsTest(rxy: number, rxz: number, ryz: number, n: number, alpha = 0.05): DependentCorrelations {
  const df = n - 3;
  const mde = n > 3 ? (normalQuantile(1 - alpha / 2) + normalQuantile(0.8)) * Math.sqrt((2 * (1 - (Number.isNaN(ryz) ? 0 : ryz))) / (n - 3)) : Infinity;
  if (n <= 3 || [rxy, rxz, ryz].some((r) => Number.isNaN(r))) return { rxy, rxz, ryz, n, t: NaN, df, p: 1, mde };
  const det = 1 - rxy * rxy - rxz * rxz - ryz * ryz + 2 * rxy * rxz * ryz;
  const rbar = (rxy + rxz) / 2;
  const denom = Math.sqrt(((2 * (n - 1)) / (n - 3)) * det + rbar * rbar * (1 - ryz) ** 3);
  if (!(denom > 0)) return { rxy, rxz, ryz, n, t: NaN, df, p: rxy === rxz ? 1 : 0, mde };
  const t = ((rxy - rxz) * Math.sqrt((n - 1) * (1 + ryz))) / denom;
  const p = Math.min(1, 2 * studentTCdf(-Math.abs(t), df));
  return { rxy, rxz, ryz, n, t, df, p, mde };
}
