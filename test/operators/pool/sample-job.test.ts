import { describe, expect, it } from 'vitest';
import { openSamplePool } from '../../../operators/pool/sample-pool.ts';
import { runJob } from '../../../operators/pool/sample-job.ts';
import { drawAt, sampleOf } from '../../../src/data/split-sample.ts';
import { gcTask } from '../../../src/tasks/gc/index.ts';

const options = { minNodes: 4, maxNodes: 5, verbosity: 0, inputSize: 32, heldOut: 0 };
const spec = { split: 'val', seed: 6, options };

describe('sample jobs', () => {
  it('draws the puzzles of the asked indices, in the asked order, as the split derives them', async () => {
    const draws = await runJob({ kind: 'puzzles', task: 'gc', spec, indices: [4, 1] });
    expect(draws).toEqual([drawAt(gcTask, spec, 4), drawAt(gcTask, spec, 1)]);
  });

  it('makes a sample, with the SFT target only when asked', async () => {
    const { puzzle } = drawAt(gcTask, spec, 0);
    const plain = await runJob({ kind: 'sample', task: 'gc', puzzle, response: false, options });
    const target = await runJob({ kind: 'sample', task: 'gc', puzzle, response: true, options });
    expect(plain).toEqual(await sampleOf(gcTask, puzzle, false, options));
    expect(target.response).toBe(gcTask.response(puzzle, options));
  });

  it('fails with the list of tasks for an unknown one', async () => {
    await expect(runJob({ kind: 'puzzles', task: 'chess' as 'gc', spec, indices: [0] })).rejects.toThrow("unknown task 'chess': expected one of gc, sudoku");
  });
});

describe('openSamplePool', () => {
  it('runs jobs in the calling thread with 0 threads, and closes without ado', async () => {
    const pool = openSamplePool(0);
    expect(pool.threads).toBe(0);
    expect(await pool.run({ kind: 'puzzles', task: 'gc', spec, indices: [2] })).toEqual([drawAt(gcTask, spec, 2)]);
    await pool.close();
    await pool.close();
  });

  it('rejects a thread count that is not a non-negative integer', () => {
    expect(() => openSamplePool(-1)).toThrow('sample pool threads must be a non-negative integer, got -1');
    expect(() => openSamplePool(1.5)).toThrow(RangeError);
  });
});
