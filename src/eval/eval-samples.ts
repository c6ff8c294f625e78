/**
 * Evaluation samples generated on the fly when no dataset directory is given: puzzle i of a split comes from
 * its own child stream of the seed, so the first n samples do not depend on n.
 */
import type { Sample } from '../records.ts';
import { Rng } from '../rng.ts';
import type { Task, TaskOptions } from '../tasks/task.ts';

export interface GeneratedSplit {
  readonly split: string;
  readonly n: number;
  readonly seed: number;
  readonly options?: TaskOptions; // generation and rendering knobs (e.g. inputSize for our model)
  readonly start?: number; // first index (RL reads the split step by step; sample i is the same either way)
}

export async function* generatedSamples(task: Task, { split, n, seed, options = {}, start = 0 }: GeneratedSplit): AsyncGenerator<Sample> {
  const root = new Rng(seed).split(`${task.name}/${split}`);
  for (let i = start; i < start + n; i++) {
    const rng = root.split(i);
    const puzzle = task.generate(rng, `${task.name}-${split}-${i}`, rng.seed, options);
    const rendered = await task.render(puzzle, options);
    yield { puzzle, ...rendered, query: task.query(puzzle) };
  }
}
