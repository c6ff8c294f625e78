/**
 * Puzzle `index` of a split and its rendered sample — the one place that derives a puzzle's seed, shared by
 * `asymflow gen` (operators/puzzle-source.ts, operators/render.ts) and `eval` without --data
 * (src/data/generated-samples.ts), so a split generated on the fly equals the one written to disk.
 *
 * Puzzle i comes from its own child stream `Rng(seed).split('<task>/<split>').split(i)`: any index is
 * reproducible alone, and the first n puzzles do not depend on n or on the order they are made in. Splits are
 * kept apart by content, not by seed alone: a draw whose key is held out is redrawn from the same stream
 * (src/data/held-out.ts).
 */
import type { Puzzle, Sample } from '../records.ts';
import type { Task, TaskOptions } from '../tasks/task.ts';
import { drawAt } from './held-out.ts';

/** Every split name; `test_seen_glyphs` is Sudoku's (src/data/held-out.ts says which task has which). */
export const SPLITS = ['test', 'val', 'test_seen_glyphs', 'train_sft', 'train_rl'] as const;
export type Split = (typeof SPLITS)[number];

export { drawAt, puzzleId, puzzleRng } from './held-out.ts';

export interface SplitSpec {
  readonly split: string;
  readonly seed: number;
  readonly options?: TaskOptions; // generation, rendering and trace knobs
}

/** Puzzle `index` of the split: same arguments ⇒ same puzzle, whatever else was generated before. */
export function puzzleAt(task: Task, { split, seed, options = {} }: SplitSpec, index: number): Puzzle {
  return drawAt(task, { split, seed, options }, index).puzzle;
}

/** SFT targets are written for train_sft only (the paper's other splits carry no response). */
export function hasResponse(split: string): boolean {
  return split === 'train_sft';
}

/** The puzzle rendered (dataset PNG + model-input pixels) with its query, and with `response` its SFT target. */
export async function sampleOf(task: Task, puzzle: Puzzle, response: boolean, options: TaskOptions = {}): Promise<Sample> {
  const rendered = await task.render(puzzle, options);
  const query = task.query(puzzle);
  return response ? { puzzle, ...rendered, query, response: task.response(puzzle, options) } : { puzzle, ...rendered, query };
}
