import { describe, expect, it } from 'vitest';
import { checkSudoku, sudokuTask } from '../../../../src/tasks/sudoku/index.ts';
import { verifySudoku } from '../../../../src/tasks/sudoku/verify.ts';

const P = '530070000/600195000/098000060/800060003/400803001/700020006/060000280/000419005/000080079';
const S = '534678912/672195348/198342567/859761423/426853791/713924856/961537284/287419635/345286179';

/** S with cell (row, col) (1-based) set to `digit`. */
const setCell = (grid: string, row: number, col: number, digit: string) => {
  const i = (row - 1) * 10 + (col - 1);
  return grid.slice(0, i) + digit + grid.slice(i + 1);
};
/** S with two cells of row `row` swapped. */
const swapInRow = (grid: string, row: number, a: number, b: number) => {
  const cells = grid.split('/');
  const chars = [...cells[row - 1]];
  [chars[a - 1], chars[b - 1]] = [chars[b - 1], chars[a - 1]];
  cells[row - 1] = chars.join('');
  return cells.join('/');
};

describe('verifySudoku', () => {
  it('accepts the solution, with whitespace, and through the task and check', () => {
    expect(verifySudoku(S, P)).toEqual({ correct: true, reason: 'ok' });
    expect(verifySudoku(` ${S.replaceAll('/', ' /\n')} `, P)).toEqual({ correct: true, reason: 'ok' });
    expect(sudokuTask.verify(S, P)).toEqual({ correct: true, reason: 'ok' });
    expect(checkSudoku(P, S)).toEqual({ correct: true, reason: 'ok' });
  });

  it('rejects a changed given even when the grid is otherwise valid', () => {
    // relabelling digits 5 <-> 6 everywhere keeps a valid Sudoku but changes the givens
    const relabelled = S.replace(/[56]/g, (d) => (d === '5' ? '6' : '5'));
    expect(verifySudoku(relabelled, P)).toEqual({ correct: false, reason: 'given 5 at r1c1 changed to 6' });
    // against a perception with fewer givens the relabelled grid can still be right: Acc(r | p)
    expect(verifySudoku(relabelled, '0'.repeat(9) + '/000000000'.repeat(8)).correct).toBe(true);
  });

  it('rejects duplicates in a row, a column and a box', () => {
    // r1c1 5 -> 1 (not a given in an empty perception): row 1 and column 1 hold two 1s
    const empty = '000000000/'.repeat(8) + '000000000';
    expect(verifySudoku(setCell(S, 1, 1, '1'), empty)).toEqual({ correct: false, reason: 'row 1 has two 1s' });
    // swapping two cells of a row keeps the row valid, breaks their columns
    expect(verifySudoku(swapInRow(S, 1, 1, 4), empty)).toEqual({ correct: false, reason: 'column 1 has two 6s' });
    // swap whole rows 3 and 4 (different bands): rows and columns stay valid, boxes break
    const rows = S.split('/');
    [rows[2], rows[3]] = [rows[3], rows[2]];
    expect(verifySudoku(rows.join('/'), empty)).toEqual({ correct: false, reason: 'box 1 has two 5s' });
  });

  it('rejects blanks, wrong lengths, non-digits and non-grids with a reason, never a throw', () => {
    expect(verifySudoku(setCell(S, 2, 3, '0'), P)).toEqual({ correct: false, reason: 'r2c3 is blank' });
    expect(verifySudoku(S.slice(0, -1), P)).toEqual({ correct: false, reason: 'malformed answer: row 9 has 8 cells, expected 9' });
    expect(verifySudoku(S + '1', P)).toEqual({ correct: false, reason: 'malformed answer: row 9 has 10 cells, expected 9' });
    expect(verifySudoku(setCell(S, 4, 5, 'x'), P)).toEqual({ correct: false, reason: "malformed answer: row 4 column 5 is 'x', expected a digit 0-9" });
    expect(verifySudoku('', P)).toEqual({ correct: false, reason: "malformed answer: expected 9 rows joined by '/', got 1" });
    expect(verifySudoku(S.replaceAll('/', ','), P).reason).toBe("malformed answer: expected 9 rows joined by '/', got 1");
    expect(verifySudoku(S, 'garbage')).toEqual({ correct: false, reason: "malformed perception: expected 9 rows joined by '/', got 1" });
    expect(verifySudoku(undefined as never, P)).toEqual({ correct: false, reason: 'malformed answer: expected a string, got undefined' });
  });
});

describe('checkSudoku', () => {
  it('throws on a malformed perception and gives a verdict on a malformed answer', () => {
    expect(() => checkSudoku('530/600', S)).toThrow("perception: expected 9 rows joined by '/', got 2");
    expect(checkSudoku(P, '534')).toEqual({ correct: false, reason: "malformed answer: expected 9 rows joined by '/', got 1" });
    expect(checkSudoku(P, setCell(S, 1, 2, '4')).correct).toBe(false);
  });
});
