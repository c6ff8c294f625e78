/**
 * Which metrics each dashboard panel shows. The names themselves are the project-wide convention in
 * src/metric-names.ts (flows emit them, so they live below flows):
 *
 *   eval/a  eval/ap  eval/ar  eval/arCond                     accuracies in [0,1]
 *   train/loss  train/lossP  train/lossR                      losses (L, L_p, L_r)
 *   train/lambda  train/gradNormP  train/gradNormR  train/gradShareP
 *   reward/<component>/mean                                   GRPO reward components
 *   throughput/tokensPerSec  throughput/samplesPerSec  throughput/rolloutsPerSec
 *   diag/*                                                    diagnostics (shown under "other")
 */
import { MetricNames as N } from '../../src/metric-names.ts';

export { MetricNames, metricLabel, rewardComponent, rewardMetricName } from '../../src/metric-names.ts';

export interface PanelSeries {
  readonly name: string;
  readonly unit?: 'fraction'; // plotted on a fixed [0,1] scale
}

export const ACCURACY_SERIES: readonly PanelSeries[] = [
  { name: N.a, unit: 'fraction' },
  { name: N.ap, unit: 'fraction' },
  { name: N.ar, unit: 'fraction' },
  { name: N.arCond, unit: 'fraction' },
];

export const TRAINING_SERIES: readonly PanelSeries[] = [
  { name: N.loss },
  { name: N.lossP },
  { name: N.lossR },
  { name: N.lambda, unit: 'fraction' },
  { name: N.gradShareP, unit: 'fraction' },
  { name: N.gradNormP },
  { name: N.gradNormR },
];

export const THROUGHPUT_SERIES: readonly PanelSeries[] = [{ name: N.tokensPerSec }, { name: N.samplesPerSec }, { name: N.rolloutsPerSec }];

const PANELLED = new Set([...ACCURACY_SERIES, ...TRAINING_SERIES, ...THROUGHPUT_SERIES].map((s) => s.name));

/** Shown in the rewards panel. */
export const isRewardMetric = (name: string): boolean => name.startsWith('reward/');
/** Shown in the "other" panel: anything no named panel claims. */
export const isOtherMetric = (name: string): boolean => !PANELLED.has(name) && !isRewardMetric(name);
