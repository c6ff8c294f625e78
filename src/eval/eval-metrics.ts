/** The metric values of an evaluation (a, a_p, ã_r end to end; a_r counterfactual; parse failures), by metric name. */
import { MetricNames as N } from '../metric-names.ts';
import type { EvalSummary } from './eval-summary.ts';

/** Only the figures the evaluation measured: a mode it did not run adds none (a 0 would draw a false curve). */
export function evalMetrics(s: Pick<EvalSummary, 'a' | 'ap' | 'arCond' | 'ar' | 'parseFailures'>): Record<string, number> {
  return {
    ...(s.a.count > 0 ? { [N.a]: s.a.value, [N.ap]: s.ap.value, [N.arCond]: s.arCond.value } : {}),
    ...(s.ar.count > 0 ? { [N.ar]: s.ar.value } : {}),
    [N.parseFailures]: s.parseFailures.total,
  };
}
