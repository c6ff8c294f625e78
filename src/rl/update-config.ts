/** The GRPO update's settings (src/rl/grpo-update.ts) from an RL run's config. */
import { GRPO_LOSS_DEFAULTS, type LossAggregation } from './grpo-loss.ts';
import type { UpdateConfig } from './grpo-update.ts';
import type { RlConfig } from './rl-config.ts';

export function updateConfig(c: RlConfig): UpdateConfig {
  return {
    loss: {
      ...GRPO_LOSS_DEFAULTS,
      clipLow: c.clip,
      clipHigh: c.clipHigh,
      dualClip: c.dualClip,
      klCoef: c.kl,
      aggregation: c.aggregation as LossAggregation,
      gspo: c.gspo,
    },
    epochs: c.epochs,
    miniBatches: c.miniBatches,
    tokenLambda: c.tokenLambda >= 0 ? c.tokenLambda : undefined,
    bucket: c.bucket,
    microBatch: c.microBatch,
  };
}
