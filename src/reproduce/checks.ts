/**
 * The tests behind the verdicts, declared before any number is seen: every check is two-sided at α = 0.05
 * with Holm's correction over every check of a report, and a check reproduces only when its Holm-adjusted p
 * is below α *and* its effect has the sign the paper claims; significant with the other sign does not
 * reproduce; anything else is inconclusive and states the minimal detectable effect at the n used. A check
 * whose data the run does not have is "not run" and says what is missing — never a pass.
 *
 * Inputs are per seed (one entry per training seed), so every test pools seeds: McNemar over all seed ×
 * puzzle pairs, the bootstrap over seeds and then puzzles, correlations over all rollouts.
 */
import type { Outcome as Bit, PerPuzzle } from '../eval/per-puzzle.ts';
import { alignPuzzles } from '../eval/per-puzzle.ts';
import { williamsTest } from '../stats/dependent-correlations.ts';
import { holmAdjust } from '../stats/holm.ts';
import { binomialCdf, binomialTwoSidedHalf } from '../stats/distributions.ts';
import { differences, mcnemarExact, mcnemarFloor, minimalDetectableEffect, pairedBootstrap } from '../stats/paired.ts';
import { pearson } from '../eval/stats.ts';

export const ALPHA = 0.05;
export type Outcome = 'reproduces' | 'does not reproduce' | 'inconclusive' | 'not run';

export interface Check {
  readonly name: string; // what is claimed, e.g. "a_r gain > a_p gain"
  readonly detail: string; // the numbers and the test
  readonly p: number | null; // the raw two-sided p; null: not run
  readonly agrees: boolean; // the effect has the claimed sign
  readonly mde: string; // "minimal detectable effect …" at the n used
  readonly missing?: string; // not run: what is missing
}

export interface Judged extends Check {
  readonly outcome: Outcome;
  readonly holmP: number | null;
}

export const pp = (x: number) => `${x >= 0 ? '+' : '−'}${Math.abs(100 * x).toFixed(1)} pp`;
export const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
export const fmtP = (p: number) => (p < 1e-4 ? p.toExponential(1) : p.toFixed(4));

export const notRun = (name: string, missing: string, detail = ''): Check => ({ name, detail, p: null, agrees: false, mde: '', missing });

/** Evaluations per seed, as the verdicts read them. */
export interface Measured {
  readonly perPuzzle?: PerPuzzle;
}
export type Metric = 'a' | 'ap' | 'ar' | 'arCond';
export const METRIC_NAME: Readonly<Record<Metric, string>> = { a: 'a', ap: 'a_p', ar: 'a_r', arCond: 'ã_r' };

/** Seed by seed, the two evaluations aligned on their shared puzzles; a string when a record is missing. */
export function paired(xs: readonly Measured[], ys: readonly Measured[], where: string): { x: PerPuzzle; y: PerPuzzle }[] | string {
  if (xs.length === 0 || xs.length !== ys.length) return `the two sides have ${xs.length} and ${ys.length} seeds`;
  const out: { x: PerPuzzle; y: PerPuzzle }[] = [];
  for (let s = 0; s < xs.length; s++) {
    const x = xs[s].perPuzzle;
    const y = ys[s].perPuzzle;
    if (!x || !y) return 'per-puzzle records are missing (a part recorded before they existed; run it again)';
    out.push(alignPuzzles(x, y, where));
  }
  return out;
}

const column = (p: PerPuzzle, m: Metric): readonly Bit[] => p[m];
const meanOf = (vs: readonly Bit[][]) => {
  const flat = vs.flat().filter((v): v is 0 | 1 => v !== null);
  return flat.length ? flat.reduce<number>((s, v) => s + v, 0) / flat.length : 0;
};

