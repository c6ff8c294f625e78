/**
 * generateWith — sends each batch of samples to a policy in every evaluation mode and emits one Generated per
 * sample and mode (its n completions, failed ones included: a batch never loses a sample). At most
 * `concurrency` policy calls are in flight; output order follows completion, and each value names its sample.
 *
 *   source: --[s0 s1]---------[s2]--|
 *   output: -------(g0 g1 g0' g1')---(g2 g2')|      g = e2e, g' = counterfactual
 */
import { defer, finalize, from, mergeMap, type OperatorFunction } from 'rxjs';
import { modesOf, type EvalModes } from '../src/eval/eval-record.ts';
import type { EvalSampling } from '../src/eval/eval-summary.ts';
import { generateBatch, type Generated } from '../src/eval/evaluate.ts';
import type { Policy } from '../src/policy/policy.ts';
import type { Sample } from '../src/records.ts';

export interface GenerateWithOptions {
  readonly modes: EvalModes;
  readonly sampling: EvalSampling;
  readonly concurrency?: number; // policy calls in flight (default 1: an in-process model runs one at a time)
  readonly onSettled?: () => void; // called in finalize (e.g. to close the policy)
}

export function generateWith(policy: Policy, options: GenerateWithOptions): OperatorFunction<readonly Sample[], Generated> {
  const concurrency = options.concurrency ?? 1;
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new RangeError(`generateWith concurrency must be a positive integer, got ${concurrency}`);
  const modes = modesOf(options.modes);
  return (source) =>
    defer(() =>
      source.pipe(
        mergeMap((batch) => from(modes.map((mode) => ({ batch, mode }))), 1),
        mergeMap(({ batch, mode }) => defer(() => generateBatch(policy, batch, mode, options.sampling)).pipe(mergeMap((g) => from(g))), concurrency),
        finalize(() => options.onSettled?.()),
      ),
    );
}
