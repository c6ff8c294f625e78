/**
 * Reads a Hugging Face layout parquet file (ours, or the paper's xqwu/asymmetric-VLM__gc / __sudoku) row
 * group by row group. Binary columns are read as bytes (`utf8: false`; hyparquet would otherwise decode PNG
 * bytes as a UTF-8 string and corrupt them); string columns stay strings through their UTF8 annotation.
 * A missing column or a row without image bytes fails with the file and the row; a page that cannot be
 * read (corrupt, or a codec nobody decodes) with the file and the row group.
 *
 * Codecs: hyparquet itself reads uncompressed and Snappy pages; hyparquet-compressors (same authors) adds
 * ZSTD (Polars' default), GZIP, BROTLI, LZ4 and LZ4_RAW.
 */
import { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects, parquetSchema } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import type { HfRow } from './hf-parquet.ts';

const REQUIRED = ['query', 'image', 'ground_truth'] as const;

export interface ParquetRowAt {
  readonly row: HfRow;
  readonly index: number; // 0-based row in the file
}

const toBytes = (value: unknown): Uint8Array | undefined =>
  value instanceof Uint8Array ? value : typeof value === 'string' ? new TextEncoder().encode(value) : undefined;

/** The file's key-value metadata (e.g. `huggingface`, and `asymflow` with gen's config in our files). */
export async function parquetKeyValues(file: string): Promise<Record<string, string>> {
  const metadata = await parquetMetadataAsync(await asyncBufferFromFile(file));
  return Object.fromEntries((metadata.key_value_metadata ?? []).map((kv) => [kv.key, kv.value ?? '']));
}

export async function* readHfParquet(file: string): AsyncGenerator<ParquetRowAt> {
  let buffer;
  let metadata;
  try {
    buffer = await asyncBufferFromFile(file);
    metadata = await parquetMetadataAsync(buffer);
  } catch (error) {
    throw new Error(`${file}: not a readable parquet file (${(error as Error).message})`);
  }
  const columns = parquetSchema(metadata).children.map((c) => c.element.name);
  for (const name of REQUIRED) {
    if (!columns.includes(name))
      throw new Error(`${file}: no '${name}' column (found: ${columns.join(', ')}); expected query, image, ground_truth[, response]`);
  }
  const read = columns.filter((c) => (REQUIRED as readonly string[]).includes(c) || c === 'response');
  let start = 0;
  for (const [g, group] of metadata.row_groups.entries()) {
    const end = start + Number(group.num_rows);
    let rows: Record<string, unknown>[];
    try {
      rows = await parquetReadObjects({ file: buffer, metadata, columns: read, rowStart: start, rowEnd: end, utf8: false, compressors });
    } catch (error) {
      const codecs = [...new Set(group.columns.map((c) => c.meta_data?.codec ?? '?'))].join('/');
      throw new Error(`${file}: row group ${g} of ${metadata.row_groups.length} (rows ${start}-${end - 1}, ${codecs}): ${(error as Error).message}`);
    }
    for (let k = 0; k < rows.length; k++) {
      const index = start + k;
      const raw = rows[k];
      const where = `${file}: row ${index}`;
      const image = raw.image as { bytes?: unknown; path?: unknown } | null;
      const bytes = toBytes(image?.bytes);
      if (!bytes || bytes.length === 0) throw new Error(`${where}: the image has no bytes`);
      if (typeof raw.query !== 'string') throw new Error(`${where}: query is not a string`);
      const truth = raw.ground_truth instanceof Uint8Array ? new TextDecoder().decode(raw.ground_truth) : raw.ground_truth;
      if (typeof truth !== 'string') throw new Error(`${where}: ground_truth is not a string`);
      const response = raw.response instanceof Uint8Array ? new TextDecoder().decode(raw.response) : raw.response;
      yield {
        index,
        row: {
          query: raw.query,
          image: { bytes, path: typeof image?.path === 'string' ? image.path : '' },
          ground_truth: truth,
          response: typeof response === 'string' ? response : null,
        },
      };
    }
    start = end;
  }
}
