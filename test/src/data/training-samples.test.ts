import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { from, lastValueFrom } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { record } from '../../../operators/record.ts';
import { puzzleAt, sampleOf } from '../../../src/data/split-sample.ts';
import { auditedSamples, collect, dropHeldOut, heldOutShardKeys, splitSamples } from '../../../src/data/training-samples.ts';
import type { Sample } from '../../../src/records.ts';
import { gcTask } from '../../../src/tasks/gc/index.ts';

const options = { minNodes: 5, maxNodes: 5, verbosity: 0, inputSize: 32, heldOut: 2 };
let dir: string;
let test: Sample[];

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'asymflow-training-'));
  test = await Promise.all([0, 1, 2].map((i) => sampleOf(gcTask, puzzleAt(gcTask, { split: 'test', seed: 4, options }, i), false, options)));
  await lastValueFrom(from(test).pipe(record(path.join(dir, 'gc-test.msgpack'), { kind: 'samples' })), { defaultValue: undefined });
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('training samples', () => {
  it('generates a split without --data and reads the shard with it, logging a short shard', async () => {
    const common = { task: gcTask, split: 'test', seed: 4, options };
    const generated = await collect(splitSamples({ ...common, n: 2 }));
    const lines: string[] = [];
    const read = await collect(splitSamples({ ...common, n: 5, data: dir, inputSize: 32, log: (line) => lines.push(line) }));
    expect(generated).toEqual(test.slice(0, 2));
    expect(read).toEqual(test);
    expect(lines).toEqual(['the dataset holds only 3 gc test samples; using all of them']);
  });

  it('keys the first heldOut samples of each held-out shard in the directory', async () => {
    const keys = await heldOutShardKeys(gcTask, dir, options);
    expect(keys).toEqual(new Set(test.slice(0, 2).map((s) => gcTask.key(s.puzzle, options))));
    expect(await heldOutShardKeys(gcTask, path.join(dir, 'gc-test.msgpack'), options)).toEqual(new Set()); // a file given alone is the training shard
  });

  it('measures each comparison once when the evaluation is exactly the held-out puzzles', async () => {
    const common = { task: gcTask, seed: 4, options };
    const { overlap } = await auditedSamples({ ...common, split: 'train_sft', n: 6 }, { ...common, split: 'test', n: 2 });
    const rights = overlap.map((o) => o.right);
    expect(rights).toEqual([...new Set(rights)]);
    expect(rights).toEqual(['test[0,2)', 'val[0,2)']);
    expect(overlap.every((o) => o.overlap === 0)).toBe(true);
  });

  it('drops and counts the samples whose key is held out, keeping order', () => {
    const held = new Set([gcTask.key(test[1].puzzle, options)]);
    const { kept, skipped } = dropHeldOut(gcTask, test, held, options);
    expect(kept.map((s) => s.puzzle.id)).toEqual(test.filter((s) => !held.has(gcTask.key(s.puzzle, options))).map((s) => s.puzzle.id));
    expect(kept).not.toContain(test[1]);
    expect(skipped).toBe(test.length - kept.length);
    expect(skipped).toBeGreaterThan(0);
  });
});