/** Exact McNemar of metric `m` from x to y on the same puzzles; `claim` +1: y is higher, −1: y is lower. */
export function mcnemarCheck(name: string, pairs: ReturnType<typeof paired>, m: Metric, labels: [string, string], claim: 1 | -1, bonferroni = 1): Check {
  if (typeof pairs === 'string') return notRun(name, pairs);
  const xs = pairs.map((q) => [...column(q.x, m)]);
  const ys = pairs.map((q) => [...column(q.y, m)]);
  const t = mcnemarExact(pairs.map((q, i) => ({ x: xs[i], y: ys[i] })));
  if (t.n === 0) return notRun(name, 'no puzzle was scored on both sides');
  const p = Math.min(1, t.p * bonferroni);
  const psi = (t.onlyX + t.onlyY) / t.n;
  const se = Math.sqrt(Math.max(0, psi - t.difference ** 2) / t.n);
  const floor = mcnemarFloor(t.n, ALPHA);
  const mde = `${se > 0 ? `minimal detectable effect ≈ ${pp(minimalDetectableEffect(se, ALPHA)).slice(1)} (80% power at this discordance); ` : ''}no difference under ${Number.isFinite(floor) ? pp(floor).slice(1) : 'any size'} can reach p < ${ALPHA} with n = ${t.n}`;
  const name2 = METRIC_NAME[m];
  const detail = `${name2} ${labels[0]} ${pct(meanOf(xs))} → ${labels[1]} ${pct(meanOf(ys))} (${pp(t.difference)}); exact McNemar over ${t.n} puzzle${pairs.length > 1 ? `s of ${pairs.length} seeds` : 's'}: ${t.onlyY} up, ${t.onlyX} down, p = ${fmtP(p)}${bonferroni > 1 ? ` (×${bonferroni} for picking the best of ${bonferroni})` : ''}`;
  return { name, detail, p, agrees: Math.sign(t.difference) === claim, mde };
}

/**
 * The mean over puzzles of a per-puzzle value built from aligned pairs, by the seeded bootstrap; claim its
 * sign. The p is at least 2·½^m for m non-zero values, the smallest p an exact sign-flip test of the mean
 * can give: the bootstrap of three puzzles that all moved one way has no draw below 0 and would call it certain.
 */
export function bootstrapCheck(name: string, what: string, perSeed: number[][] | string, claim: 1 | -1, shift = 0): Check {
  if (typeof perSeed === 'string') return notRun(name, perSeed);
  const check = bootstrapOnly(name, what, perSeed, claim, shift);
  if (shift === 0 || check.p === null || !check.agrees) return check; // the floor guards a claim of non-inferiority only
  // Non-inferiority: under H0 (worse by at least the margin) a puzzle is worse with probability ≥ margin, so
  // seeing only `down` worse puzzles of n has p ≤ P(Binomial(n, margin) ≤ down); doubled for two sides.
  // Without this floor n puzzles that all tie (0% against 0%) would look non-inferior whatever n is.
  const values = perSeed.flat();
  const down = values.filter((x) => x < 0).length;
  const exact = Math.min(1, 2 * binomialCdf(down, values.length, shift));
  return exact > check.p ? { ...check, p: exact, detail: `${check.detail}; exact floor on ${down} worse of ${values.length}: p = ${fmtP(exact)}` } : check;
}

function bootstrapOnly(name: string, what: string, perSeed: number[][], claim: 1 | -1, shift: number): Check {
  const shifted = perSeed.map((v) => v.map((x) => x + shift));
  const b = pairedBootstrap(shifted, { seed: name });
  if (b.n === 0) return notRun(name, 'no puzzle was scored on every side');
  const up = shifted.flat().filter((x) => x > 0).length;
  const down = shifted.flat().filter((x) => x < 0).length;
  const p = Math.max(b.p, binomialTwoSidedHalf(0, up + down));
  const est = b.estimate - shift;
  const mde =
    b.se > 0
      ? `minimal detectable effect ≈ ${pp(minimalDetectableEffect(b.se, ALPHA)).slice(1)} (80% power, bootstrap SE ${pp(b.se).slice(1)})`
      : `every puzzle's value is equal (n = ${b.n}): the spread gives no detectable effect`;
  const detail = `${what} ${pp(est)}, 95% CI [${pp(b.ci95[0] - shift)}, ${pp(b.ci95[1] - shift)}]; paired bootstrap over ${b.n} puzzles${b.seeds > 1 ? ` and ${b.seeds} seeds` : ''} (${b.reps} draws, ${up} above / ${down} below): p = ${fmtP(p)}`;
  return { name, detail, p, agrees: Math.sign(b.estimate) === claim, mde };
}

