/**
 * Paired comparisons read off evaluation records (src/eval/eval-record.ts), one record per sample and mode:
 *   - between two runs evaluated on the same samples: a, a_p (end-to-end records) and a_r (counterfactual);
 *   - within one run: a_p against a_r on the same samples (does perception lag reasoning?).
 * Only samples scored in both lists count; request failures say nothing about the model and are left out.
 */
import type { EvalRecord } from './eval-record.ts';
import { pairedComparison, type PairedComparison, type PairedOptions } from './paired.ts';

export type PairedMetric = 'a' | 'ap' | 'ar';
export const PAIRED_METRICS: readonly PairedMetric[] = ['a', 'ap', 'ar'];

/** sampleId → 0/1 score of `metric`, from the first completion of each sample in the metric's mode. */
export function scoresBySample(records: readonly EvalRecord[], metric: PairedMetric): Map<string, number> {
  const mode = metric === 'ar' ? 'counterfactual' : 'e2e';
  const scores = new Map<string, number>();
  for (const r of records) {
    if (r.mode !== mode || r.completion !== 0 || r.failed !== undefined || scores.has(r.sampleId)) continue;
    const value = r[metric];
    if (value === undefined) throw new Error(`evaluation record of ${r.sampleId} (${mode}) has no ${metric}`);
    scores.set(r.sampleId, value);
  }
  return scores;
}

/** The two maps' scores on the samples both hold, in the first map's order. */
function paired(x: Map<string, number>, y: Map<string, number>): { xs: number[]; ys: number[] } {
  const xs: number[] = [];
  const ys: number[] = [];
  for (const [id, v] of x) {
    const w = y.get(id);
    if (w === undefined) continue;
    xs.push(v);
    ys.push(w);
  }
  return { xs, ys };
}

/** `metric` of run B against run A on the samples both evaluated (diff = B − A). */
export function compareRuns(a: readonly EvalRecord[], b: readonly EvalRecord[], metric: PairedMetric, options: PairedOptions = {}): PairedComparison {
  const { xs, ys } = paired(scoresBySample(a, metric), scoresBySample(b, metric));
  return pairedComparison(xs, ys, { seed: `runs/${metric}`, ...options });
}

/** Within one run: a_r against a_p on the samples scored in both modes (diff = a_r − a_p: > 0 when perception lags). */
export function perceptionLag(records: readonly EvalRecord[], options: PairedOptions = {}): PairedComparison {
  const { xs, ys } = paired(scoresBySample(records, 'ap'), scoresBySample(records, 'ar'));
  return pairedComparison(xs, ys, { seed: 'lag/ap-ar', ...options });
}
