/**
 * `asymflow gen --task gc|sudoku --split test|train_sft|train_rl [--n N] [--seed S] --out DIR [--images]
 *   [--parquet] [--record FILE [--with-pixels]] [--concurrency K] [--input-size N] [--task-option KEY=VALUE…]`
 * Writes one dataset split (flows/generate.ts): DIR/<task>-<split>.msgpack, and DIR/images/<id>.png,
 * DIR/<task>-<split>.parquet on request. A progress bar on a terminal, plain lines otherwise (stderr); the
 * summary of what was written on stdout.
 */
import type { Command } from 'commander';
import type { GenerateSummary } from '../../flows/generate.ts';
import { GEN_OPTIONS, resolveGenConfig } from '../../src/data/gen-config.ts';
import { puzzleAt } from '../../src/data/split-sample.ts';
import { getTask } from '../../src/tasks/registry.ts';
import { toStdout } from '../../src/output-lines.ts';
import { progressReporter } from '../progress.ts';
import { addOptionFlags } from './option-flags.ts';
import { aliasPairs, readTaskOptions, TASK_OPTION_HELP } from './task-flags.ts';

export interface GenCommandIo {
  readonly log?: (line: string) => void;
  readonly progress?: boolean; // default true
  readonly isTTY?: boolean;
}

/** Runs `asymflow gen` with command-line style flags; `extra` are alias words such as `--gc.layout=spring`. */
export async function genCommand(flags: Readonly<Record<string, unknown>>, extra: readonly string[] = [], io: GenCommandIo = {}): Promise<GenerateSummary> {
  const { inputSize, taskOption, ...rest } = flags as { inputSize?: string; taskOption?: string[] };
  const config = resolveGenConfig(rest);
  const task = await getTask(config.task);
  const pairs = [...(taskOption ?? []), ...aliasPairs('gen', extra)];
  const taskOptions = await readTaskOptions('gen', config.task, pairs, inputSize === undefined ? undefined : String(inputSize));
  puzzleAt(task, { split: config.split, seed: config.seed, options: taskOptions }, 0); // the task checks its knobs here, before any worker starts
  const onProgress = io.progress === false ? undefined : progressReporter({ label: `gen ${config.task} ${config.split}`, total: config.n, isTTY: io.isTTY });
  const { runGenerate } = await import('../../flows/generate.ts'); // loaded on use: `gen --help` stays fast
  return runGenerate({ config, taskOptions, log: io.log ?? toStdout, onProgress });
}

export function registerGen(program: Command): void {
  const command = program.command('gen').description('generate a dataset split: DIR/<task>-<split>.msgpack, optional PNGs and Hugging Face parquet');
  addOptionFlags(command, GEN_OPTIONS, { required: ['out'] })
    .option('--input-size <px>', 'model-input side in pixels (the task option inputSize)')
    .option('--task-option <key=value...>', 'task knob, e.g. layout=spring or verbosity=1 (repeatable; see below)')
    .addHelpText('after', TASK_OPTION_HELP)
    .action(async (opts: Record<string, unknown>) => {
      await genCommand(opts);
    });
}
