/**
 * A human-style Sudoku solver that reports every step it takes, for the reasoning trace (trace.ts).
 * Strategy, in order, repeated until the grid is full:
 *   1. naked single  - the first blank (row-major) with one candidate left
 *   2. hidden single - the first unit (rows, columns, boxes) with a digit that fits only one of its cells
 *   3. locked candidates - a digit confined to one line inside a box (or to one box inside a line) is
 *      removed from the rest of that line (box)
 *   4. guess - the blank with fewest candidates takes its smallest untried one; a contradiction (a blank
 *      with no candidates, or a digit with no place in a unit) undoes back to the latest guess
 * Each placement removes its digit from the candidates of the cell's peers (the eliminations).
 */
import { ALL_DIGITS, BOXES, CELLS, COLUMNS, findDuplicate, PEERS, popcount, ROWS, UNITS, unitName, type Grid, type Unit } from './grid.ts';

export type Step =
  | { readonly kind: 'naked'; readonly cell: number; readonly digit: number; readonly removed: readonly number[] }
  | { readonly kind: 'hidden'; readonly cell: number; readonly digit: number; readonly unit: string; readonly removed: readonly number[] }
  | { readonly kind: 'locked'; readonly digit: number; readonly within: string; readonly line: string; readonly removed: readonly number[] }
  | { readonly kind: 'guess'; readonly cell: number; readonly digit: number; readonly candidates: readonly number[]; readonly removed: readonly number[] }
  | { readonly kind: 'empty'; readonly cell: number } // contradiction: a blank with no candidates
  | { readonly kind: 'nowhere'; readonly digit: number; readonly unit: string } // contradiction: no place for a digit
  | { readonly kind: 'undo'; readonly cell: number; readonly digit: number; readonly candidates: readonly number[]; readonly removed: readonly number[] };

export interface HumanSolution {
  readonly solution: Grid;
  readonly steps: readonly Step[];
  /** Candidate masks of every blank before the first step (0 for givens). */
  readonly initial: Uint16Array;
}

/** Backtracking cap: far above what any generated puzzle needs, so a hostile perception cannot hang a worker. */
const MAX_GUESSES = 10_000;

interface Frame {
  readonly grid: Grid;
  readonly cand: Uint16Array;
  readonly cell: number;
  readonly untried: number[];
}

const digitsOf = (mask: number) => {
  const out: number[] = [];
  for (let d = 1; d <= 9; d++) if (mask & (1 << d)) out.push(d);
  return out;
};

/** Candidate masks for every blank from the digits placed in its peers (0 for filled cells). */
export function candidates(grid: Grid): Uint16Array {
  const cand = new Uint16Array(CELLS);
  for (let i = 0; i < CELLS; i++) {
    if (grid[i] !== 0) continue;
    let seen = 0;
    for (const p of PEERS[i]) seen |= 1 << grid[p];
    cand[i] = ALL_DIGITS & ~seen;
  }
  return cand;
}

/**
 * Solves `givens` step by step. Throws an Error when the givens conflict or the puzzle has no solution;
 * with several solutions it returns the first its strategy reaches.
 */
