/**
 * `asymflow import --parquet FILE --out DIR [--task gc|sudoku] [--split S] [--input-size N]`: a Hugging Face
 * layout parquet file — ours (`gen --parquet`) or the paper's xqwu/asymmetric-VLM__gc / __sudoku — back into
 * DIR/<task>-<split>.msgpack (flows/import-parquet.ts). The task is inferred from the rows when not given;
 * the split from the file name (gc-train_sft.parquet, test-00000-of-00001.parquet, …) when not given.
 */
import type { Command } from 'commander';
import type { ImportSummary } from '../../flows/import-parquet.ts';
import { IMPORT_OPTIONS, resolveImportConfig } from '../../src/data/import-config.ts';
import { addOptionFlags } from './option-flags.ts';
import { toStdout } from '../../src/output-lines.ts';

export { resolveImportConfig, splitFromFileName, type ImportConfig } from '../../src/data/import-config.ts';

export async function importCommand(flags: Readonly<Record<string, unknown>>, log?: (line: string) => void): Promise<ImportSummary> {
  const config = resolveImportConfig(flags);
  const { runImport } = await import('../../flows/import-parquet.ts'); // loaded on use: `import --help` stays fast
  return runImport({
    parquet: config.parquet,
    out: config.out,
    split: config.split,
    task: config.task === '' ? undefined : config.task,
    inputSize: config.inputSize === 0 ? undefined : config.inputSize,
    overwrite: config.overwrite,
    log: log ?? toStdout,
  });
}

export function registerImport(program: Command): void {
  const command = program
    .command('import')
    .description("a Hugging Face parquet file (ours or the paper's xqwu/asymmetric-VLM__gc|__sudoku) into DIR/<task>-<split>.msgpack");
  addOptionFlags(command, IMPORT_OPTIONS, { required: ['parquet', 'out'] }).action(async (opts: Record<string, unknown>) => {
    await importCommand(opts);
  });
}
