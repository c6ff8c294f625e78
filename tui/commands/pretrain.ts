/**
 * `asymflow pretrain --task gc|sudoku --out DIR [--schedule mix|sequence] [--caption-steps K] [--reasoning-steps R]
 *   [--caption-n N] [--reasoning-n N] [--caption-option k=v…] [--model size] [--task-option k=v…] [--resume] …`
 * The stage before post-training (flows/pretrain.ts, docs/pretrain.md): captioning on renders of another
 * distribution and reasoning from a given caption; its run directory is what `sft --init` and `rl --init` take.
 * With --resume, flags left out take the checkpoint's values; a flag that would change the run is refused.
 */
import path from 'node:path';
import type { Command } from 'commander';
import type { SftRunResult } from '../../flows/sft.ts';
import {
  PRETRAIN_DEFAULTS,
  PRETRAIN_OPTIONS,
  PRETRAIN_RUN_ONLY_KEYS,
  resolvePretrainConfig,
  sftShape,
  type PretrainConfig,
} from '../../src/pretrain/pretrain-config.ts';
import { hasCheckpoint, readSftIdentity } from '../../src/sft/sft-identity.ts';
import type { TaskOptions } from '../../src/tasks/task.ts';
import { addOptionFlags } from './option-flags.ts';
import { runMonitored, type SftCommandIo } from './sft.ts';
import { parseOptionPairs, readTaskOptions, TASK_OPTION_HELP } from './task-flags.ts';

export interface ResolvedPretrain {
  readonly config: PretrainConfig;
  readonly taskOptions: TaskOptions;
  readonly modelOptions: Record<string, unknown>;
}

/** Flags → validated config; with --resume the checkpoint's settings fill what the flags leave out. */
export async function resolvePretrainFlags(flags: Readonly<Record<string, unknown>>): Promise<ResolvedPretrain> {
  const { taskOption, modelOption, captionOption, ...rest } = flags as { taskOption?: string[]; modelOption?: string[]; captionOption?: string[] } & Record<
    string,
    unknown
  >;
  const given: Record<string, unknown> = Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined));
  const modelOptions = parseOptionPairs('pretrain', '--model-option', modelOption ?? []);
  const resume = given.resume === true || given.resume === 'true';
  if (resume && (typeof given.out !== 'string' || given.out === '')) throw new Error('pretrain --resume needs --out DIR (the run to continue)');
  const checkpoints = resume ? path.join(path.resolve(String(given.out)), 'checkpoints') : '';
  if (resume && !hasCheckpoint(checkpoints))
    throw new Error(`pretrain --resume: no checkpoint in ${checkpoints} (checkpoint.json missing); run without --resume to start`);
  const saved = resume ? readSftIdentity(checkpoints) : undefined;
  // the run's task (given, the checkpoint's, or the default) types the task and caption options (readTaskOptions)
  const task = String(given.task ?? saved?.config.task ?? PRETRAIN_DEFAULTS.task);
  const taskOptions = await readTaskOptions('pretrain', task, taskOption ?? []);
  if (captionOption !== undefined) given.captionOptions = await readTaskOptions('pretrain', task, captionOption);
  if (saved) {
    return {
      config: resolvePretrainConfig({ ...saved.config, stopAfter: 0, ...given }), // --stop-after applies to one invocation
      taskOptions: { ...(saved.taskOptions as TaskOptions), ...taskOptions },
      modelOptions: { ...saved.modelOptions, ...modelOptions },
    };
  }
  return { config: resolvePretrainConfig(given), taskOptions, modelOptions };
}

/** Runs `asymflow pretrain` with command-line style flags (strings or typed values). */
export async function pretrainCommand(flags: Readonly<Record<string, unknown>>, io: SftCommandIo = {}): Promise<SftRunResult> {
  const { config, taskOptions, modelOptions } = await resolvePretrainFlags(flags);
  const { runPretrain } = await import('../../flows/pretrain.ts'); // loaded on use, so `pretrain --help` loads no tfjs
  return runMonitored('pretrain', sftShape(config), taskOptions, modelOptions, io, (run) => runPretrain({ config, modelOptions, ...run }));
}

export function registerPretrain(program: Command): void {
  const command = program
    .command('pretrain')
    .description(
      'the stage before post-training: captioning on renders of another distribution and reasoning from a given caption (no image); `sft --init DIR` / `rl --init DIR` start from it',
    );
  addOptionFlags(command, PRETRAIN_OPTIONS, { keys: PRETRAIN_RUN_ONLY_KEYS, required: ['out'] });
  addOptionFlags(command, PRETRAIN_OPTIONS, { omit: PRETRAIN_RUN_ONLY_KEYS })
    .option('--caption-option <key=value...>', 'task option of the captioning renders over the default other distribution, e.g. layout=spring (repeatable)')
    .option('--task-option <key=value...>', 'task generation/trace knob of the reasoning rows and the evaluation, e.g. verbosity=1 (repeatable)')
    .option('--model-option <key=value...>', 'model override on the named size, e.g. d=32 (repeatable)')
    .addHelpText('after', TASK_OPTION_HELP)
    .action(async (opts: Record<string, unknown>) => {
      await pretrainCommand(opts);
    });
}
