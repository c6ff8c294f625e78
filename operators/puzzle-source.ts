/**
 * puzzleSource — the puzzles of one split, index 0..n-1 in order, each from its own seed derived from
 * (seed, task, split, index) (src/data/split-sample.ts), generated in batches over a worker pool. The output
 * order is the index order whatever the pool's concurrency, so the stream is a function of its options.
 * A pool passed in is the caller's; one opened here is closed in finalize. Held-out draws a split redraws
 * (src/data/held-out.ts) are told to `onSkipped` as the batches arrive.
 *
 *   puzzleSource({n: 5, batch: 2}):  --(p0 p1)--(p2 p3)--(p4)|
 */
import { defer, finalize, mergeMap, from, range, type Observable } from 'rxjs';
import type { SplitSpec } from '../src/data/split-sample.ts';
import type { Puzzle } from '../src/records.ts';
import type { TaskName } from '../src/tasks/task.ts';
import { orderedMap } from './ordered-map.ts';
import { defaultThreads, openSamplePool, type SamplePool } from './pool/sample-pool.ts';

export interface PuzzleSourceOptions extends SplitSpec {
  readonly task: TaskName;
  readonly n: number;
  readonly concurrency?: number; // batches in flight; also the thread count of a pool opened here (0: in process)
  readonly batch?: number; // puzzles per job (default 16: amortises the message round trip)
  readonly pool?: SamplePool; // a shared pool (the caller closes it)
  readonly onSkipped?: (count: number) => void; // held-out draws passed over in a batch
}

export function puzzleSource(options: PuzzleSourceOptions): Observable<Puzzle> {
  const { task, n, split, seed, batch = 16 } = options;
  const concurrency = options.concurrency ?? options.pool?.threads ?? defaultThreads();
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`puzzleSource n must be a non-negative integer, got ${n}`);
  if (!Number.isInteger(batch) || batch < 1) throw new RangeError(`puzzleSource batch must be a positive integer, got ${batch}`);
  if (!Number.isInteger(concurrency) || concurrency < 0) throw new RangeError(`puzzleSource concurrency must be a non-negative integer, got ${concurrency}`);
  const spec: SplitSpec = { split, seed, options: options.options ?? {} };
  return defer(() => {
    const pool = options.pool ?? openSamplePool(concurrency);
    return range(0, Math.ceil(n / batch)).pipe(
      orderedMap(
        (b) => {
          const indices = Array.from({ length: Math.min(batch, n - b * batch) }, (_, k) => b * batch + k);
          return pool.run({ kind: 'puzzles', task, spec, indices });
        },
        { concurrency: Math.max(1, concurrency) },
      ),
      mergeMap((draws) => {
        options.onSkipped?.(draws.reduce((sum, d) => sum + d.skipped, 0));
        return from(draws.map((d) => d.puzzle));
      }),
      finalize(() => {
        if (!options.pool) void pool.close();
      }),
    );
  });
}
