/**
 * The six findings of the paper as verdicts computed from measured numbers (never written in by hand):
 * each says reproduces / does not reproduce / inconclusive, with the figures and, when inconclusive, why.
 * Uncertainty: a difference of independent proportions gets a normal 95% interval; proportions and
 * correlations carry their own 95% intervals (Wilson, Fisher z), and overlapping intervals make a
 * comparison inconclusive rather than a win for either side.
 */
import type { Correlation, Proportion } from '../eval/stats.ts';

export type Outcome = 'reproduces' | 'does not reproduce' | 'inconclusive';

export interface Verdict {
  readonly outcome: Outcome;
  readonly detail: string; // the numbers behind it
}

const Z95 = 1.959963984540054;
const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
const pp = (x: number) => `${x >= 0 ? '+' : ''}${(100 * x).toFixed(1)} pp`;
/** Agresti–Caffo variance ((k+1)/(n+2)): a 0-of-8 or 8-of-8 estimate still carries its uncertainty. */
const variance = (p: Proportion) => {
  if (p.count === 0) return Infinity;
  const q = (p.successes + 1) / (p.count + 2);
  return (q * (1 - q)) / (p.count + 2);
};
const overlap = (x: Proportion, y: Proportion) => x.ci95[0] <= y.ci95[1] && y.ci95[0] <= x.ci95[1];

export interface BeforeAfter {
  readonly ap: Proportion;
  readonly ar: Proportion;
}

/** Findings (1) and (4a): the a_r gain exceeds the a_p gain, judged on the 95% interval of their difference. */
export function gainVerdict(before: BeforeAfter, after: BeforeAfter, what: string): Verdict {
  const gainR = after.ar.value - before.ar.value;
  const gainP = after.ap.value - before.ap.value;
  const d = gainR - gainP;
  const se = Math.sqrt(variance(before.ar) + variance(after.ar) + variance(before.ap) + variance(after.ap));
  const lo = d - Z95 * se;
  const hi = d + Z95 * se;
  const detail = `${what}: a_r ${pct(before.ar.value)} → ${pct(after.ar.value)} (${pp(gainR)}), a_p ${pct(before.ap.value)} → ${pct(after.ap.value)} (${pp(gainP)}); difference ${pp(d)}, 95% CI [${pp(lo)}, ${pp(hi)}]`;
  if (!Number.isFinite(se)) return { outcome: 'inconclusive', detail: `${detail}; an evaluation is missing` };
  if (lo > 0) return { outcome: 'reproduces', detail };
  if (hi < 0) return { outcome: 'does not reproduce', detail: `${detail}; a_p gained more` };
  return { outcome: 'inconclusive', detail: `${detail}; the interval contains 0` };
}

export interface SettingPoint {
  readonly label: string; // λ=0.2, α=0.5
  readonly x: number; // λ or α
  readonly a: Proportion;
  readonly ap: Proportion;
  readonly ar: Proportion;
}

/** Findings (2) and (4b): over a sorted setting axis, the best a is at an interior setting, clear of both ends. */
export function interiorOptimumVerdict(points: readonly SettingPoint[], axis: string): Verdict {
  if (points.length < 3) return { outcome: 'inconclusive', detail: `only ${points.length} ${axis} settings were measured; an interior optimum needs at least 3` };
  const sorted = [...points].sort((p, q) => p.x - q.x);
  const as = sorted.map((p) => p.a.value);
  const best = as.indexOf(Math.max(...as));
  const row = sorted.map((p) => `${p.label} ${pct(p.a.value)}`).join(', ');
  const apTrend = sorted[sorted.length - 1].ap.value - sorted[0].ap.value;
  const arTrend = sorted[sorted.length - 1].ar.value - sorted[0].ar.value;
  const detail = `a over ${axis}: ${row}; from the lowest to the highest ${axis} a_p changes ${pp(apTrend)} and a_r ${pp(arTrend)}`;
  if (as.every((a) => a === as[0])) return { outcome: 'inconclusive', detail: `${detail}; a is the same at every setting` };
  const ends = [sorted[0], sorted[sorted.length - 1]];
  const top = sorted[best];
  if (best === 0 || best === sorted.length - 1) {
    const other = best === 0 ? sorted.slice(1) : sorted.slice(0, -1);
    const clear = other.every((p) => !overlap(p.a, top.a));
    return clear
      ? { outcome: 'does not reproduce', detail: `${detail}; the best a is at the end ${top.label}, clear of the others` }
      : { outcome: 'inconclusive', detail: `${detail}; the best a is at the end ${top.label} but its 95% interval overlaps the others'` };
  }
  if (ends.every((e) => !overlap(e.a, top.a))) return { outcome: 'reproduces', detail: `${detail}; the best a (${top.label}) is interior and clear of both ends` };
  return { outcome: 'inconclusive', detail: `${detail}; the best a (${top.label}) is interior but its 95% interval overlaps an end's` };
}

