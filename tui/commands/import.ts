/**
 * `asymflow import --parquet FILE --out DIR [--task gc|sudoku] [--split S] [--input-size N]`: a Hugging Face
 * layout parquet file — ours (`gen --parquet`) or the paper's xqwu/asymmetric-VLM__gc / __sudoku — back into
 * DIR/<task>-<split>.msgpack (flows/import-parquet.ts). The task is inferred from the rows when not given;
 * the split from the file name (gc-train_sft.parquet, test-00000-of-00001.parquet, …) when not given.
 */
import path from 'node:path';
import type { Command } from 'commander';
import type { ImportSummary } from '../../flows/import-parquet.ts';
import { checks, ConfigError, resolveConfig } from '../../src/config.ts';
import { SPLITS } from '../../src/data/split-sample.ts';
import { TASK_NAMES } from '../../src/tasks/registry.ts';
import type { TaskName } from '../../src/tasks/task.ts';

export interface ImportConfig {
  readonly parquet: string;
  readonly out: string;
  readonly task: string; // '' = infer
  readonly split: string; // '' = from the file name
  readonly inputSize: number; // 0 = the task's default
  readonly overwrite: boolean; // replace an existing shard
}

const IMPORT_DEFAULTS: ImportConfig = { parquet: '', out: '', task: '', split: '', inputSize: 0, overwrite: false };

/** The split named in a file name, longest name first (train_sft before test), or undefined. */
export function splitFromFileName(file: string): string | undefined {
  const base = path.basename(file);
  return [...SPLITS].sort((a, b) => b.length - a.length).find((split) => new RegExp(`(^|[^a-z])${split}([^a-z_]|$)`).test(base));
}

export function resolveImportConfig(flags: Readonly<Record<string, unknown>>): ImportConfig {
  const config = resolveConfig('import', IMPORT_DEFAULTS, flags, {
    task: (v) => (v === '' || (TASK_NAMES as readonly unknown[]).includes(v) ? undefined : `must be one of ${TASK_NAMES.join(', ')}`),
    split: (v) => (v === '' || (SPLITS as readonly unknown[]).includes(v) ? undefined : `must be one of ${SPLITS.join(', ')}`),
    inputSize: checks.nonNegativeInt,
    overwrite: checks.boolean,
  });
  if (config.parquet === '') throw new ConfigError('import.parquet is required: the parquet file (--parquet FILE)');
  if (config.out === '') throw new ConfigError('import.out is required: the dataset directory (--out DIR)');
  if (config.split === '') {
    const split = splitFromFileName(config.parquet);
    if (!split) throw new ConfigError(`import: cannot tell the split from the file name ${path.basename(config.parquet)}; give --split ${SPLITS.join('|')}`);
    return { ...config, split };
  }
  return config;
}

export async function importCommand(flags: Readonly<Record<string, unknown>>, log?: (line: string) => void): Promise<ImportSummary> {
  const config = resolveImportConfig(flags);
  const { runImport } = await import('../../flows/import-parquet.ts'); // loaded on use: `import --help` stays fast
  return runImport({
    parquet: config.parquet,
    out: config.out,
    split: config.split,
    task: config.task === '' ? undefined : (config.task as TaskName),
    inputSize: config.inputSize === 0 ? undefined : config.inputSize,
    overwrite: config.overwrite,
    log: log ?? ((line) => process.stderr.write(`${line}\n`)),
  });
}

export function registerImport(program: Command): void {
  program
    .command('import')
    .description("a Hugging Face parquet file (ours or the paper's xqwu/asymmetric-VLM__gc|__sudoku) into DIR/<task>-<split>.msgpack")
    .requiredOption('--parquet <file>', 'the parquet file (columns query, image{bytes,path}, ground_truth[, response])')
    .requiredOption('--out <dir>', 'the dataset directory')
    .option('--task <name>', 'gc or sudoku (default: inferred from ground_truth / query)')
    .option('--split <name>', 'test, train_sft or train_rl (default: from the file name)')
    .option('--input-size <px>', "model-input side (default: the task's)")
    .option('--overwrite', 'replace an existing shard of this task and split instead of refusing')
    .action(async (opts: Record<string, unknown>) => {
      await importCommand(opts);
    });
}
