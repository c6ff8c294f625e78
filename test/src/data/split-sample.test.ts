import { describe, expect, it } from 'vitest';
import { hasResponse, puzzleAt, sampleOf, SPLITS } from '../../../src/data/split-sample.ts';
import { gcTask } from '../../../src/tasks/gc/index.ts';

const options = { minNodes: 4, maxNodes: 6, verbosity: 0, inputSize: 32, heldOut: 0 }; // heldOut 0: no held-out redraws (test/src/data/held-out.test.ts covers them)

describe('split samples', () => {
  it('derives puzzle i from the seed, split and index alone: any order, any n', () => {
    const forward = [0, 1, 2, 3].map((i) => puzzleAt(gcTask, { split: 'val', seed: 9, options }, i));
    const backward = [3, 2, 1, 0].map((i) => puzzleAt(gcTask, { split: 'val', seed: 9, options }, i)).reverse();
    expect(backward).toEqual(forward);
    expect(forward.map((p) => p.id)).toEqual(['gc-val-0', 'gc-val-1', 'gc-val-2', 'gc-val-3']);
  });

  it('gives another split or seed other puzzles', () => {
    const keys = (split: string, seed: number) => [0, 1, 2, 3].map((i) => puzzleAt(gcTask, { split, seed, options }, i).pStar).join('|');
    expect(keys('val', 9)).not.toBe(keys('test', 9));
    expect(keys('val', 9)).not.toBe(keys('val', 10));
  });

  it('writes SFT targets for train_sft only', () => {
    expect(SPLITS.filter(hasResponse)).toEqual(['train_sft']);
  });

  it('renders a sample with its query, and its response only when asked', async () => {
    const puzzle = puzzleAt(gcTask, { split: 'train_sft', seed: 1, options }, 0);
    const plain = await sampleOf(gcTask, puzzle, false, options);
    const withTarget = await sampleOf(gcTask, puzzle, true, options);
    expect(plain.response).toBeUndefined();
    expect(withTarget.response).toBe(gcTask.response(puzzle, options));
    expect(plain.query).toBe(gcTask.query(puzzle));
    expect([plain.width, plain.height, plain.pixels?.length]).toEqual([32, 32, 32 * 32]);
    expect(withTarget.pixels).toEqual(plain.pixels); // rendering is deterministic
  });
});
