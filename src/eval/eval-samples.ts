/**
 * Evaluation samples generated on the fly when no dataset directory is given: the same puzzles, in the same
 * order, as `asymflow gen` writes for the split and seed (src/data/split-sample.ts derives every seed).
 */
import { puzzleAt, sampleOf } from '../data/split-sample.ts';
import type { Sample } from '../records.ts';
import type { Task, TaskOptions } from '../tasks/task.ts';

export interface GeneratedSplit {
  readonly split: string;
  readonly n: number;
  readonly seed: number;
  readonly options?: TaskOptions; // generation and rendering knobs (e.g. inputSize for our model)
}

export async function* generatedSamples(task: Task, { split, n, seed, options = {} }: GeneratedSplit): AsyncGenerator<Sample> {
  for (let i = 0; i < n; i++) {
    const puzzle = puzzleAt(task, { split, seed, options }, i);
    yield await sampleOf(task, puzzle, false, options); // eval needs no SFT target
  }
}
