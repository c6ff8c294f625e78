import { describe, expect, it } from 'vitest';
import { BOXES, findDuplicate, formatGrid, parseGrid, PEERS } from '../../../../src/tasks/sudoku/grid.ts';
import { normalisePerception, samePerception } from '../../../../src/tasks/sudoku/perception.ts';

const P = '530070000/600195000/098000060/800060003/400803001/700020006/060000280/000419005/000080079';

describe('Sudoku grid text', () => {
  it('round-trips the canonical form and ignores whitespace', () => {
    expect(formatGrid(parseGrid(P))).toBe(P);
    expect(normalisePerception(` 530 070 000 /\n600195000/098000060/800060003/400803001/700020006/060000280/000419005/000080079\n`)).toBe(P);
    const grid = parseGrid(P);
    expect([grid[0], grid[1], grid[2], grid[80]]).toEqual([5, 3, 0, 9]);
  });

  it('names the row and column of malformed text', () => {
    expect(() => parseGrid(P.replace('/600', '/6x0'), 'perception')).toThrow("perception: row 2 column 2 is 'x', expected a digit 0-9");
    expect(() => parseGrid(P.slice(0, -1), 'answer')).toThrow('answer: row 9 has 8 cells, expected 9');
    expect(() => parseGrid(P.split('/').slice(0, 8).join('/'))).toThrow("grid: expected 9 rows joined by '/', got 8");
    expect(() => parseGrid(P.replaceAll('/', ''))).toThrow("expected 9 rows joined by '/', got 1");
    expect(() => parseGrid(42 as never, 'perception')).toThrow('perception: expected a string, got number');
  });

  it('has 20 peers per cell and boxes in row-major order', () => {
    expect(PEERS.every((p) => p.length === 20)).toBe(true);
    expect(PEERS[0]).toContain(20); // r3c3 shares box 1 with r1c1
    expect(PEERS[0]).not.toContain(30);
    expect(BOXES[4].cells).toEqual([30, 31, 32, 39, 40, 41, 48, 49, 50]);
  });

  it('finds a repeated digit in a row, column or box', () => {
    expect(findDuplicate(parseGrid(P))).toBeUndefined();
    expect(findDuplicate(parseGrid(P.replace(/^53/, '55')))).toBe('row 1 has two 5s');
    expect(findDuplicate(parseGrid(P.replace(/^530/, '539')))).toBe('box 1 has two 9s');
    expect(findDuplicate(parseGrid(P.replace(/^5/, '4')))).toBe('column 1 has two 4s');
  });
});

describe('samePerception', () => {
  it('compares the 81 cells after normalisation', () => {
    expect(samePerception(P, P)).toBe(true);
    expect(samePerception(P.replaceAll('/', ' / '), P)).toBe(true);
    expect(samePerception(P.split('/').join('/\n'), P)).toBe(true);
    expect(samePerception(P.replace(/^5/, '6'), P)).toBe(false); // one cell differs
    expect(samePerception(P.replace(/^5/, '0'), P)).toBe(false); // a given read as blank
    expect(samePerception(P.slice(0, -1), P.slice(0, -1))).toBe(false); // malformed never matches
    expect(samePerception(P.replace(/^5/, '.'), P)).toBe(false);
  });
});
