/**
 * render — turns each Puzzle into a Sample (dataset PNG, model-input pixels, query, and with `response` the
 * SFT target from the task's solver) on a worker pool, at most `concurrency` puzzles in flight, emitted in
 * source order (orderedMap) so the output is the same whatever the concurrency. A pool passed in is the
 * caller's; one opened here is closed in finalize.
 *
 *   source: --p0--p1--p2--|
 *   output: ------s0--s1---s2|       (s1 may finish first; it waits for s0)
 */
import { defer, finalize, type OperatorFunction } from 'rxjs';
import type { Puzzle, Sample } from '../src/records.ts';
import type { TaskName, TaskOptions } from '../src/tasks/task.ts';
import { orderedMap } from './ordered-map.ts';
import { defaultThreads, openSamplePool, type SamplePool } from './pool/sample-pool.ts';

export interface RenderOptions {
  readonly task: TaskName;
  readonly options?: TaskOptions; // rendering and trace knobs (inputSize, layout, verbosity, …)
  readonly response?: boolean; // write the SFT target (train_sft); default false
  readonly concurrency?: number; // puzzles in flight; also the thread count of a pool opened here (0: in process)
  readonly pool?: SamplePool; // a shared pool (the caller closes it)
}

export function render(options: RenderOptions): OperatorFunction<Puzzle, Sample> {
  const concurrency = options.concurrency ?? (options.pool ? Math.max(2, 2 * options.pool.threads) : defaultThreads());
  if (!Number.isInteger(concurrency) || concurrency < 0) throw new RangeError(`render concurrency must be a non-negative integer, got ${concurrency}`);
  const { task, response = false } = options;
  const taskOptions = options.options ?? {};
  return (source) =>
    defer(() => {
      const pool = options.pool ?? openSamplePool(concurrency);
      return source.pipe(
        orderedMap((puzzle) => pool.run({ kind: 'sample', task, puzzle, response, options: taskOptions }), { concurrency: Math.max(1, concurrency) }),
        finalize(() => {
          if (!options.pool) void pool.close();
        }),
      );
    });
}
