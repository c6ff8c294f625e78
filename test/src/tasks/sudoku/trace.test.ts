import { describe, expect, it } from 'vitest';
import { Rng } from '../../../../src/rng.ts';
import { generateSudoku } from '../../../../src/tasks/sudoku/generate.ts';
import { BOXES, COLUMNS, formatGrid, parseGrid, PEERS, ROWS, type Grid } from '../../../../src/tasks/sudoku/grid.ts';
import { solveWithTrace } from '../../../../src/tasks/sudoku/trace.ts';

/** Digits that fit `cell` given the digits placed so far. */
const fits = (grid: Grid, cell: number) => [1, 2, 3, 4, 5, 6, 7, 8, 9].filter((d) => PEERS[cell].every((p) => grid[p] !== d));
const cellOf = (name: string) => (Number(name[1]) - 1) * 9 + Number(name[3]) - 1;
const unitOf = (name: string) => {
  const [kind, index] = name.split(' ');
  return (kind === 'row' ? ROWS : kind === 'column' ? COLUMNS : BOXES)[Number(index) - 1];
};

describe('Sudoku trace', () => {
  it('replays as a valid derivation: each single really is one at its step, ending at the answer', () => {
    let hidden = 0;
    let replayed = 0;
    for (let seed = 0; seed < 30; seed++) {
      const givens = generateSudoku(new Rng(seed), 40 + (seed % 19)).givens; // 40-58 blanks: hidden singles appear
      const { trace, answer, steps } = solveWithTrace(givens, 2);
      if (!steps.every((s) => s.kind === 'naked' || s.kind === 'hidden')) continue;
      const grid = Uint8Array.from(givens);
      const lines = trace.split('\n');
      expect(lines.pop()).toBe(`All ${givens.filter((d) => d === 0).length} blanks filled.`);
      for (const line of lines) {
        const naked = /^(r\dc\d): only (\d)\.$/.exec(line);
        const single = /^(r\dc\d): (\d), only place in ((?:row|column|box) \d)\.$/.exec(line);
        const match = naked ?? single;
        if (!match) throw new Error(`unexpected trace line '${line}'`);
        const cell = cellOf(match[1]);
        const digit = Number(match[2]);
        expect(grid[cell]).toBe(0);
        if (naked) expect(fits(grid, cell)).toEqual([digit]);
        else {
          hidden++;
          const others = unitOf(match[3]).cells.filter((c) => c !== cell && grid[c] === 0 && fits(grid, c).includes(digit));
          expect(others).toEqual([]);
          expect(fits(grid, cell)).toContain(digit);
        }
        grid[cell] = digit;
      }
      expect(formatGrid(grid)).toBe(answer);
      replayed++;
    }
    expect(replayed).toBeGreaterThan(15); // most of them need no locked candidates or guesses
    expect(hidden).toBeGreaterThan(0); // the replay covered hidden singles too
  });

  it('writes each verbosity in its own form', () => {
    const givens = parseGrid('530070000/600195000/098000060/800060003/400803001/700020006/060000280/000419005/000080079');
    const at = (v: number) => solveWithTrace(givens, v).trace;
    expect(at(0)).toBe('Fill 51 blanks.');
    expect(at(1)).toMatch(/^Fill 51 blanks: (r\dc\d=\d )+r\dc\d=\d$/);
    expect(at(1).split(' ').length).toBe(3 + 51);
    expect(at(2).split('\n')).toHaveLength(52);
    expect(at(3)).toMatch(/^Candidates: r1c3 124, r1c4 26, /);
    expect(at(3)).toMatch(/Remove \d from (r\dc\d,)*r\dc\d\./);
    expect(at(3).endsWith('every row, column and box holds 1-9 once.')).toBe(true);
    expect(() => solveWithTrace(givens, 4)).toThrow('sudoku: verbosity must be an integer in [0, 3], got 4');
  });
});
