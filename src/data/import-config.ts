/**
 * `asymflow import` configuration (docs/architecture.md §8): one option table (src/options.ts) from which the config
 * type, defaults, checks and flags derive. The task is inferred from the rows when not given, the split from
 * the file name.
 */
import path from 'node:path';
import { checks, ConfigError, type Check } from '../config.ts';
import { option, resolveOptions, type ConfigOf } from '../options.ts';
import { TASK_NAMES } from '../tasks/registry.ts';
import type { TaskName } from '../records.ts';
import { SPLITS } from './split-sample.ts';

/** '' (left to be inferred) or one of `names`. */
const blankOr = (names: readonly string[]): Check => {
  const oneOf = checks.oneOf(names);
  return (v) => (v === '' ? undefined : oneOf(v));
};

/** Every `asymflow import` setting once: default, check, help and flag (src/options.ts). */
export const IMPORT_OPTIONS = {
  parquet: option('', 'the parquet file (columns query, image{bytes,path}, ground_truth[, response])', { value: 'file' }),
  out: option('', 'the dataset directory', { value: 'dir' }),
  task: option<TaskName | ''>('', 'gc or sudoku (default: inferred from ground_truth / query)', { value: 'name', check: blankOr(TASK_NAMES) }),
  split: option('', 'test, train_sft or train_rl (default: from the file name)', { value: 'name', check: blankOr(SPLITS) }),
  inputSize: option(0, "model-input side (default: the task's)", { value: 'px', check: checks.nonNegativeInt, shownDefault: '' }), // 0: the task's
  overwrite: option(false, 'replace an existing shard of this task and split instead of refusing', { check: checks.boolean }),
};

export type ImportConfig = ConfigOf<typeof IMPORT_OPTIONS>;

/** The split named in a file name, longest name first (train_sft before test), or undefined. */
export function splitFromFileName(file: string): string | undefined {
  const base = path.basename(file);
  return [...SPLITS].sort((a, b) => b.length - a.length).find((split) => new RegExp(`(^|[^a-z])${split}([^a-z_]|$)`).test(base));
}

/** Flags → the config; a split left out is read from the file name. */
export function resolveImportConfig(flags: Readonly<Record<string, unknown>>): ImportConfig {
  const config = resolveOptions('import', IMPORT_OPTIONS, flags);
  if (config.parquet === '') throw new ConfigError('import.parquet is required: the parquet file (--parquet FILE)');
  if (config.out === '') throw new ConfigError('import.out is required: the dataset directory (--out DIR)');
  if (config.split === '') {
    const split = splitFromFileName(config.parquet);
    if (!split) throw new ConfigError(`import: cannot tell the split from the file name ${path.basename(config.parquet)}; give --split ${SPLITS.join('|')}`);
    return { ...config, split };
  }
  return config;
}
