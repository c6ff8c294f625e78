/**
 * The Sudoku reasoning trace (docs/architecture.md §3), written from the human-style solver's steps (human.ts):
 * candidates, naked and hidden singles, locked-candidate eliminations, guesses and backtracking.
 * `verbosity` sets the length, and with it the perception token fraction:
 *   0  one line with the blank count
 *   1  every step in compact form on one line (`r1c3=4`, guesses `r5c5=2?`, dead ends `x`)
 *   2  one short line per step naming the rule: `r1c3: only 4.`, `r4c2: 7, only place in box 4.`
 *   3  plus every blank's candidates up front, the eliminations after each placement and a final check
 * ASCII only: the tokenizer maps anything else to UNK.
 */
import { cellName, countBlanks, formatGrid, maskDigits, type Grid } from './grid.ts';
import { solveHuman, type Step } from './human.ts';

export const MAX_VERBOSITY = 3;

export interface SudokuSolution {
  readonly answer: string; // the full grid, rows joined by '/'
  readonly trace: string;
  readonly steps: readonly Step[];
}

const cap = (text: string) => text[0].toUpperCase() + text.slice(1);
const cells = (list: readonly number[]) => list.map(cellName).join(',');

function compactStep(step: Step): string {
  switch (step.kind) {
    case 'naked':
    case 'hidden':
      return `${cellName(step.cell)}=${step.digit}`;
    case 'guess':
    case 'undo':
      return `${cellName(step.cell)}=${step.digit}?`;
    case 'locked':
      return `-${step.digit}:${cells(step.removed)}`;
    case 'empty':
    case 'nowhere':
      return 'x';
  }
}

function detailedStep(step: Step, verbosity: number): string {
  const removal = (digit: number, removed: readonly number[]) => (verbosity >= 3 && removed.length ? ` Remove ${digit} from ${cells(removed)}.` : '');
  switch (step.kind) {
    case 'naked':
      return `${cellName(step.cell)}: only ${step.digit}.${removal(step.digit, step.removed)}`;
    case 'hidden':
      return `${cellName(step.cell)}: ${step.digit}, only place in ${step.unit}.${removal(step.digit, step.removed)}`;
    case 'locked':
      return `${cap(step.within)} has ${step.digit} only in ${step.line}: remove ${step.digit} from ${cells(step.removed)}.`;
    case 'guess':
      return `${cellName(step.cell)}: candidates ${step.candidates.join(',')}; guess ${step.digit}.${removal(step.digit, step.removed)}`;
    case 'undo':
      return `Back to ${cellName(step.cell)}: try ${step.digit}.${removal(step.digit, step.removed)}`;
    case 'empty':
      return `${cellName(step.cell)}: no candidates; backtrack.`;
    case 'nowhere':
      return `No place for ${step.digit} in ${step.unit}; backtrack.`;
  }
}

/** Solves `givens` and writes the trace at `verbosity` (0..3). Throws when the givens have no solution. */
export function solveWithTrace(givens: Grid, verbosity: number): SudokuSolution {
  if (!Number.isInteger(verbosity) || verbosity < 0 || verbosity > MAX_VERBOSITY) {
    throw new RangeError(`sudoku: verbosity must be an integer in [0, ${MAX_VERBOSITY}], got ${verbosity}`);
  }
  const { solution, steps, initial } = solveHuman(givens);
  const blanks = countBlanks(givens);
  const lines: string[] = [];
  if (verbosity === 0) lines.push(`Fill ${blanks} blanks.`);
  else if (verbosity === 1) lines.push(`Fill ${blanks} blanks: ${steps.map(compactStep).join(' ')}`);
  else {
    if (verbosity === 3) {
      const listed: string[] = [];
      for (let i = 0; i < initial.length; i++) if (givens[i] === 0) listed.push(`${cellName(i)} ${maskDigits(initial[i]).join('')}`);
      lines.push(`Candidates: ${listed.join(', ')}.`);
    }
    lines.push(...steps.map((s) => detailedStep(s, verbosity)));
    lines.push(verbosity === 3 ? `All ${blanks} blanks filled; every row, column and box holds 1-9 once.` : `All ${blanks} blanks filled.`);
  }
  return { answer: formatGrid(solution), trace: lines.join('\n'), steps };
}
