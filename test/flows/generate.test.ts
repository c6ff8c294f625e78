import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parquetMetadataAsync, asyncBufferFromFile } from 'hyparquet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { imageFile, parquetFile, runGenerate, shardFile } from '../../flows/generate.ts';
import { GEN_DEFAULTS, type GenConfig } from '../../src/data/gen-config.ts';
import { HF_FEATURES_JSON } from '../../src/data/hf-parquet.ts';
import { puzzleFromGroundTruth } from '../../src/data/ground-truth.ts';
import { readHfParquet } from '../../src/data/parquet-read.ts';
import { datasetSamples } from '../../src/data/dataset-samples.ts';
import type { Sample } from '../../src/records.ts';
import { readRecording } from '../../src/recording/index.ts';
import { buildInfo, createdBy } from '../../src/build-info.ts';

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'asymflow-gen-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const config = (out: string, over: Partial<GenConfig> = {}): GenConfig => ({
  ...GEN_DEFAULTS,
  task: 'gc',
  split: 'train_sft',
  n: 10,
  seed: 4,
  out,
  images: true,
  parquet: true,
  ...over,
});
const bytes = (file: string) => fs.readFileSync(file);
const read = async <T>(file: string) => {
  const rows: T[] = [];
  for await (const row of await readRecording<T>(file)) rows.push(row);
  return rows;
};

describe('generate flow', () => {
  it('writes shard, images and parquet, byte-identical for one seed at any concurrency, different for another', async () => {
    const [a, b, c] = ['a', 'b', 'c'].map((name) => path.join(dir, name));
    const progress: number[] = [];
    const summary = await runGenerate({
      config: config(a, { record: path.join(a, 'stream.msgpack') }),
      taskOptions: {},
      onProgress: (done) => progress.push(done),
    });
    expect(summary.n).toBe(10);
    expect(progress).toEqual(Array.from({ length: 10 }, (_, i) => i + 1));
    await runGenerate({ config: config(b, { concurrency: 0 }), taskOptions: {} });
    await runGenerate({ config: config(c, { seed: 5 }), taskOptions: {} });
    for (const file of [shardFile, parquetFile].map((f) => (d: string) => f(d, 'gc', 'train_sft'))) {
      expect(bytes(file(a)).equals(bytes(file(b)))).toBe(true);
      expect(bytes(file(a)).equals(bytes(file(c)))).toBe(false);
    }
    expect(fs.readdirSync(path.join(a, 'images')).sort()).toEqual(Array.from({ length: 10 }, (_, i) => `gc-train_sft-${i}.png`).sort());
    expect(bytes(imageFile(a, 'gc-train_sft-7')).equals(bytes(imageFile(b, 'gc-train_sft-7')))).toBe(true);

    const shard = await read<Sample>(shardFile(a, 'gc', 'train_sft'));
    expect(shard.map((s) => s.puzzle.id)).toEqual(Array.from({ length: 10 }, (_, i) => `gc-train_sft-${i}`));
    expect(shard.every((s) => s.png instanceof Uint8Array && s.pixels instanceof Float32Array && s.response?.startsWith('<caption>'))).toBe(true);
    expect(bytes(imageFile(a, 'gc-train_sft-3')).equals(Buffer.from(shard[3].png!))).toBe(true);
    // --record without --with-pixels: the same samples without png and pixels
    const stream = await read<Sample>(path.join(a, 'stream.msgpack'));
    expect(stream).toEqual(shard.map(({ png: _p, pixels: _x, ...rest }) => rest));
  });

  it('round-trips the parquet with the PNG bytes intact, in the Hugging Face layout', async () => {
    const a = path.join(dir, 'a');
    const shard = await read<Sample>(shardFile(a, 'gc', 'train_sft'));
    const file = parquetFile(a, 'gc', 'train_sft');
    const rows = [];
    for await (const { row, index } of readHfParquet(file)) rows[index] = row;
    expect(rows).toHaveLength(10);
    rows.forEach((row, i) => {
      expect(Buffer.from(row.image.bytes).equals(Buffer.from(shard[i].png!))).toBe(true);
      expect(row.image.path).toBe(`gc-train_sft-${i}.png`);
      expect(row.query).toBe(shard[i].query);
      expect(row.response).toBe(shard[i].response);
      expect(puzzleFromGroundTruth(row.ground_truth)).toEqual(shard[i].puzzle);
    });
    const metadata = await parquetMetadataAsync(await asyncBufferFromFile(file));
    expect(metadata.key_value_metadata?.find((kv) => kv.key === 'huggingface')?.value).toBe(HF_FEATURES_JSON);
    expect(metadata.schema.map((e) => e.name)).toEqual(['schema', 'query', 'image', 'bytes', 'path', 'ground_truth', 'response']);
    // provenance: the asymflow build (version, commit) in created_by, the asymflow key and the shard header
    const { version, commit } = buildInfo();
    expect(metadata.created_by).toBe(createdBy());
    expect(metadata.created_by).toContain(`asymflow version ${version}`);
    expect(JSON.parse(metadata.key_value_metadata?.find((kv) => kv.key === 'asymflow')?.value ?? '{}')).toMatchObject({
      version,
      commit,
      task: 'gc',
      split: 'train_sft',
    });
    expect((await readRecording(shardFile(a, 'gc', 'train_sft'))).header).toMatchObject({ version, commit });
  });

  it('writes shards eval --data reads (sudoku test split: no responses)', async () => {
    const out = path.join(dir, 's');
    await runGenerate({ config: config(out, { task: 'sudoku', split: 'test', n: 3, images: false, parquet: false }), taskOptions: { inputSize: 72 } });
    const samples: Sample[] = [];
    for await (const s of datasetSamples({ data: out, task: 'sudoku', split: 'test', n: 3, inputSize: 72 })) samples.push(s);
    expect(samples.map((s) => [s.puzzle.id, s.width, s.response])).toEqual([0, 1, 2].map((i) => [`sudoku-test-${i}`, 72, undefined]));
    expect(fs.existsSync(path.join(out, 'images'))).toBe(false);
    const wrongSize = async () => {
      for await (const _ of datasetSamples({ data: out, task: 'sudoku', split: 'test', n: 3, inputSize: 144 })) void _;
    };
    await expect(wrongSize()).rejects.toThrow('row 0 (sudoku-test-0) has 72×72 model-input pixels; the checkpoint takes 144×144');
  });
});

describe('generate flow on a failing task option', () => {
  it('fails with the task message and leaves no partial shard or parquet behind', async () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'asymflow-genfail-'));
    try {
      const run = runGenerate({ config: { ...GEN_DEFAULTS, task: 'gc', split: 'test', n: 3, out, parquet: true }, taskOptions: { verbosity: 9 } });
      await expect(run).rejects.toThrow('gc.verbosity must be an integer in [0, 4], got 9');
      expect(fs.readdirSync(out)).toEqual([]);
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  });
});