/** Per-puzzle (y − x) of metric m, seed by seed. */
export function gains(pairs: { x: PerPuzzle; y: PerPuzzle }[], m: Metric): number[][] {
  return differences(pairs.map((q) => ({ x: q.x[m], y: q.y[m] })));
}

/** Per-puzzle (y − x) of m1 minus (y − x) of m2 (puzzles scored on all four), seed by seed. */
export function gainDifference(pairs: { x: PerPuzzle; y: PerPuzzle }[], m1: Metric, m2: Metric): number[][] {
  return pairs.map((q) => {
    const out: number[] = [];
    for (let i = 0; i < q.x.ids.length; i++) {
      const v = [q.y[m1][i], q.x[m1][i], q.y[m2][i], q.x[m2][i]];
      if (v.every((b) => b !== null)) out.push(v[0]! - v[1]! - (v[2]! - v[3]!));
    }
    return out;
  });
}

/** Williams' test that r(x, y) > r(x, z) (claim +1), over every rollout of every seed. */
export function dependentCorrelationCheck(name: string, labels: [string, string, string], x: number[], y: number[], z: number[], claim: 1 | -1): Check {
  const rxy = pearson(x, y).r;
  const rxz = pearson(x, z).r;
  const ryz = pearson(y, z).r;
  const w = williamsTest(rxy, rxz, ryz, x.length, ALPHA);
  const f = (r: number) => (Number.isNaN(r) ? 'undefined' : r.toFixed(3));
  const detail = `r(${labels[0]}, ${labels[1]}) = ${f(rxy)} vs r(${labels[0]}, ${labels[2]}) = ${f(rxz)} (r(${labels[1]}, ${labels[2]}) = ${f(ryz)}); Williams' t over ${x.length} rollouts = ${Number.isNaN(w.t) ? 'undefined' : w.t.toFixed(2)}, df ${w.df}, p = ${fmtP(w.p)}`;
  if (Number.isNaN(rxy) || Number.isNaN(rxz)) return notRun(name, 'a correlation is undefined (one side is constant over the rollouts)', detail);
  return {
    name,
    detail,
    p: w.p,
    agrees: Math.sign(rxy - rxz) === claim,
    mde: `minimal detectable r difference ≈ ${Number.isFinite(w.mde) ? w.mde.toFixed(3) : '∞'} (80% power, n = ${x.length})`,
  };
}

/** Holm over every check of the report, then each check's outcome. */
export function judge(checks: readonly Check[]): Judged[] {
  const tested = checks.map((c, i) => ({ c, i })).filter(({ c }) => c.p !== null && !c.missing);
  const adjusted = holmAdjust(tested.map(({ c }) => c.p as number));
  const holm = new Map(tested.map(({ i }, k) => [i, adjusted[k]]));
  return checks.map((c, i) => {
    const h = holm.get(i);
    if (h === undefined) return { ...c, outcome: 'not run', holmP: null };
    const outcome: Outcome = h < ALPHA ? (c.agrees ? 'reproduces' : 'does not reproduce') : 'inconclusive';
    return { ...c, outcome, holmP: h };
  });
}

/**
 * A finding's outcome from its checks: a failure fails it; every check must reproduce to reproduce; when
 * every check that ran reproduced but some could not run, it is incomplete (never a pass).
 */
export function combine(outcomes: readonly Outcome[]): Outcome | 'incomplete' {
  if (outcomes.includes('does not reproduce')) return 'does not reproduce';
  if (outcomes.includes('inconclusive')) return 'inconclusive';
  if (outcomes.length > 0 && outcomes.every((o) => o === 'reproduces')) return 'reproduces';
  if (outcomes.some((o) => o === 'reproduces')) return 'incomplete';
  return 'not run';
}

/** One judged check as the report prints it. */
export function checkLine(c: Judged): string {
  if (c.outcome === 'not run') return `${c.name}: **not run** — ${c.missing}${c.detail ? ` (for information: ${c.detail})` : ''}`;
  const tail = c.outcome === 'inconclusive' ? `; ${c.mde}` : '';
  return `${c.name}: **${c.outcome}** — ${c.detail}, Holm-adjusted p = ${fmtP(c.holmP!)}${tail}`;
}
