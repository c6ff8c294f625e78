import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileWriter, ParquetWriter } from 'hyparquet-writer';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { HfRow } from '../../../src/data/hf-parquet.ts';
import { parquetKeyValues, readHfParquet } from '../../../src/data/parquet-read.ts';
import { HfParquetWriter, ROW_GROUP_ROWS } from '../../../src/data/parquet-write.ts';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'asymflow-parquet-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const row = (i: number): HfRow => ({
  query: `query ${i}`,
  image: { bytes: Uint8Array.from([137, 80, 78, 71, i % 256, 0, 255]), path: `images/${i}.png` }, // bytes a UTF-8 decode would mangle
  ground_truth: `{"i":${i}}`,
  response: i % 2 === 0 ? `<caption>${i}</caption>` : null,
});

async function readAll(file: string): Promise<{ index: number; row: HfRow }[]> {
  const out = [];
  for await (const r of readHfParquet(file)) out.push(r);
  return out;
}

function write(file: string, rows: readonly HfRow[], meta: Record<string, string> = {}): void {
  const writer = new HfParquetWriter(file, meta);
  for (const r of rows) writer.write(r);
  writer.close();
}

describe('Hugging Face parquet, written and read back', () => {
  it('brings every row back, across row groups, with the image bytes intact and null responses kept', async () => {
    const file = path.join(dir, 'gc-test.parquet');
    const rows = Array.from({ length: ROW_GROUP_ROWS + 3 }, (_, i) => row(i));
    write(file, rows);
    const back = await readAll(file);
    expect(back.map((r) => r.index)).toEqual(rows.map((_, i) => i));
    expect(back.map((r) => r.row)).toEqual(rows);
  });

  it('is deterministic: the same rows give the same bytes', () => {
    write(path.join(dir, 'a.parquet'), [row(0), row(1)], { asymflow: '{"seed":1}' });
    write(path.join(dir, 'b.parquet'), [row(0), row(1)], { asymflow: '{"seed":1}' });
    expect(fs.readFileSync(path.join(dir, 'a.parquet'))).toEqual(fs.readFileSync(path.join(dir, 'b.parquet')));
  });

  it('carries the datasets features and the caller’s metadata', async () => {
    const file = path.join(dir, 'm.parquet');
    write(file, [row(0)], { asymflow: '{"task":"gc"}' });
    const kv = await parquetKeyValues(file);
    expect(JSON.parse(kv.huggingface).info.features.image).toEqual({ _type: 'Image' });
    expect(kv.asymflow).toBe('{"task":"gc"}');
  });

  it('shows nothing under the final name until close(), and abort() keeps the previous file', async () => {
    const file = path.join(dir, 'x.parquet');
    write(file, [row(0)]);
    const before = fs.readFileSync(file);
    const writer = new HfParquetWriter(file);
    writer.write(row(1));
    writer.abort();
    expect(fs.readFileSync(file)).toEqual(before);
    expect(fs.readdirSync(dir)).toEqual(['x.parquet']); // no temporary left behind
    expect(() => writer.write(row(2))).toThrow(`${file}: write after close`);
  });

  it('names the file and the missing column when a parquet lacks one', async () => {
    const file = path.join(dir, 'foreign.parquet');
    const parquet = new ParquetWriter({
      writer: fileWriter(file),
      schema: [
        { name: 'schema', num_children: 1 },
        { name: 'query', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' },
      ],
    });
    void parquet.write({ columnData: [{ name: 'query', data: ['q'] }] });
    parquet.finish();
    await expect(readAll(file)).rejects.toThrow(`${file}: no 'image' column (found: query); expected query, image, ground_truth[, response]`);
  });

  it('names the file when it is not parquet at all', async () => {
    const file = path.join(dir, 'not.parquet');
    fs.writeFileSync(file, 'hello');
    await expect(readAll(file)).rejects.toThrow(`${file}: not a readable parquet file`);
  });
});
