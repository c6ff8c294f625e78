import { describe, expect, it } from 'vitest';
import { groundTruthOf, puzzleFromGroundTruth } from '../../../src/data/ground-truth.ts';
import { puzzleAt } from '../../../src/data/split-sample.ts';
import type { Puzzle } from '../../../src/records.ts';
import { gcTask } from '../../../src/tasks/gc/index.ts';

const puzzle: Puzzle = puzzleAt(gcTask, { split: 'test', seed: 5, options: { minNodes: 5, maxNodes: 5 } }, 2);

describe('ground_truth', () => {
  it('brings a puzzle back exactly', () => {
    expect(puzzleFromGroundTruth(groundTruthOf(puzzle))).toEqual(puzzle);
  });

  it('writes the fields in one fixed order, so one puzzle gives one byte string', () => {
    const reordered: Puzzle = {
      meta: puzzle.meta,
      solution: puzzle.solution,
      pStar: puzzle.pStar,
      difficulty: puzzle.difficulty,
      seed: puzzle.seed,
      task: puzzle.task,
      id: puzzle.id,
    };
    expect(groundTruthOf(reordered)).toBe(groundTruthOf(puzzle));
    expect(Object.keys(JSON.parse(groundTruthOf(puzzle)))).toEqual(['task', 'id', 'seed', 'difficulty', 'perception', 'answer', 'meta']);
  });

  it('says "not ours" (undefined) for text that is not our JSON: the paper’s plain strings, other JSON, unknown tasks', () => {
    expect(puzzleFromGroundTruth('(0,1),(1,2)')).toBeUndefined();
    expect(puzzleFromGroundTruth('[1, 2]')).toBeUndefined();
    expect(puzzleFromGroundTruth('null')).toBeUndefined();
    expect(puzzleFromGroundTruth(JSON.stringify({ task: 'chess', perception: 'x', answer: 'y' }))).toBeUndefined();
    expect(puzzleFromGroundTruth(JSON.stringify({ task: 'gc', perception: 3, answer: 'y' }))).toBeUndefined();
  });

  it('fills what a hand-written ground_truth leaves out with empty values', () => {
    expect(puzzleFromGroundTruth(JSON.stringify({ task: 'sudoku', perception: 'p', answer: 'a', meta: 'not an object' }))).toEqual({
      id: '',
      task: 'sudoku',
      seed: 0,
      difficulty: '',
      pStar: 'p',
      solution: 'a',
      meta: {},
    });
  });
});
