/**
 * Acc(answer | perception) for Sudoku (docs/architecture.md §3): the answer must be a complete 9x9 grid (no blanks) in
 * which every row, column and box holds 1-9 once, and which keeps every given of the perception it is
 * checked against. Total: any answer or perception text yields a Verdict, never a throw.
 */
import type { Verdict } from '../task.ts';
import { CELLS, cellName, findDuplicate, parseGrid, type Grid } from './grid.ts';

/** Verdict for the answer grid `answer` against the givens `givens` (both already parsed). */
export function verifyGrid(answer: Grid, givens: Grid): Verdict {
  for (let i = 0; i < CELLS; i++) {
    if (answer[i] === 0) return { correct: false, reason: `${cellName(i)} is blank` };
  }
  for (let i = 0; i < CELLS; i++) {
    if (givens[i] !== 0 && answer[i] !== givens[i]) {
      return { correct: false, reason: `given ${givens[i]} at ${cellName(i)} changed to ${answer[i]}` };
    }
  }
  const duplicate = findDuplicate(answer);
  if (duplicate) return { correct: false, reason: duplicate };
  return { correct: true, reason: 'ok' };
}

/** Acc(answer | perception) on the text forms; malformed text of either kind is a verdict with its reason. */
export function verifySudoku(answer: string, perception: string): Verdict {
  let givens: Grid;
  try {
    givens = parseGrid(perception, 'perception');
  } catch (error) {
    return { correct: false, reason: `malformed ${(error as Error).message}` };
  }
  return verifyAnswer(answer, givens);
}

/** Acc(answer | givens) for already parsed givens; a malformed answer is a verdict, never a throw. */
export function verifyAnswer(answer: string, givens: Grid): Verdict {
  let grid: Grid;
  try {
    grid = parseGrid(answer, 'answer');
  } catch (error) {
    return { correct: false, reason: `malformed ${(error as Error).message}` };
  }
  return verifyGrid(grid, givens);
}
