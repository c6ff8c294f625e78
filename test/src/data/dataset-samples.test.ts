import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { from, lastValueFrom } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { record } from '../../../operators/record.ts';
import { datasetFile, datasetSamples } from '../../../src/data/dataset-samples.ts';
import { generatedSamples } from '../../../src/data/generated-samples.ts';
import { puzzleAt, sampleOf } from '../../../src/data/split-sample.ts';
import type { Sample } from '../../../src/records.ts';
import { gcTask } from '../../../src/tasks/gc/index.ts';

const options = { minNodes: 4, maxNodes: 5, verbosity: 0, inputSize: 32, heldOut: 0 };
let dir: string;
let samples: Sample[];

const write = (file: string, values: unknown[]) => lastValueFrom(from(values).pipe(record(file, { kind: 'samples' })), { defaultValue: undefined });

async function collect(items: AsyncIterable<Sample>): Promise<Sample[]> {
  const out: Sample[] = [];
  for await (const s of items) out.push(s);
  return out;
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'asymflow-dataset-'));
  samples = await Promise.all([0, 1, 2].map((i) => sampleOf(gcTask, puzzleAt(gcTask, { split: 'test', seed: 2, options }, i), false, options)));
  await write(path.join(dir, 'gc-test.msgpack'), samples);
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('datasetSamples', () => {
  it('finds DIR/<task>-<split>.msgpack, or takes a file given directly', () => {
    expect(datasetFile({ data: dir, task: 'gc', split: 'test' })).toBe(path.join(dir, 'gc-test.msgpack'));
    const file = path.join(dir, 'gc-test.msgpack');
    expect(datasetFile({ data: file, task: 'gc', split: 'val' })).toBe(file);
  });

  it('says how to write a missing split', () => {
    expect(() => datasetFile({ data: dir, task: 'gc', split: 'val' })).toThrow(
      `eval: no dataset file ${path.join(dir, 'gc-val.msgpack')} (write one with: asymflow gen --task gc --split val --out ${dir})`,
    );
  });

  it('reads the first n samples, and tells when the file holds fewer', async () => {
    const two = await collect(datasetSamples({ data: dir, task: 'gc', split: 'test', n: 2, inputSize: 32 }));
    expect(two.map((s) => s.puzzle.id)).toEqual(['gc-test-0', 'gc-test-1']);
    let short: number | undefined;
    const all = await collect(datasetSamples({ data: dir, task: 'gc', split: 'test', n: 10 }, (have) => (short = have)));
    expect(all).toHaveLength(3);
    expect(short).toBe(3);
  });

  it('refuses samples of another task or input size, naming the file and row', async () => {
    const file = path.join(dir, 'gc-test.msgpack');
    await expect(collect(datasetSamples({ data: dir, task: 'sudoku', split: 'test', n: 1 }))).rejects.toThrow(
      `${path.join(dir, 'sudoku-test.msgpack')}`, // no such file: sudoku's split is looked up by name
    );
    await expect(collect(datasetSamples({ data: file, task: 'sudoku', split: 'test', n: 1 }))).rejects.toThrow(`${file}: row 0 is a gc sample, not sudoku`);
    await expect(collect(datasetSamples({ data: file, task: 'gc', split: 'test', n: 1, inputSize: 64 }))).rejects.toThrow(
      `${file}: row 0 (gc-test-0) has 32×32 model-input pixels; the checkpoint takes 64×64`,
    );
  });

  it('refuses a row that is not a sample', async () => {
    const file = path.join(dir, 'gc-bad.msgpack');
    await write(file, [samples[0], { hello: 1 }]);
    await expect(collect(datasetSamples({ data: file, task: 'gc', split: 'test', n: 2 }))).rejects.toThrow(
      `${file}: row 1 is not a sample (no puzzle with pStar)`,
    );
  });
});

describe('generatedSamples', () => {
  it('makes the same samples gen writes, and sample i is the same from any start', async () => {
    const generated = await collect(generatedSamples(gcTask, { split: 'test', n: 3, seed: 2, options }));
    expect(generated).toEqual(samples);
    const fromOne = await collect(generatedSamples(gcTask, { split: 'test', n: 2, seed: 2, options, start: 1 }));
    expect(fromOne).toEqual(samples.slice(1));
  });
});
