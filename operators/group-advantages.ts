/**
 * groupAdvantages — groups each step's scored rollouts by prompt and attaches the GRPO advantage
 * A_i = (R_i − mean)/(std + ε) (unbiased std; a zero-spread group gets zeros). Synchronous.
 *
 *   source: --S1----S2--|
 *   output: --A1----A2--|        A = S + groups + per-rollout advantages
 */
import { map, type OperatorFunction } from 'rxjs';
import { withAdvantages } from '../src/rl/groups.ts';
import type { StepAdvantaged, StepScored } from '../src/rl/rl-step.ts';

export function groupAdvantages(epsilon: number): OperatorFunction<StepScored, StepAdvantaged> {
  return map((step) => ({ ...step, advantaged: withAdvantages(step.unadvantaged, epsilon) }));
}
