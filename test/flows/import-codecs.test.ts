/**
 * Parquet files written by an independent writer (DuckDB 1.5.6, `COPY … (FORMAT parquet, COMPRESSION c)`
 * over two GC test rows from `asymflow gen --parquet`) in each common codec import: the same rows, the PNG
 * bytes intact, the puzzles recovered. A damaged page fails naming the file and the row group.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parquetMetadataAsync, asyncBufferFromFile } from 'hyparquet';
import { afterAll, describe, expect, it } from 'vitest';
import { runImport } from '../../flows/import-parquet.ts';
import type { HfRow } from '../../src/data/hf-parquet.ts';
import { readHfParquet } from '../../src/data/parquet-read.ts';
import type { Sample } from '../../src/records.ts';
import { readAll } from './read-all.ts';

const FIXTURES = path.join(import.meta.dirname, '..', 'fixtures', 'parquet');
const CODECS = { zstd: 'ZSTD', gzip: 'GZIP', brotli: 'BROTLI', 'lz4-raw': 'LZ4_RAW', snappy: 'SNAPPY' } as const;
const fixture = (name: string): string => path.join(FIXTURES, `gc-${name}.parquet`);
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'asymflow-codecs-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('parquet import in every common codec', () => {
  it.each(Object.entries(CODECS))('imports the DuckDB-written %s file', async (name, codec) => {
    const file = fixture(name);
    const metadata = await parquetMetadataAsync(await asyncBufferFromFile(file));
    expect(metadata.created_by).toMatch(/^DuckDB/);
    expect(new Set(metadata.row_groups.flatMap((g) => g.columns.map((c) => c.meta_data?.codec)))).toEqual(new Set([codec]));

    const out = path.join(tmp, name);
    const summary = await runImport({ parquet: file, out, split: 'test' });
    expect(summary).toMatchObject({ task: 'gc', rows: 2, recovered: { asymflow: 2, rebuilt: 0 } });
    const samples = await readAll<Sample>(summary.file);
    expect(samples).toHaveLength(2);
    // the same rows whatever the codec: compare with the Snappy file's
    const reference: HfRow[] = [];
    for await (const { row } of readHfParquet(fixture('snappy'))) reference.push(row);
    samples.forEach((s, i) => {
      expect(s.png && Buffer.from(s.png).equals(Buffer.from(reference[i]!.image.bytes))).toBe(true);
      expect(s.png?.subarray(1, 4)).toEqual(new TextEncoder().encode('PNG'));
      expect(s.query).toBe(reference[i]!.query);
    });
  });

  it('names the file and the row group when a page cannot be decompressed', async () => {
    const bytes = fs.readFileSync(fixture('zstd'));
    const metadata = await parquetMetadataAsync(await asyncBufferFromFile(fixture('zstd')));
    const image = metadata.row_groups[0]!.columns.find((c) => c.meta_data?.path_in_schema.join('.') === 'image.bytes')!.meta_data!;
    const start = Number(image.data_page_offset);
    bytes.fill(0xff, start + 40, start + Number(image.total_compressed_size) - 40); // the page header stays, its body is garbage
    const damaged = path.join(tmp, 'damaged-zstd.parquet');
    fs.writeFileSync(damaged, bytes);
    await expect(runImport({ parquet: damaged, out: path.join(tmp, 'damaged'), split: 'test' })).rejects.toThrow(
      new RegExp(`${damaged.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: row group 0 of 1 \\(rows 0-1, ZSTD\\)`),
    );
    expect(fs.existsSync(path.join(tmp, 'damaged', 'gc-test.msgpack'))).toBe(false);
  });
});
