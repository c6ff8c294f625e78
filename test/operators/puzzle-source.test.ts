import { lastValueFrom, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { openSamplePool } from '../../operators/pool/sample-pool.ts';
import { puzzleSource } from '../../operators/puzzle-source.ts';
import { puzzleAt, puzzleRng } from '../../src/data/split-sample.ts';
import { generatedSamples } from '../../src/data/generated-samples.ts';
import { Rng } from '../../src/rng.ts';
import { gcTask } from '../../src/tasks/gc/index.ts';
import { sudokuTask } from '../../src/tasks/sudoku/index.ts';

const collect = <T>(source: Parameters<typeof lastValueFrom<T[]>>[0]) => lastValueFrom(source);

describe('puzzleSource', () => {
  it('emits puzzles 0..n-1 in order, each reproducible alone from (seed, task, split, index)', async () => {
    const puzzles = await collect(puzzleSource({ task: 'gc', split: 'test', n: 23, seed: 7, batch: 5, concurrency: 0 }).pipe(toArray()));
    expect(puzzles.map((p) => p.id)).toEqual(Array.from({ length: 23 }, (_, i) => `gc-test-${i}`));
    for (const i of [0, 4, 5, 22]) expect(puzzleAt(gcTask, { split: 'test', seed: 7 }, i)).toEqual(puzzles[i]);
    // the seed is a function of all four: another split, seed or task gives other puzzles
    expect(puzzles[3].seed).toBe(puzzleRng(7, 'gc', 'test', 3).seed);
    expect(puzzleRng(7, 'gc', 'train_rl', 3).seed).not.toBe(puzzles[3].seed);
    expect(puzzleRng(8, 'gc', 'test', 3).seed).not.toBe(puzzles[3].seed);
    expect(puzzleRng(7, 'sudoku', 'test', 3).seed).not.toBe(puzzles[3].seed);
    // the pre-refactor derivation of eval-samples.ts, kept: splits of splits of the seed
    expect(puzzles[3].seed).toBe(new Rng(7).split('gc/test').split(3).seed);
  });

  it('gives the same stream at any concurrency and batch, over worker threads too, and the first k do not depend on n', async () => {
    const inline = await collect(puzzleSource({ task: 'sudoku', split: 'train_rl', n: 12, seed: 3, concurrency: 0 }).pipe(toArray()));
    const pool = openSamplePool(2);
    try {
      const pooled = await collect(puzzleSource({ task: 'sudoku', split: 'train_rl', n: 12, seed: 3, batch: 1, pool, concurrency: 4 }).pipe(toArray()));
      expect(pooled).toEqual(inline);
    } finally {
      await pool.close();
    }
    const fewer = await collect(puzzleSource({ task: 'sudoku', split: 'train_rl', n: 5, seed: 3, concurrency: 0 }).pipe(toArray()));
    expect(fewer).toEqual(inline.slice(0, 5));
    expect(inline.every((p) => p.task === 'sudoku' && p.pStar.split('/').length === 9)).toBe(true);
  });

  it('matches the samples eval generates on the fly (one seeding implementation)', async () => {
    const puzzles = await collect(puzzleSource({ task: 'gc', split: 'test', n: 4, seed: 11, concurrency: 0 }).pipe(toArray()));
    const evalPuzzles = [];
    for await (const sample of generatedSamples(gcTask, { split: 'test', n: 4, seed: 11 })) evalPuzzles.push(sample.puzzle);
    expect(evalPuzzles).toEqual(puzzles);
    expect(puzzleAt(sudokuTask, { split: 'test', seed: 11 }, 0).id).toBe('sudoku-test-0');
  });

  it('rejects bad sizes with exact messages', () => {
    expect(() => puzzleSource({ task: 'gc', split: 'test', n: -1, seed: 0 })).toThrow('puzzleSource n must be a non-negative integer, got -1');
    expect(() => puzzleSource({ task: 'gc', split: 'test', n: 3, seed: 0, batch: 0 })).toThrow('puzzleSource batch must be a positive integer, got 0');
    expect(() => puzzleSource({ task: 'gc', split: 'test', n: 3, seed: 0, concurrency: 1.5 })).toThrow(
      'puzzleSource concurrency must be a non-negative integer, got 1.5',
    );
    expect(() => puzzleRng(0, 'gc', 'test', -2)).toThrow('puzzle index must be a non-negative integer, got -2');
  });
});
