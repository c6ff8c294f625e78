import { describe, expect, it } from 'vitest';
import { groundTruthOf } from '../../../src/data/ground-truth.ts';
import type { HfRow } from '../../../src/data/hf-parquet.ts';
import { gcPerception, importPuzzle, inferTask, sudokuGrid } from '../../../src/data/import-puzzle.ts';
import type { Puzzle } from '../../../src/records.ts';

const row = (ground_truth: string, response: string | null = null, query = 'Colour the graph.'): HfRow => ({
  query,
  image: { bytes: new Uint8Array([1]), path: '' },
  ground_truth,
  response,
});

// a Sudoku with one blank (row 0, column 0 → 5) and its solution
const SOLVED = ['534678912', '672195348', '198342567', '859761423', '426853791', '713924856', '961537284', '287419635', '345286179'];
const GIVENS = ['034678912', ...SOLVED.slice(1)];

describe('gcPerception', () => {
  it('reads the edge-list spellings found in the wild into one canonical form', () => {
    const canonical = gcPerception('(0,1),(1,2)');
    expect(canonical).toBe('(0,1),(1,2)');
    expect(gcPerception('[(0, 1), (1, 2)]')).toBe(canonical);
    expect(gcPerception('[[0,1],[1,2]]')).toBe(canonical);
    expect(
      gcPerception([
        [0, 1],
        [1, 2],
      ]),
    ).toBe(canonical);
  });

  it('says undefined for what is not an edge list', () => {
    expect(gcPerception('0:1,1:2')).toBeUndefined();
    expect(gcPerception([[0, 1, 2]])).toBeUndefined();
    expect(gcPerception(42)).toBeUndefined();
  });
});

describe('sudokuGrid', () => {
  it('reads rows joined by /, 81 digits, dots for blanks and nested arrays', () => {
    const canonical = GIVENS.join('/');
    expect(sudokuGrid(canonical)).toBe(canonical);
    expect(sudokuGrid(GIVENS.join(''))).toBe(canonical);
    expect(sudokuGrid(`.${GIVENS.join('').slice(1)}`)).toBe(canonical);
    expect(sudokuGrid(GIVENS.map((r) => [...r].map(Number)))).toBe(canonical);
  });

  it('says undefined for what is not 81 cells', () => {
    expect(sudokuGrid('12345')).toBeUndefined();
    expect(sudokuGrid({ grid: 1 })).toBeUndefined();
  });
});

describe('inferTask', () => {
  it('knows our rows by their ground_truth, foreign ones by the perception’s shape, then by the query', () => {
    const ours: Puzzle = {
      id: 'sudoku-test-0',
      task: 'sudoku',
      seed: 1,
      difficulty: 'blanks=1',
      pStar: GIVENS.join('/'),
      solution: SOLVED.join('/'),
      meta: {},
    };
    expect(inferTask(row(groundTruthOf(ours)))).toBe('sudoku');
    expect(inferTask(row('(0,1),(1,2)', null, 'Solve this.'))).toBe('gc');
    expect(inferTask(row(GIVENS.join(''), null, 'Colour the graph.'))).toBe('sudoku'); // the shape wins over the words
    expect(inferTask(row('?', null, 'A sudoku puzzle'))).toBe('sudoku');
    expect(inferTask(row('?', null, 'How many nodes?'))).toBe('gc');
    expect(inferTask(row('?', null, 'What is this?'))).toBeUndefined();
  });
});

describe('importPuzzle', () => {
  it('brings our own rows back exactly', () => {
    const ours: Puzzle = {
      id: 'gc-test-4',
      task: 'gc',
      seed: 17,
      difficulty: 'n=3',
      pStar: '(0,1),(1,2)',
      solution: '0:0,1:1,2:0',
      meta: { nodes: 3, chromatic: 2, edges: 2 },
    };
    expect(importPuzzle(row(groundTruthOf(ours)), { task: 'gc', split: 'test', index: 0 })).toEqual({ puzzle: ours, source: 'asymflow' });
  });

  it('rebuilds a foreign GC row from the response’s caption, counting nodes the answer colours', () => {
    const response = '<caption>(0,1),(1,2)</caption>…<answer>0:0,1:1,2:0,3:0</answer>';
    const { puzzle, source } = importPuzzle(row('3', response), { task: 'gc', split: 'test', index: 7 });
    expect(source).toBe('rebuilt');
    expect(puzzle).toMatchObject({ id: 'gc-test-7', task: 'gc', seed: 0, difficulty: 'n=4', pStar: '(0,1),(1,2)', solution: '0:0,1:1,2:0,3:0' });
    expect(puzzle.meta).toEqual({ nodes: 4, chromatic: 2, edges: 2 });
  });

  it('solves a foreign Sudoku whose row holds only the givens', () => {
    const { puzzle } = importPuzzle(row(JSON.stringify({ puzzle: GIVENS.join('') })), { task: 'sudoku', split: 'val', index: 0 });
    expect(puzzle).toMatchObject({ pStar: GIVENS.join('/'), solution: SOLVED.join('/'), difficulty: 'blanks=1', meta: { blanks: 1 } });
  });

  it('refuses rows that are not puzzles, saying what is wrong', () => {
    const at = { task: 'gc' as const, split: 'test', index: 0 };
    expect(() => importPuzzle(row('no edges here'), at)).toThrow('cannot recover the GC edge list p*');
    const pastNodes: Puzzle = { id: 'x', task: 'gc', seed: 0, difficulty: '', pStar: '(0,2)', solution: '0:0,1:1', meta: { nodes: 2 } };
    expect(() => importPuzzle(row(groundTruthOf(pastNodes)), at)).toThrow('GC edge (0,2) in p* "(0,2)" names a node beyond the 2 nodes (ids 0..1)');
    const wrongTask: Puzzle = { id: 'x', task: 'sudoku', seed: 0, difficulty: '', pStar: GIVENS.join('/'), solution: SOLVED.join('/'), meta: {} };
    expect(() => importPuzzle(row(groundTruthOf(wrongTask)), at)).toThrow('ground_truth is a sudoku puzzle, not gc');
    const badAnswer: Puzzle = { id: 'x', task: 'gc', seed: 0, difficulty: '', pStar: '(0,1)', solution: '0:0,1:0', meta: { nodes: 2 } };
    expect(() => importPuzzle(row(groundTruthOf(badAnswer)), at)).toThrow('the answer "0:0,1:0" does not colour p* "(0,1)"');
    expect(() => importPuzzle(row(SOLVED.join('')), { task: 'sudoku', split: 'test', index: 0 })).toThrow('cannot recover the Sudoku givens p*');
  });
});
