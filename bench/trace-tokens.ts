/** The trace-length cells both trace-token benches print: one verbosity level of one task over `puzzles`. */
import type { Puzzle } from '../src/records.ts';
import type { Task } from '../src/tasks/task.ts';
import { tokenCount } from '../src/tokenizer.ts';

/** `mean | median | p95 | max | perception fraction (mean of ratios) | share over budget` of the responses. */
export function traceTokenCells(task: Task, puzzles: readonly Puzzle[], verbosity: number, budget: number): string {
  const count = puzzles.length;
  const lengths: number[] = [];
  let fraction = 0;
  for (const puzzle of puzzles) {
    const tokens = tokenCount(task.response(puzzle, { verbosity }));
    lengths.push(tokens);
    fraction += tokenCount(puzzle.pStar) / tokens;
  }
  lengths.sort((a, b) => a - b);
  const mean = lengths.reduce((a, b) => a + b, 0) / count;
  const over = lengths.filter((l) => l > budget).length / count;
  const at = (q: number) => lengths[Math.min(count - 1, Math.floor(q * count))];
  return `${mean.toFixed(0)} | ${at(0.5)} | ${at(0.95)} | ${lengths[count - 1]} | ${((100 * fraction) / count).toFixed(1)}% | ${(100 * over).toFixed(1)}%`;
}
