/**
 * rollout — samples G rollouts per prompt of each step with the policy's KV-cache sampler (per-token
 * log-probs of the sampling policy) and scores them under the frozen reference (src/rl/rollout.ts).
 * One step at a time: the model is shared with the update, so steps never overlap.
 *
 *   source: --P1-----------P2-----------|
 *   output: ---------R1-----------R2----|        R = P + G rollouts per prompt + rollout time
 */
import { concatMap, defer, type OperatorFunction } from 'rxjs';
import type { Vlm } from '../src/model/vlm.ts';
import { sampleRollouts, type RolloutOptions } from '../src/rl/rollout.ts';
import type { StepPrompts, StepRollouts } from '../src/rl/rl-step.ts';

export function rollout(policy: Vlm, reference: Vlm | undefined, options: Omit<RolloutOptions, 'step'>): OperatorFunction<StepPrompts, StepRollouts> {
  return concatMap((prompts) =>
    defer(async () => {
      const started = performance.now();
      const rollouts = await sampleRollouts(policy, reference, prompts.samples, { ...options, step: prompts.step });
      return { ...prompts, rollouts, rolloutMs: performance.now() - started };
    }),
  );
}
