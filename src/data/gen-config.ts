/**
 * `asymflow gen` configuration (DESIGN §8): one defaults object merged once with the flags and validated with
 * exact messages. Task knobs travel separately (`--task-option layout=spring`, `--task-option blanks=30`, `--input-size`)
 * and are validated by the task itself when the first puzzle is made.
 */
import os from 'node:os';
import { checks, ConfigError, resolveConfig, type Checks } from '../config.ts';
import { TASK_NAMES } from '../tasks/registry.ts';
import { SPLITS, type Split } from './split-sample.ts';

/** The paper's split sizes per task. */
export const SPLIT_SIZES: Readonly<Record<Split, number>> = { test: 500, val: 500, test_seen_glyphs: 500, train_sft: 2_000, train_rl: 16_000 };

export interface GenConfig {
  readonly task: string;
  readonly split: string;
  readonly n: number; // samples; 0 = the split's default size (SPLIT_SIZES)
  readonly seed: number;
  readonly out: string; // the dataset directory
  readonly images: boolean; // also DIR/images/<id>.png
  readonly parquet: boolean; // also DIR/<task>-<split>.parquet (Hugging Face layout)
  readonly record: string; // also record the sample stream to this file ('' = none)
  readonly withPixels: boolean; // keep png and pixels in the --record stream
  readonly overwrite: boolean; // replace this split's existing files (and --record FILE)
  readonly concurrency: number; // worker threads (0 = in process); default one per core
}

export const GEN_DEFAULTS: GenConfig = {
  task: 'gc',
  split: 'test',
  n: 0,
  seed: 0,
  out: '',
  images: false,
  parquet: false,
  record: '',
  withPixels: false,
  overwrite: false,
  concurrency: os.availableParallelism(),
};

const rules: Checks<GenConfig> = {
  task: checks.oneOf(TASK_NAMES),
  split: checks.oneOf(SPLITS),
  n: checks.nonNegativeInt,
  seed: checks.seed,
  images: checks.boolean,
  parquet: checks.boolean,
  withPixels: checks.boolean,
  overwrite: checks.boolean,
  concurrency: checks.nonNegativeInt,
};

/** Flags merged onto the defaults; `n` 0 becomes the split's size. */
export function resolveGenConfig(flags: Readonly<Record<string, unknown>>): GenConfig {
  const config = resolveConfig('gen', GEN_DEFAULTS, flags, rules);
  if (config.out === '') throw new ConfigError('gen.out is required: the dataset directory (--out DIR)');
  if (flags.n !== undefined && config.n === 0) throw new ConfigError(`gen.n must be a positive integer, got 0 (leave --n out for the split's default size, ${SPLIT_SIZES[config.split as Split]})`);
  if (config.withPixels && config.record === '') throw new ConfigError('gen: --with-pixels applies to --record FILE, which is missing');
  return config.n === 0 ? { ...config, n: SPLIT_SIZES[config.split as Split] } : config;
}
