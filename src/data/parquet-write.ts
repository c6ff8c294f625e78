/**
 * Streams rows into a Hugging Face layout parquet file (hf-parquet.ts) one row group at a time, so a
 * 16,000-image split never sits in memory. Deterministic: no timestamps, fixed row group size and codec,
 * so the same rows give the same bytes.
 */
import { fileWriter, ParquetWriter } from 'hyparquet-writer';
import { createdBy } from '../build-info.ts';
import { HF_FEATURES_JSON, HF_SCHEMA, type HfRow } from './hf-parquet.ts';

export const ROW_GROUP_ROWS = 500;

export class HfParquetWriter {
  private readonly parquet: ParquetWriter;
  private rows: HfRow[] = [];
  private closed = false;
  rowsWritten = 0;

  constructor(
    readonly file: string,
    extraMetadata: Readonly<Record<string, string>> = {},
  ) {
    const kvMetadata = [{ key: 'huggingface', value: HF_FEATURES_JSON }, ...Object.entries(extraMetadata).map(([key, value]) => ({ key, value }))];
    this.parquet = new ParquetWriter({ writer: fileWriter(file), schema: HF_SCHEMA, kvMetadata, createdBy: createdBy() });
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

  /** Writes the last row group and the footer; calling it again does nothing. */
  close(): void {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    this.parquet.finish();
  }
}
