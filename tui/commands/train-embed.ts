/**
 * `asymflow train-embed --task T --out DIR [--input-size 72] [--samples 512] [--steps 300]`
 * Trains the small image–caption contrastive encoder behind `--reward embed` on (image, p*) pairs of the
 * train split (flows/train-embed.ts); writes DIR/embed.json + DIR/embed.bin.
 */
import type { Command } from 'commander';
import { checks, ConfigError, resolveConfig } from '../../src/config.ts';
import type { TrainEmbedResult } from '../../flows/train-embed.ts';
import { TRAIN_EMBED_DEFAULTS } from '../../src/rl/embed/train-embed-defaults.ts';
import { TASK_NAMES } from '../../src/tasks/registry.ts';
import { describeDefaults } from './help-defaults.ts';
import { parseTaskOptions, TASK_OPTION_HELP } from './task-flags.ts';

const DEFAULTS = { task: 'gc', out: '', backend: '', overwrite: false, ...TRAIN_EMBED_DEFAULTS };

/** Flags → validated config → the flow (flows/train-embed.ts). */
export async function trainEmbedCommand(
  flags: Readonly<Record<string, unknown>>,
  log: (line: string) => void = (l) => process.stdout.write(`${l}\n`),
): Promise<TrainEmbedResult> {
  const { taskOption, ...rest } = flags as { taskOption?: string[] };
  const c = resolveConfig('trainEmbed', DEFAULTS, rest, {
    task: checks.oneOf(TASK_NAMES),
    inputSize: checks.positiveInt,
    samples: checks.positiveInt,
    steps: checks.positiveInt,
    batch: checks.positiveInt,
    lr: checks.positive,
    tau: checks.positive,
    seed: checks.seed,
  });
  if (c.out === '') throw new ConfigError('trainEmbed.out is required: the encoder directory (--out DIR)');
  if (c.batch < 2) throw new ConfigError(`trainEmbed.batch must be at least 2 (contrastive pairs need negatives), got ${c.batch}`);
  const taskOptions = parseTaskOptions(taskOption ?? [], 'train-embed', c.task);
  const { runTrainEmbed } = await import('../../flows/train-embed.ts'); // loaded on use: `train-embed --help` stays fast
  return runTrainEmbed(c, taskOptions, log);
}

export function registerTrainEmbed(program: Command): void {
  const command = program
    .command('train-embed')
    .description('train the small image–caption contrastive encoder for --reward embed')
    .option('--task <name>', 'task: gc or sudoku')
    .requiredOption('--out <dir>', 'encoder directory')
    .option('--input-size <px>', "model-input side the encoder takes (the policy model's inputSize: tiny 72, small/base 144)")
    .option('--samples <n>', 'training pairs from train_sft')
    .option('--steps <n>', 'optimizer steps')
    .option('--batch <b>', 'pairs per contrastive batch')
    .option('--lr <lr>', 'Adam learning rate')
    .option('--tau <t>', 'softmax temperature')
    .option('--seed <s>', 'data and init seed')
    .option('--backend <name>', 'tensorflow, webgpu, wasm or cpu')
    .option('--task-option <key=value...>', 'task rendering knob (repeatable)')
    .option('--overwrite', 'replace an encoder already in --out instead of refusing')
    .addHelpText('after', TASK_OPTION_HELP);
  describeDefaults(command, DEFAULTS).action(async (opts: Record<string, unknown>) => {
    await trainEmbedCommand(opts);
  });
}
