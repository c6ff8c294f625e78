/** `asymflow/metrics`: metric names and labels, and the statistics the reports use. */
export { metricGroup, metricLabel, MetricNames, rewardComponent, rewardMetricName, type KnownMetricName } from '../src/metric-names.ts';
export { mean, pearson, proportion, stdUnbiased, type Correlation, type Proportion } from '../src/eval/stats.ts';
export type { Metric } from '../src/records.ts';
