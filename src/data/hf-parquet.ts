/**
 * Hugging Face `datasets` parquet layout shared by writer and reader (docs/architecture.md §3): columns `query` (string),
 * `image` (struct {bytes: binary PNG, path: string} — the datasets Image feature), `ground_truth` (string),
 * `response` (string, null outside train_sft), and the `huggingface` key-value metadata holding the
 * features JSON that `datasets.load_dataset('parquet', …)` reads to decode `image` as an image.
 */
import type { SchemaElement } from 'hyparquet';

export const HF_COLUMNS = ['query', 'image', 'ground_truth', 'response'] as const;

export const HF_SCHEMA: SchemaElement[] = [
  { name: 'schema', num_children: 4 },
  { name: 'query', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' },
  { name: 'image', repetition_type: 'OPTIONAL', num_children: 2 },
  { name: 'bytes', type: 'BYTE_ARRAY', repetition_type: 'OPTIONAL' },
  { name: 'path', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' },
  { name: 'ground_truth', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' },
  { name: 'response', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' },
];

const value = { dtype: 'string', _type: 'Value' };

/** The `huggingface` metadata value: the datasets features of the four columns. */
export const HF_FEATURES_JSON = JSON.stringify({
  info: { features: { query: value, image: { _type: 'Image' }, ground_truth: value, response: value } },
});

/** One row as written and as read back (with `utf8: false` for the image bytes). */
export interface HfRow {
  readonly query: string;
  readonly image: { readonly bytes: Uint8Array; readonly path: string };
  readonly ground_truth: string;
  readonly response: string | null;
}
