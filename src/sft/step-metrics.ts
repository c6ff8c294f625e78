/**
 * The per-step metrics of an SFT run (docs/architecture.md §5 diagnostics), as src/rl/step-metrics.ts is RL's: the losses
 * split into perception and reasoning, λ, both gradient norms and the perception share, the perception
 * token fraction and loss share, the learning rate and throughput. Plain numbers by metric name.
 */
import { MetricNames as N } from '../metric-names.ts';
import type { SftStepRecord } from './step-record.ts';

export function sftStepMetrics(r: SftStepRecord): Record<string, number> {
  const metrics: Record<string, number> = {
    [N.loss]: r.loss,
    [N.lossP]: r.lossP,
    [N.lossR]: r.lossR,
    [N.lambda]: r.lambda,
    [N.gradNormP]: r.gradNormP,
    [N.gradNormR]: r.gradNormR,
    [N.gradShareP]: r.gradShareP,
    [N.gradNorm]: r.gradNorm,
    [N.perceptionTokenFraction]: r.tokenFraction,
    [N.perceptionLossShare]: r.lossShareP,
    [N.lr]: r.lr,
    [N.tokensPerSec]: r.tokensPerSec,
    [N.samplesPerSec]: r.samplesPerSec,
  };
  // the raw (pre-clip) norms exist only where the objective reweights the two gradients
  if (Number.isFinite(r.rawGradNormP)) Object.assign(metrics, { [N.gradNormRawP]: r.rawGradNormP, [N.gradNormRawR]: r.rawGradNormR });
  return metrics;
}
