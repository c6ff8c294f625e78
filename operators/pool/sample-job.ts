/**
 * The JS-heavy work of `asymflow gen` as plain jobs — puzzle generation (solvers, uniqueness checks) and
 * sample making (drawing, PNG encoding, reasoning traces; src/render/) — run the same way in a Piscina
 * worker (sample-worker.ts) and in process (a pool of 0 threads), so both give identical samples.
 */
import { drawAt, sampleOf, type SplitSpec } from '../../src/data/split-sample.ts';
import type { Draw } from '../../src/data/held-out.ts';
import type { Puzzle, Sample } from '../../src/records.ts';
import { getTask } from '../../src/tasks/registry.ts';
import type { Task, TaskName, TaskOptions } from '../../src/tasks/task.ts';

export interface PuzzlesJob {
  readonly kind: 'puzzles';
  readonly task: TaskName;
  readonly spec: SplitSpec;
  readonly indices: readonly number[];
}

export interface SampleJob {
  readonly kind: 'sample';
  readonly task: TaskName;
  readonly puzzle: Puzzle;
  readonly response: boolean; // write the SFT target
  readonly options: TaskOptions;
}

export type Job = PuzzlesJob | SampleJob;
export type JobResult<J extends Job> = J extends PuzzlesJob ? Draw[] : Sample;

// getTask is a dynamic import(); even for a loaded module each call goes through the module resolver (under
// tsx a round trip to its loader thread, ~0.2 ms), so a thread keeps the tasks it has loaded.
const loaded = new Map<string, Task>();

export async function runJob<J extends Job>(job: J): Promise<JobResult<J>> {
  const task = loaded.get(job.task) ?? (await getTask(job.task));
  loaded.set(job.task, task);
  if (job.kind === 'puzzles') return job.indices.map((i) => drawAt(task, { ...job.spec, options: job.spec.options ?? {} }, i)) as JobResult<J>;
  return (await sampleOf(task, job.puzzle, job.response, job.options)) as JobResult<J>;
}
