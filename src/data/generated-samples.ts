/**
 * Evaluation samples generated on the fly when no dataset directory is given: the same puzzles, in the same
 * order, as `asymflow gen` writes for the split and seed (src/data/split-sample.ts derives every seed).
 */
import { drawAt, sampleOf } from './split-sample.ts';
import { yieldIfDue } from '../event-loop.ts';
import type { Sample } from '../records.ts';
import type { Task, TaskOptions } from '../tasks/task.ts';

export interface GeneratedSplit {
  readonly split: string;
  readonly n: number;
  readonly seed: number;
  readonly options?: TaskOptions; // generation and rendering knobs (e.g. inputSize for our model)
  readonly start?: number; // first index (RL reads the split step by step; sample i is the same either way)
  readonly onSkipped?: (count: number) => void; // held-out draws a training split passed over (src/data/held-out.ts)
}

export async function* generatedSamples(task: Task, { split, n, seed, options = {}, start = 0, onSkipped }: GeneratedSplit): AsyncGenerator<Sample> {
  for (let i = start; i < start + n; i++) {
    const { puzzle, skipped } = drawAt(task, { split, seed, options }, i);
    if (skipped > 0) onSkipped?.(skipped);
    yield await sampleOf(task, puzzle, false, options); // eval needs no SFT target
    await yieldIfDue(); // rendering is synchronous: let timers and signals in between samples
  }
}