export function solveHuman(givens: Grid): HumanSolution {
  const duplicate = findDuplicate(givens);
  if (duplicate) throw new Error(`sudoku: the givens conflict: ${duplicate}`);
  let grid = Uint8Array.from(givens);
  let cand = candidates(grid);
  const initial = Uint16Array.from(cand);
  const steps: Step[] = [];
  const stack: Frame[] = [];
  let guesses = 0;

  const place = (cell: number, digit: number): number[] => {
    grid[cell] = digit;
    cand[cell] = 0;
    const removed: number[] = [];
    for (const p of PEERS[cell]) {
      if (cand[p] & (1 << digit)) {
        cand[p] &= ~(1 << digit);
        removed.push(p);
      }
    }
    return removed;
  };

  /** First contradiction in the current state, or undefined. */
  const contradiction = (): Step | undefined => {
    for (let i = 0; i < CELLS; i++) if (grid[i] === 0 && cand[i] === 0) return { kind: 'empty', cell: i };
    for (const unit of UNITS) {
      let placed = 0;
      let possible = 0;
      for (const c of unit.cells) {
        if (grid[c]) placed |= 1 << grid[c];
        possible |= cand[c];
      }
      const missing = ALL_DIGITS & ~placed & ~possible;
      if (missing) return { kind: 'nowhere', digit: digitsOf(missing)[0], unit: unitName(unit) };
      // a digit placed twice in a unit is impossible here: candidates never allow it and givens are checked
    }
    return undefined;
  };

  const nakedSingle = (): Step | undefined => {
    for (let i = 0; i < CELLS; i++) {
      if (grid[i] === 0 && popcount(cand[i]) === 1) {
        const digit = digitsOf(cand[i])[0];
        return { kind: 'naked', cell: i, digit, removed: place(i, digit) };
      }
    }
    return undefined;
  };

  const hiddenSingle = (): Step | undefined => {
    for (const unit of UNITS) {
      for (let d = 1; d <= 9; d++) {
        const bit = 1 << d;
        let where = -1;
        let n = 0;
        for (const c of unit.cells) {
          if (cand[c] & bit) {
            where = c;
            n++;
          }
        }
        if (n === 1) return { kind: 'hidden', cell: where, digit: d, unit: unitName(unit), removed: place(where, d) };
      }
    }
    return undefined;
  };

  /** Digit `d` confined to `inner`∩`outer` inside `inner`: remove it from the rest of `outer`. */
  const lockedIn = (inner: Unit, outers: readonly Unit[]): Step | undefined => {
    for (let d = 1; d <= 9; d++) {
      const bit = 1 << d;
      const spots = inner.cells.filter((c) => cand[c] & bit);
      if (spots.length < 2) continue;
      const outer = outers.find((u) => spots.every((c) => u.cells.includes(c)));
      if (!outer) continue;
      const removed = outer.cells.filter((c) => !inner.cells.includes(c) && cand[c] & bit);
      if (removed.length === 0) continue;
      for (const c of removed) cand[c] &= ~bit;
      return { kind: 'locked', digit: d, within: unitName(inner), line: unitName(outer), removed };
    }
    return undefined;
  };

  const lockedCandidates = (): Step | undefined => {
    for (const box of BOXES) {
      const step = lockedIn(box, [...ROWS, ...COLUMNS]);
      if (step) return step;
    }
    for (const line of [...ROWS, ...COLUMNS]) {
      const step = lockedIn(line, BOXES);
      if (step) return step;
    }
    return undefined;
  };

  const nextGuess = (frame: Frame, kind: 'guess' | 'undo'): Step => {
    grid = Uint8Array.from(frame.grid);
    cand = Uint16Array.from(frame.cand);
    const digit = frame.untried.shift() as number;
    const candidatesLeft = [digit, ...frame.untried];
    return { kind, cell: frame.cell, digit, candidates: candidatesLeft, removed: place(frame.cell, digit) };
  };

  for (;;) {
    const stuck = contradiction();
    if (stuck) {
      steps.push(stuck);
      while (stack.length && stack[stack.length - 1].untried.length === 0) stack.pop();
      const frame = stack[stack.length - 1];
      if (!frame) throw new Error('sudoku: the givens have no solution');
      steps.push(nextGuess(frame, 'undo'));
      continue;
    }
    if (grid.every((d) => d !== 0)) return { solution: grid, steps, initial };
    const step = nakedSingle() ?? hiddenSingle() ?? lockedCandidates();
    if (step) {
      steps.push(step);
      continue;
    }
    if (++guesses > MAX_GUESSES) throw new Error(`sudoku: gave up after ${MAX_GUESSES} guesses`);
    let cell = -1;
    for (let i = 0; i < CELLS; i++) {
      if (grid[i] === 0 && (cell < 0 || popcount(cand[i]) < popcount(cand[cell]))) cell = i;
    }
    const frame: Frame = { grid: Uint8Array.from(grid), cand: Uint16Array.from(cand), cell, untried: digitsOf(cand[cell]) };
    stack.push(frame);
    steps.push(nextGuess(frame, 'guess'));
  }
}