/** Finding (3): NGDiff's a is at least the best fixed λ's (a loss inside the intervals is inconclusive). */
export function ngdiffVerdict(ngdiff: Proportion, lambdas: readonly SettingPoint[]): Verdict {
  if (lambdas.length === 0) return { outcome: 'inconclusive', detail: 'no fixed-λ setting was measured' };
  const best = lambdas.reduce((b, p) => (p.a.value > b.a.value ? p : b));
  const detail = `NGDiff a ${pct(ngdiff.value)} [${pct(ngdiff.ci95[0])}, ${pct(ngdiff.ci95[1])}] vs best fixed ${best.label} a ${pct(best.a.value)} [${pct(best.a.ci95[0])}, ${pct(best.a.ci95[1])}]`;
  if (ngdiff.value === 0 && best.a.value === 0) return { outcome: 'inconclusive', detail: `${detail}; no setting solved any test puzzle` };
  if (ngdiff.value >= best.a.value) return { outcome: 'reproduces', detail: overlap(ngdiff, best.a) ? `${detail} (ahead or level, within overlapping intervals)` : detail };
  if (overlap(ngdiff, best.a)) return { outcome: 'inconclusive', detail: `${detail}; behind, but the 95% intervals overlap` };
  return { outcome: 'does not reproduce', detail: `${detail}; behind, intervals apart` };
}

/** Combines the two halves of finding (4): both must reproduce; either failing fails it. */
export function bothVerdict(x: Verdict, y: Verdict): Verdict {
  const detail = `${x.detail}. ${y.detail}`;
  if (x.outcome === 'does not reproduce' || y.outcome === 'does not reproduce') return { outcome: 'does not reproduce', detail };
  if (x.outcome === 'reproduces' && y.outcome === 'reproduces') return { outcome: 'reproduces', detail };
  return { outcome: 'inconclusive', detail };
}

const fmtR = (c: Correlation) => (Number.isNaN(c.r) ? 'undefined (a constant side)' : `${c.r.toFixed(3)} [${c.ci95[0].toFixed(3)}, ${c.ci95[1].toFixed(3)}]`);

/** Finding (5): r(a, ã_r) > r(a, a_p), with the Fisher-z intervals apart. */
export function correlationVerdict(withPerception: Correlation, withReasoning: Correlation, rollouts: number): Verdict {
  const detail = `over ${rollouts} rollouts r(a, ã_r) = ${fmtR(withReasoning)}, r(a, a_p) = ${fmtR(withPerception)}`;
  if (Number.isNaN(withPerception.r) || Number.isNaN(withReasoning.r)) return { outcome: 'inconclusive', detail: `${detail}; a correlation is undefined` };
  const apart = withReasoning.ci95[0] > withPerception.ci95[1] || withPerception.ci95[0] > withReasoning.ci95[1];
  if (!apart) return { outcome: 'inconclusive', detail: `${detail}; the 95% intervals overlap` };
  return withReasoning.r > withPerception.r ? { outcome: 'reproduces', detail } : { outcome: 'does not reproduce', detail };
}

export interface SurrogatePoint {
  readonly reward: string;
  readonly r: Correlation; // with a_p (Table 3)
  readonly gain: number; // a_p after − before of RL with it (Table 4)
  readonly gainCi: readonly [number, number];
}

/** Finding (6): ordering the surrogates by r with a_p orders their perception gains the same way. */
export function surrogateOrderVerdict(points: readonly SurrogatePoint[]): Verdict {
  const defined = points.filter((p) => !Number.isNaN(p.r.r));
  const rows = points.map((p) => `${p.reward}: r ${Number.isNaN(p.r.r) ? 'undefined' : p.r.r.toFixed(3)}, Δa_p ${pp(p.gain)}`).join('; ');
  if (defined.length < 2) return { outcome: 'inconclusive', detail: `${rows}; fewer than two surrogates have a defined r with a_p` };
  const byR = [...defined].sort((p, q) => q.r.r - p.r.r);
  const inversions: string[] = [];
  let clearInversion = false;
  for (let i = 0; i < byR.length; i++) {
    for (let j = i + 1; j < byR.length; j++) {
      const hi = byR[i];
      const lo = byR[j];
      if (hi.r.r === lo.r.r || hi.gain >= lo.gain) continue;
      inversions.push(`${lo.reward} > ${hi.reward}`);
      const rApart = hi.r.ci95[0] > lo.r.ci95[1];
      const gainApart = lo.gainCi[0] > hi.gainCi[1];
      if (rApart && gainApart) clearInversion = true;
    }
  }
  const order = `by r: ${byR.map((p) => p.reward).join(' > ')}`;
  const detail = `${rows}; ${order}`;
  // In order is not yet evidence: at least one step down the order must be a gain clear of the next one's.
  const clearStep = byR.some((hi, i) => i + 1 < byR.length && hi.r.r !== byR[i + 1].r.r && hi.gainCi[0] > byR[i + 1].gainCi[1]);
  if (inversions.length === 0 && clearStep) return { outcome: 'reproduces', detail: `${detail}; the perception gains follow the same order` };
  if (inversions.length === 0) return { outcome: 'inconclusive', detail: `${detail}; the gains follow the order but within overlapping intervals` };
  if (clearInversion) return { outcome: 'does not reproduce', detail: `${detail}; gains out of order (${inversions.join(', ')}) with intervals apart` };
  return { outcome: 'inconclusive', detail: `${detail}; gains out of order (${inversions.join(', ')}) but within overlapping intervals` };
}

/** The 95% interval of a difference of two independent proportions (normal approximation). */
export function differenceCi(after: Proportion, before: Proportion): [number, number] {
  const d = after.value - before.value;
  const half = Z95 * Math.sqrt(variance(after) + variance(before));
  return [d - half, d + half];
}
