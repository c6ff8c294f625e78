import { describe, expect, it } from 'vitest';
import { Rng } from '../../../../src/rng.ts';
import { digitChoice, digitPool, parseGrid, sudokuTask, TEST_DIGIT_SHARE, VAL_DIGIT_SHARE } from '../../../../src/tasks/sudoku/index.ts';
import { glyphCount } from '../../../../src/tasks/sudoku/mnist.ts';

const puzzleIn = (split: string, i: number) => sudokuTask.generate(new Rng(`pool/${split}/${i}`), `sudoku-${split}-${i}`, i, {});

describe('Sudoku digit pools', () => {
  it("keeps test's and val's handwriting out of the train splits and of each other", () => {
    const used = (split: string) => {
      const seen = new Map<number, Set<number>>();
      for (let i = 0; i < 40; i++) {
        const p = puzzleIn(split, i);
        const givens = parseGrid(p.pStar, p.id);
        digitChoice(p, givens).forEach((index, cell) => {
          if (index < 0) return;
          const digit = givens[cell];
          if (!seen.has(digit)) seen.set(digit, new Set());
          seen.get(digit)!.add(index);
        });
      }
      return seen;
    };
    const test = used('test');
    const val = used('val');
    const train = [used('train_sft'), used('train_rl'), used('test_seen_glyphs')]; // the seen-glyphs view draws the training pool
    for (let digit = 1; digit <= 9; digit++) {
      const cut = Math.floor(glyphCount(digit) * (1 - TEST_DIGIT_SHARE));
      const valCut = Math.floor(glyphCount(digit) * (1 - TEST_DIGIT_SHARE - VAL_DIGIT_SHARE));
      for (const index of test.get(digit) ?? []) expect(index).toBeGreaterThanOrEqual(cut);
      for (const index of val.get(digit) ?? []) expect([index >= valCut, index < cut]).toEqual([true, true]);
      for (const pool of train) for (const index of pool.get(digit) ?? []) expect(index).toBeLessThan(valCut);
      expect(test.get(digit)?.size ?? 0).toBeGreaterThan(1); // still varied within the held-out images
      expect(val.get(digit)?.size ?? 0).toBeGreaterThan(1);
    }
    expect([sudokuTask.glyphPool!('test'), sudokuTask.glyphPool!('val'), sudokuTask.glyphPool!('test_seen_glyphs'), sudokuTask.glyphPool!('train_rl')]).toEqual(
      ['test', 'val', 'train', 'train'],
    );
  });

  it('lets a puzzle whose id names no split draw from every image', () => {
    const p = { ...puzzleIn('test', 0), id: 'imported-7' };
    expect(digitPool(p, 5)).toEqual([0, glyphCount(5)]);
  });
});
