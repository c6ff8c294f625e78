/**
 * Sudoku perception text: normalising a grid of givens to the canonical p* (whitespace dropped) and
 * comparing two perceptions cell by cell.
 */
import { formatGrid, parseGrid } from './grid.ts';

/** The canonical p* of a perception text (throws like parseGrid, naming the bad row and column). */
export function normalisePerception(text: string): string {
  return formatGrid(parseGrid(text, 'perception'));
}

/** Same 81 cells after normalisation; a malformed text never equals anything. */
export function samePerception(predicted: string, oracle: string): boolean {
  try {
    return normalisePerception(predicted) === normalisePerception(oracle);
  } catch {
    return false;
  }
}
