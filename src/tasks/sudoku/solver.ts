/**
 * Exact Sudoku solver: depth-first search over row/column/box bitmasks, always branching on the blank with
 * the fewest candidates. It counts solutions up to a limit (2 is enough to tell unique from ambiguous), and
 * with an Rng shuffles the digit order, which is how the generator fills an empty grid at random.
 */
import type { Rng } from '../../rng.ts';
import { SearchBudgetError } from '../search-budget.ts';
import { ALL_DIGITS, boxOf, CELLS, colOf, findDuplicate, popcount, rowOf, type Grid } from './grid.ts';

export interface SolveResult {
  /** Solutions found, capped at the limit (0, 1, or `limit` meaning "at least that many"). */
  readonly count: number;
  /** The first solution found, when there is one. */
  readonly solution: Grid | null;
}

/**
 * Counts the solutions of `givens` up to `limit`. Conflicting givens (a digit twice in a unit) count 0.
 * With `rng`, candidate digits are tried in a random order (same rng state ⇒ same first solution). With
 * `deadline` (a Date.now() value) the search throws SearchBudgetError once past it.
 */
export function countSolutions(givens: Grid, limit = 2, rng?: Rng, deadline?: number): SolveResult {
  if (givens.length !== CELLS) throw new Error(`countSolutions: expected ${CELLS} cells, got ${givens.length}`);
  if (findDuplicate(givens)) return { count: 0, solution: null };
  const grid = Uint8Array.from(givens);
  const rows = new Uint16Array(9);
  const cols = new Uint16Array(9);
  const boxes = new Uint16Array(9);
  const blanks: number[] = [];
  for (let i = 0; i < CELLS; i++) {
    const d = grid[i];
    if (d === 0) blanks.push(i);
    else {
      rows[rowOf(i)] |= 1 << d;
      cols[colOf(i)] |= 1 << d;
      boxes[boxOf(i)] |= 1 << d;
    }
  }
  const rowIdx = blanks.map(rowOf);
  const colIdx = blanks.map(colOf);
  const boxIdx = blanks.map(boxOf);
  let count = 0;
  let solution: Grid | null = null;
  let visited = 0;

  // blanks[0..depth) are filled; pick the unfilled blank with fewest candidates and swap it to `depth`.
  const search = (depth: number): void => {
    if (deadline !== undefined && (++visited & 0xfff) === 0 && Date.now() > deadline) {
      throw new SearchBudgetError(`no answer within the time budget (${visited} search nodes)`);
    }
    if (depth === blanks.length) {
      count++;
      if (!solution) solution = Uint8Array.from(grid);
      return;
    }
    let best = -1;
    let bestMask = 0;
    let bestCount = 10;
    for (let k = depth; k < blanks.length; k++) {
      const mask = ALL_DIGITS & ~(rows[rowIdx[k]] | cols[colIdx[k]] | boxes[boxIdx[k]]);
      const n = popcount(mask);
      if (n < bestCount) {
        best = k;
        bestMask = mask;
        bestCount = n;
        if (n <= 1) break;
      }
    }
    if (bestCount === 0) return;
    swap(depth, best);
    const cell = blanks[depth];
    const r = rowIdx[depth];
    const c = colIdx[depth];
    const b = boxIdx[depth];
    const digits: number[] = [];
    for (let d = 1; d <= 9; d++) if (bestMask & (1 << d)) digits.push(d);
    if (rng) rng.shuffle(digits);
    for (const d of digits) {
      const bit = 1 << d;
      grid[cell] = d;
      rows[r] |= bit;
      cols[c] |= bit;
      boxes[b] |= bit;
      search(depth + 1);
      rows[r] &= ~bit;
      cols[c] &= ~bit;
      boxes[b] &= ~bit;
      grid[cell] = 0;
      if (count >= limit) break;
    }
    swap(depth, best);
  };
  const swap = (i: number, j: number) => {
    if (i === j) return;
    [blanks[i], blanks[j]] = [blanks[j], blanks[i]];
    [rowIdx[i], rowIdx[j]] = [rowIdx[j], rowIdx[i]];
    [colIdx[i], colIdx[j]] = [colIdx[j], colIdx[i]];
    [boxIdx[i], boxIdx[j]] = [boxIdx[j], boxIdx[i]];
  };
  search(0);
  return { count, solution };
}
