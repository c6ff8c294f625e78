/**
 * `asymflow gen` configuration (docs/architecture.md §8): one option table (src/options.ts) from which the config type,
 * defaults, checks and flags derive. Task knobs travel separately (`--task-option layout=spring`, `--task-option blanks=30`, `--input-size`)
 * and are validated by the task itself when the first puzzle is made.
 */
import os from 'node:os';
import { checks, ConfigError } from '../config.ts';
import { defaultsOf, option, resolveOptions, type ConfigOf } from '../options.ts';
import { TASK_NAMES } from '../tasks/registry.ts';
import { SPLITS, type Split } from './split-sample.ts';

/** The paper's split sizes per task. */
export const SPLIT_SIZES: Readonly<Record<Split, number>> = { test: 500, val: 500, test_seen_glyphs: 500, train_sft: 2_000, train_rl: 16_000 };

/** Every `asymflow gen` setting once: default, check, help and flag (src/options.ts). */
export const GEN_OPTIONS = {
  task: option('gc', 'gc or sudoku', { value: 'name', check: checks.oneOf(TASK_NAMES) }),
  split: option<string>('test', 'test, val, test_seen_glyphs, train_sft (with SFT responses) or train_rl', { value: 'name', check: checks.oneOf(SPLITS) }),
  n: option(0, 'samples (default: 500 test, 2,000 train_sft, 16,000 train_rl)', { value: 'count', check: checks.nonNegativeInt, shownDefault: '' }), // 0: the split's size
  seed: option(0, 'data seed (same seed, same bytes)', { value: 's', check: checks.seed }),
  out: option('', 'the dataset directory', { value: 'dir' }),
  images: option(false, 'also write DIR/images/<id>.png', { check: checks.boolean }),
  parquet: option(false, 'also write DIR/<task>-<split>.parquet (query, image{bytes,path}, ground_truth, response)', { check: checks.boolean }),
  record: option('', 'also record the sample stream (without png/pixels unless --with-pixels)', { value: 'file' }),
  withPixels: option(false, 'keep png and pixels in the --record stream', { check: checks.boolean }),
  overwrite: option(false, "replace this split's existing files in --out (and --record FILE) instead of refusing", { check: checks.boolean }),
  concurrency: option(os.availableParallelism(), 'worker threads (0: in process)', { value: 'k', check: checks.nonNegativeInt, shownDefault: 'one per core' }),
};

export type GenConfig = ConfigOf<typeof GEN_OPTIONS>;
export const GEN_DEFAULTS: GenConfig = defaultsOf(GEN_OPTIONS);

/** Flags merged onto the defaults; `n` 0 becomes the split's size. */
export function resolveGenConfig(flags: Readonly<Record<string, unknown>>): GenConfig {
  const config = resolveOptions('gen', GEN_OPTIONS, flags);
  if (config.out === '') throw new ConfigError('gen.out is required: the dataset directory (--out DIR)');
  if (flags.n !== undefined && config.n === 0)
    throw new ConfigError(`gen.n must be a positive integer, got 0 (leave --n out for the split's default size, ${SPLIT_SIZES[config.split as Split]})`);
  if (config.withPixels && config.record === '') throw new ConfigError('gen: --with-pixels applies to --record FILE, which is missing');
  return config.n === 0 ? { ...config, n: SPLIT_SIZES[config.split as Split] } : config;
}
