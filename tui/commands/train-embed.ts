/**
 * `asymflow train-embed --task T --out DIR [--input-size 72] [--samples 512] [--steps 300]`
 * Trains the small image–caption contrastive encoder behind `--reward embed` on (image, p*) pairs of the
 * train split (flows/train-embed.ts); writes DIR/embed.json + DIR/embed.bin.
 */
import type { Command } from 'commander';
import type { TrainEmbedResult } from '../../flows/train-embed.ts';
import { resolveTrainEmbedConfig, TRAIN_EMBED_OPTIONS } from '../../src/rl/embed/train-embed-config.ts';
import { addOptionFlags } from './option-flags.ts';
import { toStderr, toStdout } from '../../src/output-lines.ts';
import { readTaskOptions, TASK_OPTION_HELP } from './task-flags.ts';

/** Flags → validated config → the flow (flows/train-embed.ts). */
export async function trainEmbedCommand(
  flags: Readonly<Record<string, unknown>>,
  log: (line: string) => void = toStderr,
  result: (line: string) => void = log === toStderr ? toStdout : log,
): Promise<TrainEmbedResult> {
  const { taskOption, ...rest } = flags as { taskOption?: string[] };
  const c = resolveTrainEmbedConfig(rest);
  const taskOptions = await readTaskOptions('train-embed', c.task, taskOption ?? []);
  const { runTrainEmbed } = await import('../../flows/train-embed.ts'); // loaded on use: `train-embed --help` stays fast
  return runTrainEmbed(c, taskOptions, log, result);
}

export function registerTrainEmbed(program: Command): void {
  const command = program.command('train-embed').description('train the small image–caption contrastive encoder for --reward embed');
  addOptionFlags(command, TRAIN_EMBED_OPTIONS, { required: ['out'] })
    .option('--task-option <key=value...>', 'task rendering knob (repeatable)')
    .addHelpText('after', TASK_OPTION_HELP)
    .action(async (opts: Record<string, unknown>) => {
      await trainEmbedCommand(opts);
    });
}
