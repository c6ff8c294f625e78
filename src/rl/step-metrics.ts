/**
 * The per-step metrics of an RL run (docs/architecture.md §5, issue 6): each reward component's mean and std, the
 * fraction of groups with zero reward spread, the update's loss/KL/clip fractions, entropy, response and
 * perception lengths, throughput and phase timings. Plain numbers by metric name (src/metric-names.ts).
 *
 * Entropy is the Monte-Carlo estimate −mean log p(sampled token) over all sampled tokens under the sampling
 * policy (exact in expectation at temperature 1); it needs no extra forward pass over the vocabulary.
 */
import { mean, stdUnbiased } from '../eval/stats.ts';
import { MetricNames, rewardMetricName } from '../metric-names.ts';
import { fracZeroStd } from './advantage.ts';
import type { AdvantagedStep } from './groups.ts';
import type { UpdateStats } from './grpo-update.ts';

export interface StepTimings {
  readonly rolloutMs: number;
  readonly scoringMs: number;
  readonly updateMs: number;
}

export const RlMetricNames = {
  fracRewardZeroStd: 'train/fracRewardZeroStd',
  clipFracLow: 'train/clipFracLow',
  clipFracHigh: 'train/clipFracHigh',
  dualClipFrac: 'train/dualClipFrac',
  gradNorm: 'train/gradNorm',
  entropy: 'train/entropy',
  responseTokens: 'diag/responseTokens',
  perceptionTokens: 'diag/perceptionTokens',
  truncated: 'diag/truncated',
  rolloutMs: 'time/rolloutMs',
  scoringMs: 'time/scoringMs',
  updateMs: 'time/updateMs',
} as const;

export const rewardStdName = (component: string): string => `reward/${component}/std`;

export function stepMetrics(step: AdvantagedStep, update: UpdateStats, t: StepTimings): Record<string, number> {
  const rows = step.scored;
  const out: Record<string, number> = {};
  for (const name of Object.keys(rows[0]?.rewards ?? {})) {
    const values = rows.map((r) => r.rewards[name]);
    out[rewardMetricName(name)] = mean(values);
    out[rewardStdName(name)] = stdUnbiased(values);
  }
  out[RlMetricNames.fracRewardZeroStd] = fracZeroStd(step.groups.map((g) => g.scored.map((s) => s.reward)));
  out[MetricNames.loss] = update.loss;
  out[MetricNames.kl] = update.kl;
  out[MetricNames.lr] = update.lr;
  out[RlMetricNames.clipFracLow] = update.clipFracLow;
  out[RlMetricNames.clipFracHigh] = update.clipFracHigh;
  out[RlMetricNames.dualClipFrac] = update.dualClipFrac;
  out[RlMetricNames.gradNorm] = update.gradNorm;
  let tokens = 0;
  let logpSum = 0;
  let perception = 0;
  for (const r of rows) {
    tokens += r.tokens.length;
    for (const lp of r.logprobs) logpSum += lp;
    perception += r.perceptionSpan[1] - r.perceptionSpan[0];
  }
  out[RlMetricNames.entropy] = tokens > 0 ? -logpSum / tokens : 0;
  out[RlMetricNames.responseTokens] = rows.length ? tokens / rows.length : 0;
  out[RlMetricNames.perceptionTokens] = rows.length ? perception / rows.length : 0;
  out[MetricNames.perceptionTokenFraction] = tokens > 0 ? perception / tokens : 0;
  out[MetricNames.parseFailures] = rows.filter((r) => r.parseFailure).length;
  out[RlMetricNames.truncated] = rows.length ? rows.filter((r) => r.finish === 'length').length / rows.length : 0;
  const seconds = (t.rolloutMs + t.scoringMs + t.updateMs) / 1000;
  out[MetricNames.rolloutsPerSec] = seconds > 0 ? rows.length / seconds : 0;
  out[MetricNames.tokensPerSec] = t.rolloutMs > 0 ? tokens / (t.rolloutMs / 1000) : 0;
  out[RlMetricNames.rolloutMs] = t.rolloutMs;
  out[RlMetricNames.scoringMs] = t.scoringMs;
  out[RlMetricNames.updateMs] = t.updateMs;
  return out;
}
