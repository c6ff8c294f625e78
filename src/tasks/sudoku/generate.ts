/**
 * Seeded Sudoku generation: a random complete grid (the exact solver with a shuffled digit order on an
 * empty grid), then givens removed one at a time in a random cell order, each removal kept only while the
 * puzzle still has exactly one solution, until `blanks` cells are empty.
 */
import type { Rng } from '../../rng.ts';
import { CELLS, type Grid } from './grid.ts';
import { countSolutions } from './solver.ts';

/**
 * Most blanks accepted. Greedy removal stalls well before the 64 of a 17-given minimal puzzle: over 300
 * random grids it stopped at 53-59 blanks, at >= 58 for 22% of them, so 200 restarts fail at 58 with
 * probability ~0.78^200 (never, in practice); 60 was never reached.
 */
export const MAX_BLANKS = 58;
const MAX_ATTEMPTS = 200;

/** A uniformly shuffled complete valid grid. */
export function randomFullGrid(rng: Rng): Grid {
  const { solution } = countSolutions(new Uint8Array(CELLS), 1, rng);
  if (!solution) throw new Error('sudoku: could not fill an empty grid (solver bug)');
  return solution;
}

export interface GeneratedSudoku {
  readonly givens: Grid;
  readonly solution: Grid;
}

/**
 * A puzzle with exactly `blanks` blank cells and a unique solution. Throws a RangeError for a bad count and
 * an Error if MAX_ATTEMPTS full grids all stall before reaching it (only near MAX_BLANKS).
 */
export function generateSudoku(rng: Rng, blanks: number): GeneratedSudoku {
  if (!Number.isInteger(blanks) || blanks < 0 || blanks > MAX_BLANKS) {
    throw new RangeError(`sudoku: blanks must be an integer in [0, ${MAX_BLANKS}], got ${blanks}`);
  }
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const solution = randomFullGrid(rng);
    const givens = Uint8Array.from(solution);
    const order = rng.shuffle(Array.from({ length: CELLS }, (_, i) => i));
    let removed = 0;
    for (const cell of order) {
      if (removed === blanks) break;
      givens[cell] = 0;
      if (countSolutions(givens, 2).count === 1) removed++;
      else givens[cell] = solution[cell];
    }
    if (removed === blanks) return { givens, solution };
  }
  throw new Error(`sudoku: no unique puzzle with ${blanks} blanks after ${MAX_ATTEMPTS} attempts; use fewer blanks`);
}
