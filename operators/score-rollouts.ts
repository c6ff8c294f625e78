/**
 * scoreRollouts — verifies each step's rollouts in the score worker pool (a, a_p, ã_r), adds the surrogate
 * perception reward when one is configured, and forms the final reward R = α·perception + (1−α)·a
 * (src/rl/rewards/combine.ts). One step at a time.
 *
 *   source: --R1--------R2--------|
 *   output: -----S1--------S2-----|        S = R + verdicts, every reward component, final reward
 */
import { concatMap, defer, type OperatorFunction } from 'rxjs';
import { rewardRollouts, type RewardSetup } from '../src/rl/rewards/combine.ts';
import type { StepRollouts, StepScored } from '../src/rl/rl-step.ts';
import type { ScorePool } from '../src/rl/score-pool.ts';

export function scoreRollouts(pool: ScorePool, setup: RewardSetup): OperatorFunction<StepRollouts, StepScored> {
  return concatMap((step) =>
    defer(async () => {
      const started = performance.now();
      const samples = new Map(step.samples.map((s) => [s.puzzle.id, s]));
      const unadvantaged = await rewardRollouts(step.rollouts, samples, pool, setup, step.step);
      return { ...step, unadvantaged, scoringMs: performance.now() - started };
    }),
  );
}
