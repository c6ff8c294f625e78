import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parquetWriteFile } from 'hyparquet-writer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runGenerate } from '../../../flows/generate.ts';
import { GEN_DEFAULTS } from '../../../src/data/gen-config.ts';
import { HfParquetWriter } from '../../../src/data/parquet-write.ts';
import type { HfRow } from '../../../src/data/hf-parquet.ts';
import type { Sample } from '../../../src/records.ts';
import { readRecording } from '../../../src/recording/index.ts';
import { checkGc } from '../../../src/tasks/gc/index.ts';
import { importCommand, resolveImportConfig, splitFromFileName } from '../../../tui/commands/import.ts';

let dir: string;
let png: Uint8Array; // a real PNG to put in hand-made rows
beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'asymflow-import-'));
  await runGenerate({ config: { ...GEN_DEFAULTS, task: 'gc', split: 'train_sft', n: 4, seed: 9, out: path.join(dir, 'gen'), parquet: true }, taskOptions: {} });
  png = (await shard(path.join(dir, 'gen', 'gc-train_sft.msgpack')))[0].png!;
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

async function shard(file: string): Promise<Sample[]> {
  const rows: Sample[] = [];
  for await (const s of await readRecording<Sample>(file)) rows.push(s);
  return rows;
}

function parquetOf(name: string, rows: HfRow[]): string {
  const file = path.join(dir, name);
  const writer = new HfParquetWriter(file);
  for (const row of rows) writer.write(row);
  writer.close();
  return file;
}

const quiet = () => {};

