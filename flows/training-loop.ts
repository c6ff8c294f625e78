/**
 * The skeleton of every training flow (sft, rl), one small stage a line, read top to bottom as nanochat's
 * chat_rl.py and GRPO-Zero's grpo.py are:
 *
 *   tick           the next step number, only once the previous step is fully done (operators/step-ticks.ts)
 *   keep going?    a stop request or --stop-after ends the loop before the step starts
 *   step           the flow's own stages: batch | prompts ─ rollout ─ score ─ advantages … ─ update
 *   record         fold the step into the run's progress, emit its metrics, append it to the step recording
 *   evaluate       if due
 *   checkpoint     if due
 *
 * One step is in flight at a time, so an evaluation or a checkpoint never overlaps the next update and the
 * stages before the update run lazily (a batch is drawn, or a rollout sampled, from the updated weights).
 */
import { concatMap, lastValueFrom, takeWhile, tap, type OperatorFunction } from 'rxjs';
import { stepTicks } from '../operators/step-ticks.ts';

export interface TrainingLoop<S extends { readonly step: number }> {
  readonly first: number; // step numbers of this invocation, first..last
  readonly last: number;
  /** Checked before each step: false ends the loop (a stop request, --stop-after). */
  readonly keepGoing: (step: number) => boolean;
  /** tick → … → update: the flow's stages, one record per step. */
  readonly step: OperatorFunction<number, S>;
  readonly record: (s: S) => void | Promise<void>;
  readonly evaluateIfDue?: (s: S) => void | Promise<void>;
  readonly checkpointIfDue: (s: S) => void | Promise<void>;
}

/** Runs the loop's steps; resolves once the last one is done or the loop was told to stop. */
export async function runTrainingLoop<S extends { readonly step: number }>(loop: TrainingLoop<S>): Promise<void> {
  const ticks = stepTicks(loop.first, loop.last);
  const steps$ = ticks.ticks$.pipe(
    takeWhile((step) => loop.keepGoing(step)),
    loop.step,
    concatMap(async (s) => {
      await loop.record(s);
      await loop.evaluateIfDue?.(s);
      await loop.checkpointIfDue(s);
      return s;
    }),
    tap(() => ticks.next()),
  );
  await lastValueFrom(steps$, { defaultValue: undefined });
}

/** A periodic action (evaluation, checkpoint) due at this step; the last step has its own, at the end. */
export const dueEvery = (step: number, every: number, total: number): boolean => every > 0 && step % every === 0 && step < total;
