/**
 * What two SFT runs did to the perception tokens, read from their training metrics: the share of the response
 * tokens that are perception (standard SFT weights perception by exactly this share), the weight λ the other
 * objective gave perception (NGDiff: chosen each step from the two parts' gradient norms), and where each run's
 * per-token losses ended. This is the mechanism the paper's remedy works through, and it shows after a few steps,
 * whether or not the runs have learned to solve a puzzle. Every number is computed from the metrics given.
 */
import type { Metric } from '../records.ts';
import { MetricNames as N } from '../metric-names.ts';
import { pct } from './sweep-reading.ts';

export interface ReadRun {
  readonly run: string; // the run's name in the metrics (its setting's directory name)
  readonly label: string; // how the reading names it
}

/** The last this many steps' mean stands for where a loss ended (one step is noisy at small batches). */
const TAIL_STEPS = 10;

const mean = (xs: readonly number[]) => (xs.length === 0 ? Number.NaN : xs.reduce((s, x) => s + x, 0) / xs.length);

function series(metrics: readonly Metric[], run: string, name: string): number[] {
  return metrics
    .filter((m) => m.run === run && m.name === name && Number.isFinite(m.value))
    .sort((a, b) => a.step - b.step)
    .map((m) => m.value);
}

/** λ's mean over the first and last third of the run's steps (how the weighting moved as training went on). */
function thirds(values: readonly number[]): [number, number] {
  const third = Math.max(1, Math.floor(values.length / 3));
  return [mean(values.slice(0, third)), mean(values.slice(-third))];
}

/** Within this many points of each other, two weights read as about the same (a step's λ moves by more). */
const SAME_WITHIN = 0.02;

const relation = (lambda: number, share: number) =>
  Math.abs(lambda - share) < SAME_WITHIN
    ? `about its token share, so at this share the two objectives weigh perception alike (NGDiff departs from standard SFT where perception is a small share of the tokens)`
    : `${lambda > share ? 'more' : 'less'} than its token share`;

/** The reading's lines; a run without training metrics is named as such rather than read. */
export function weightingReading(metrics: readonly Metric[], baseline: ReadRun, other: ReadRun): string[] {
  const share = series(metrics, baseline.run, N.perceptionTokenFraction);
  const lambda = series(metrics, other.run, N.lambda);
  if (share.length === 0 || lambda.length === 0) {
    const missing = share.length === 0 ? baseline.label : other.label;
    return [`${missing}: no training metrics to read the perception weighting from.`];
  }
  const [early, late] = thirds(lambda);
  const losses = (r: ReadRun) => {
    const [p, q] = [series(metrics, r.run, N.lossP).slice(-TAIL_STEPS), series(metrics, r.run, N.lossR).slice(-TAIL_STEPS)];
    return `${r.label} ${mean(p).toFixed(3)} / ${mean(q).toFixed(3)}`;
  };
  return [
    `Perception is ${pct(mean(share))} of the response tokens here (the paper's GC: 2.2%), so ${baseline.label} SFT gives it ${pct(mean(share))} of the loss's weight.`,
    `${other.label} gave perception a weight λ of ${pct(mean(lambda))} on average (${pct(early)} over the first third of its ${lambda.length} steps, ${pct(late)} over the last): ${relation(mean(lambda), mean(share))}.`,
    `Per-token loss on perception / reasoning over the last ${Math.min(TAIL_STEPS, lambda.length)} steps: ${losses(baseline)}, ${losses(other)}.`,
  ];
}
