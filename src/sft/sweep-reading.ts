/**
 * A few sentences reading a two-objective SFT comparison (the demo's table), computed from paired comparisons
 * on the same held-out samples (src/eval/paired-runs.ts): does the baseline's perception lag its reasoning,
 * and does the other objective move a_p, a_r and a? A claim is made only when its 95% interval excludes 0;
 * otherwise the text says the difference is not told apart at this n. No sentence is fixed text about results.
 */
import { differs, type PairedComparison } from '../eval/paired.ts';
import type { PairedMetric } from '../eval/paired-runs.ts';

export interface SweepComparison {
  readonly baseline: string; // label, e.g. standard
  readonly other: string; // label, e.g. NGDiff
  readonly lag: Readonly<Record<'baseline' | 'other', PairedComparison>>; // a_r − a_p within each run
  readonly between: Readonly<Record<PairedMetric, PairedComparison>>; // other − baseline
}

const NAMES: Readonly<Record<PairedMetric, string>> = { a: 'a', ap: 'a_p', ar: 'a_r' };
export const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
const pts = (x: number) => `${x >= 0 ? '+' : '−'}${Math.abs(100 * x).toFixed(1)}`;
const interval = (c: PairedComparison) => `95% CI ${pts(c.ci95[0])} to ${pts(c.ci95[1])} points, exact McNemar p = ${formatP(c.pValue)}`;

export function formatP(p: number): string {
  if (p < 1e-4) return '< 0.0001';
  return p < 0.01 ? p.toFixed(4) : p.toFixed(2);
}

/** One sentence on a_r − a_p within a run. */
function lagSentence(label: string, c: PairedComparison): string {
  const head = `${label}: a_p ${pct(c.a)} against a_r ${pct(c.b)} on the same ${c.n} puzzles`;
  if (!differs(c)) return `${head}: not told apart (a_r − a_p ${pts(c.diff)} points, ${interval(c)}).`;
  const lead = c.diff > 0 ? 'perception lags reasoning' : 'perception leads reasoning';
  return `${head}: ${lead} (a_r − a_p ${pts(c.diff)} points, ${interval(c)}).`;
}

/** One sentence on `metric`, other against baseline. */
function betweenSentence(s: SweepComparison, metric: PairedMetric): string {
  const c = s.between[metric];
  const name = NAMES[metric];
  const head = `${name}: ${s.baseline} ${pct(c.a)} → ${s.other} ${pct(c.b)}`;
  const discordant = `${c.onlyB} puzzles only ${s.other} gets right, ${c.onlyA} only ${s.baseline}`;
  if (!differs(c)) return `${head}, not told apart (${pts(c.diff)} points, ${interval(c)}; ${discordant}).`;
  return `${head}: ${s.other} ${c.diff > 0 ? 'raises' : 'lowers'} ${name} by ${Math.abs(100 * c.diff).toFixed(1)} points (${interval(c)}; ${discordant}).`;
}

/** The verdict line: the paper's point shown, partly shown, or not shown at this budget. */
function verdict(s: SweepComparison): string {
  const lags = differs(s.lag.baseline) && s.lag.baseline.diff > 0;
  const ap = s.between.ap;
  const lifts = differs(ap) && ap.diff > 0;
  if (lags && lifts) {
    return `The paper's point in miniature: under ${s.baseline} SFT perception lags reasoning, and ${s.other}, which gives the perception tokens a larger share of the gradient, lifts a_p.`;
  }
  const solved = [s.lag.baseline.a, s.lag.baseline.b, s.lag.other.a, s.lag.other.b].some((x) => x > 0);
  if (!solved) {
    return `At this budget neither run perceives a single held-out puzzle correctly or solves one from its oracle caption (a_p = a_r = 0 for both on ${s.between.ap.n} puzzles): the paper's point cannot show here, and the table says only that.`;
  }
  if (lifts) return `${s.other} lifts a_p, but ${s.baseline}'s own a_p does not lag its a_r outside the interval here: half of the paper's point.`;
  if (lags)
    return `${s.baseline}'s perception lags its reasoning, but ${s.other} does not lift a_p outside the interval at this budget: the asymmetry shows, the remedy does not.`;
  return `At this budget the paper's effect does not show: neither a perception lag under ${s.baseline} nor a lift of a_p by ${s.other} lies outside its 95% interval.`;
}

/** The reading: one line per comparison, then the verdict. */
export function sweepReading(s: SweepComparison): string[] {
  return [
    lagSentence(s.baseline, s.lag.baseline),
    lagSentence(s.other, s.lag.other),
    betweenSentence(s, 'ap'),
    betweenSentence(s, 'ar'),
    betweenSentence(s, 'a'),
    verdict(s),
  ];
}
