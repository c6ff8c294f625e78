/**
 * Streams rows into a Hugging Face layout parquet file (hf-parquet.ts) one row group at a time, so a
 * 16,000-image split never sits in memory. Deterministic: no timestamps, fixed row group size and codec,
 * so the same rows give the same bytes. Written under a temporary name and renamed into place by close(), so
 * a failed or killed run leaves the previous file (or none), never a partial one.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileWriter, ParquetWriter } from 'hyparquet-writer';
import { ensureDir, removeStaleTemps, tempNameFor } from '../io/atomic-write.ts';
import { createdBy } from '../build-info.ts';
import { HF_FEATURES_JSON, HF_SCHEMA, type HfRow } from './hf-parquet.ts';

export const ROW_GROUP_ROWS = 500;

export class HfParquetWriter {
  private readonly parquet: ParquetWriter;
  private rows: HfRow[] = [];
  private closed = false;
  private readonly temp: string;
  rowsWritten = 0;

  constructor(
    readonly file: string,
    extraMetadata: Readonly<Record<string, string>> = {},
  ) {
    const kvMetadata = [{ key: 'huggingface', value: HF_FEATURES_JSON }, ...Object.entries(extraMetadata).map(([key, value]) => ({ key, value }))];
    ensureDir(path.dirname(file));
    removeStaleTemps(file);
    this.temp = tempNameFor(file);
    this.parquet = new ParquetWriter({ writer: fileWriter(this.temp), schema: HF_SCHEMA, kvMetadata, createdBy: createdBy() });
  }

  write(row: HfRow): void {
    if (this.closed) throw new Error(`${this.file}: write after close`);
    this.rows.push(row);
    if (this.rows.length >= ROW_GROUP_ROWS) this.flush();
  }

  private flush(): void {
    if (this.rows.length === 0) return;
    const rows = this.rows;
    this.rows = [];
    void this.parquet.write({
      rowGroupSize: ROW_GROUP_ROWS,
      columnData: [
        { name: 'query', data: rows.map((r) => r.query) },
        { name: 'image', data: rows.map((r) => r.image) },
        { name: 'ground_truth', data: rows.map((r) => r.ground_truth) },
        { name: 'response', data: rows.map((r) => r.response) },
      ],
    });
    this.rowsWritten += rows.length;
  }

  /** Writes the last row group and the footer, then renames the file into place; calling it again does nothing. */
  close(): void {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    this.parquet.finish();
    const fd = fs.openSync(this.temp, 'r+');
    try {
      fs.fdatasyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(this.temp, this.file);
  }

  /** Drops what was written: the final name keeps its previous file, or stays absent. */
  abort(): void {
    if (this.closed) return;
    this.closed = true;
    fs.rmSync(this.temp, { force: true });
  }
}