describe('asymflow import', () => {
  it('brings our own parquet back as the same puzzles with the PNG bytes intact', async () => {
    const out = path.join(dir, 'back');
    const summary = await importCommand({ parquet: path.join(dir, 'gen', 'gc-train_sft.parquet'), out }, quiet);
    expect(summary).toMatchObject({ task: 'gc', split: 'train_sft', rows: 4, recovered: { asymflow: 4, rebuilt: 0 }, pixels: { rendered: 4, resized: 0 } });
    const original = await shard(path.join(dir, 'gen', 'gc-train_sft.msgpack'));
    const imported = await shard(summary.file);
    expect(imported.map((s) => s.puzzle)).toEqual(original.map((s) => s.puzzle));
    expect(imported.map((s) => s.response)).toEqual(original.map((s) => s.response));
    imported.forEach((s, i) => expect(Buffer.from(s.png!).equals(Buffer.from(original[i].png!))).toBe(true));
    expect(imported.map((s) => s.pixels)).toEqual(original.map((s) => s.pixels)); // re-rendered: exactly gen's model input
    const resized = await importCommand({ parquet: path.join(dir, 'gen', 'gc-train_sft.parquet'), out: path.join(dir, 'back96'), inputSize: '96' }, quiet);
    expect(resized.pixels).toEqual({ rendered: 4, resized: 0 });
    expect((await shard(resized.file))[0].pixels!.length).toBe(96 * 96);
  });

  it("rebuilds paper-style rows: p* from the response's caption or a ground_truth edge list / grid; task inferred", async () => {
    const sudokuGivens = '530070000/600195000/098000060/800060003/400803001/700020006/060000280/000419005/000080079';
    const gc = parquetOf('gc-paper-train_sft.parquet', [
      {
        query: 'Colour the graph',
        image: { bytes: png, path: 'a.png' },
        ground_truth: '0:1,1:2,2:1,3:1,4:1',
        response: '<caption>(1,2),(0,1)</caption>…<answer>0:1,1:2,2:1,3:1,4:1</answer>',
      },
      { query: 'Colour the graph', image: { bytes: png, path: 'b.png' }, ground_truth: '[(0, 1), (1, 2), (0, 2)]', response: null },
    ]);
    const out = path.join(dir, 'paper');
    const summary = await importCommand({ parquet: gc, out }, quiet);
    expect(summary).toMatchObject({ task: 'gc', split: 'train_sft', rows: 2, recovered: { asymflow: 0, rebuilt: 2 }, pixels: { rendered: 0, resized: 2 } });
    const [first, second] = await shard(summary.file);
    expect(first.puzzle).toMatchObject({ id: 'gc-train_sft-0', pStar: '(0,1),(1,2)', solution: '0:1,1:2,2:1,3:1,4:1', meta: { nodes: 5, chromatic: 2 } });
    expect(second.puzzle).toMatchObject({ pStar: '(0,1),(0,2),(1,2)', meta: { nodes: 3, chromatic: 3 } });
    expect(checkGc(second.puzzle.pStar, second.puzzle.solution).correct).toBe(true);
    const sudoku = parquetOf('sudoku-paper.parquet', [
      {
        query: 'Solve this Sudoku',
        image: { bytes: png, path: 'c.png' },
        ground_truth: JSON.stringify({ puzzle: sudokuGivens.replace(/\//g, '').replace(/0/g, '.') }),
        response: null,
      },
    ]);
    const s = await importCommand({ parquet: sudoku, out, split: 'test' }, quiet);
    const [row] = await shard(s.file);
    expect(row.puzzle).toMatchObject({
      task: 'sudoku',
      pStar: sudokuGivens,
      difficulty: 'blanks=51',
      solution: '534678912/672195348/198342567/859761423/426853791/713924856/961537284/287419635/345286179',
    });
  });

  it('fails with the file and the row on a missing column, an undecodable image or an unrecoverable puzzle', async () => {
    const noTruth = path.join(dir, 'no-truth-test.parquet');
    parquetWriteFile({
      filename: noTruth,
      columnData: [
        { name: 'query', data: ['q'] },
        { name: 'response', data: ['r'] },
      ],
    });
    await expect(importCommand({ parquet: noTruth, out: path.join(dir, 'x') }, quiet)).rejects.toThrow(
      `${noTruth}: no 'image' column (found: query, response); expected query, image, ground_truth[, response]`,
    );
    const truth = JSON.stringify({ task: 'gc', perception: '(0,1)', answer: '0:1,1:2' });
    const broken = parquetOf('broken-test.parquet', [
      { query: 'q', image: { bytes: png, path: 'ok.png' }, ground_truth: truth, response: null },
      { query: 'q', image: { bytes: new Uint8Array([137, 80, 78, 71, 1, 2, 3]), path: 'bad.png' }, ground_truth: truth, response: null },
    ]);
    const out = path.join(dir, 'broken');
    await expect(importCommand({ parquet: broken, out }, quiet)).rejects.toThrow(`${broken}: row 1: the image (7 bytes, bad.png) cannot be decoded:`);
    expect(fs.existsSync(path.join(out, 'gc-test.msgpack'))).toBe(false); // no partial shard left behind
    const vague = parquetOf('vague-test.parquet', [{ query: 'Colour the graph', image: { bytes: png, path: 'v.png' }, ground_truth: '3', response: null }]);
    await expect(importCommand({ parquet: vague, out }, quiet)).rejects.toThrow(
      `${vague}: row 0: cannot recover the GC edge list p*: no <caption> in response, and ground_truth "3" holds no edge list`,
    );
    const unknown = parquetOf('unknown-test.parquet', [{ query: 'Describe', image: { bytes: png, path: 'u.png' }, ground_truth: 'x', response: null }]);
    await expect(importCommand({ parquet: unknown, out }, quiet)).rejects.toThrow(
      `${unknown}: row 0: cannot tell the task from ground_truth or query; give --task gc|sudoku`,
    );
  });

  it('takes the split from the file name, else asks for it', () => {
    expect(['gc-train_sft.parquet', 'test-00000-of-00001.parquet', 'data/train_rl-00001.parquet', 'sudoku-test.parquet'].map(splitFromFileName)).toEqual([
      'train_sft',
      'test',
      'train_rl',
      'test',
    ]);
    expect(() => resolveImportConfig({ parquet: 'data.parquet', out: 'o' })).toThrow(
      'import: cannot tell the split from the file name data.parquet; give --split test|val|test_seen_glyphs|train_sft|train_rl',
    );
    expect(() => resolveImportConfig({ parquet: 'a-test.parquet', out: 'o', task: 'maze' })).toThrow('import.task must be one of gc, sudoku, got "maze"');
    expect(() => resolveImportConfig({ out: 'o' })).toThrow('import.parquet is required: the parquet file (--parquet FILE)');
  });
});
