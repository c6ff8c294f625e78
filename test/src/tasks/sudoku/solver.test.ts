import { describe, expect, it } from 'vitest';
import { Rng } from '../../../../src/rng.ts';
import { generateSudoku, MAX_BLANKS, randomFullGrid } from '../../../../src/tasks/sudoku/generate.ts';
import { countBlanks, findDuplicate, formatGrid, parseGrid, type Grid } from '../../../../src/tasks/sudoku/grid.ts';
import { countSolutions } from '../../../../src/tasks/sudoku/solver.ts';
import { solveSudoku } from '../../../../src/tasks/sudoku/index.ts';

const P = '530070000/600195000/098000060/800060003/400803001/700020006/060000280/000419005/000080079';
const S = '534678912/672195348/198342567/859761423/426853791/713924856/961537284/287419635/345286179';

/** A full grid with a deadly rectangle blanked: two rows of one band, two columns of different stacks, a/b swapped. */
function deadlyPattern(full: Grid): Grid | undefined {
  for (let r1 = 0; r1 < 9; r1++) {
    for (let r2 = r1 + 1; r2 < 9 && Math.floor(r2 / 3) === Math.floor(r1 / 3); r2++) {
      for (let c1 = 0; c1 < 9; c1++) {
        for (let c2 = (Math.floor(c1 / 3) + 1) * 3; c2 < 9; c2++) {
          const [a, b, c, d] = [full[r1 * 9 + c1], full[r1 * 9 + c2], full[r2 * 9 + c1], full[r2 * 9 + c2]];
          if (a === d && b === c) {
            const puzzle = Uint8Array.from(full);
            for (const cell of [r1 * 9 + c1, r1 * 9 + c2, r2 * 9 + c1, r2 * 9 + c2]) puzzle[cell] = 0;
            return puzzle;
          }
        }
      }
    }
  }
  return undefined;
}

describe('countSolutions', () => {
  it('solves a known puzzle uniquely', () => {
    const { count, solution } = countSolutions(parseGrid(P));
    expect(count).toBe(1);
    expect(formatGrid(solution!)).toBe(S);
    expect(solveSudoku(P)).toEqual({ solutions: 1, answer: S });
  });

  it('counts 2 for a deadly pattern and for an empty grid', () => {
    let found = 0;
    for (let seed = 0; seed < 20 && found < 3; seed++) {
      const puzzle = deadlyPattern(randomFullGrid(new Rng(seed)));
      if (!puzzle) continue;
      found++;
      expect(countBlanks(puzzle)).toBe(4);
      expect(countSolutions(puzzle).count).toBe(2);
      expect(countSolutions(puzzle, 10).count).toBe(2); // exactly two, not more
      const solved = solveSudoku(formatGrid(puzzle));
      expect(solved.solutions).toBe(2);
      expect(findDuplicate(parseGrid(solved.answer!))).toBeUndefined();
    }
    expect(found).toBe(3);
    expect(solveSudoku('000000000/'.repeat(8) + '000000000').solutions).toBe(2);
  });

  it('counts 0 for conflicting givens and for a dead end without a direct conflict', () => {
    expect(solveSudoku(P.replace(/^53/, '55'))).toEqual({ solutions: 0, answer: null }); // duplicate in row 1
    // r1c3 sees 1-8 in its row and 9 in its column: no digit fits, though no unit repeats a digit
    const blocked = '123456780/000000000/000000009/' + '000000000/'.repeat(5) + '000000000';
    expect(findDuplicate(parseGrid(blocked))).toBeUndefined();
    expect(solveSudoku(blocked)).toEqual({ solutions: 0, answer: null });
  });

  it('throws clear errors on malformed perceptions', () => {
    expect(() => solveSudoku('12345')).toThrow("perception: expected 9 rows joined by '/', got 1");
    expect(() => solveSudoku(P.replace('098', '0a8'))).toThrow("perception: row 3 column 2 is 'a'");
  });
});

describe('generateSudoku', () => {
  it('gives exactly `blanks` blanks, exactly one solution, and givens from that solution', () => {
    for (const blanks of [1, 20, 30, 45]) {
      for (let seed = 0; seed < 6; seed++) {
        const { givens, solution } = generateSudoku(new Rng(seed * 100 + blanks), blanks);
        expect(countBlanks(givens)).toBe(blanks);
        expect(countBlanks(solution)).toBe(0);
        expect(findDuplicate(solution)).toBeUndefined();
        const { count, solution: solved } = countSolutions(givens, 5);
        expect(count).toBe(1);
        expect(formatGrid(solved!)).toBe(formatGrid(solution));
        for (let i = 0; i < 81; i++) if (givens[i]) expect(givens[i]).toBe(solution[i]);
      }
    }
  });

  it('reaches MAX_BLANKS, is deterministic by seed, and varies across seeds', () => {
    const hard = generateSudoku(new Rng(3), MAX_BLANKS);
    expect(countBlanks(hard.givens)).toBe(MAX_BLANKS);
    expect(countSolutions(hard.givens).count).toBe(1);
    expect(formatGrid(generateSudoku(new Rng(9), 30).givens)).toBe(formatGrid(generateSudoku(new Rng(9), 30).givens));
    expect(formatGrid(generateSudoku(new Rng(9), 30).solution)).not.toBe(formatGrid(generateSudoku(new Rng(10), 30).solution));
    expect(() => generateSudoku(new Rng(1), MAX_BLANKS + 1)).toThrow(`sudoku: blanks must be an integer in [0, ${MAX_BLANKS}], got ${MAX_BLANKS + 1}`);
  });
});
