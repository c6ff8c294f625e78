/**
 * `asymflow train-embed --task T --out DIR [--input-size 72] [--samples 512] [--steps 300]`
 * Trains the small image–caption contrastive encoder behind `--reward embed` on (image, p*) pairs of the
 * train split; writes DIR/embed.json + DIR/embed.bin.
 */
import type { Command } from 'commander';
import { checks, ConfigError, resolveConfig } from '../../src/config.ts';
import { claimRunDir } from '../../src/io/output-path.ts';
import { TRAIN_EMBED_DEFAULTS } from '../../src/rl/embed/train-embed-defaults.ts';
import { getTask, TASK_NAMES } from '../../src/tasks/registry.ts';
import { describeDefaults } from './help-defaults.ts';
import { parseTaskOptions, TASK_OPTION_HELP } from './task-flags.ts';

const DEFAULTS = { task: 'gc', out: '', backend: '', overwrite: false, ...TRAIN_EMBED_DEFAULTS };

export async function trainEmbedCommand(flags: Readonly<Record<string, unknown>>, log: (line: string) => void = (l) => process.stdout.write(`${l}\n`)): Promise<{ loss: number; accuracy: number }> {
  const { taskOption, ...rest } = flags as { taskOption?: string[] };
  const c = resolveConfig('trainEmbed', DEFAULTS, rest, {
    task: checks.oneOf(TASK_NAMES), inputSize: checks.positiveInt, samples: checks.positiveInt, steps: checks.positiveInt, batch: checks.positiveInt,
    lr: checks.positive, tau: checks.positive, seed: checks.seed,
  });
  if (c.out === '') throw new ConfigError('trainEmbed.out is required: the encoder directory (--out DIR)');
  if (c.batch < 2) throw new ConfigError(`trainEmbed.batch must be at least 2 (contrastive pairs need negatives), got ${c.batch}`);
  const claim = claimRunDir(c.out, { verb: 'train-embed', overwrite: c.overwrite }); // locked until the encoder is saved
  try {
    return await train(c, taskOption ?? [], log);
  } finally {
    claim.release();
  }
}

async function train(c: typeof DEFAULTS, taskOption: string[], log: (line: string) => void): Promise<{ loss: number; accuracy: number }> {
  // Loaded on use, so `train-embed --help` loads no tfjs.
  const [{ resolveBackend }, { disposeEncoder, saveEncoder }, { trainEmbed }] = await Promise.all([
    import('../../src/model/backend.ts'),
    import('../../src/rl/embed/encoder.ts'),
    import('../../src/rl/embed/train-embed.ts'),
  ]);
  await resolveBackend(c.backend || undefined, { log });
  const task = await getTask(c.task);
  const every = Math.max(1, Math.floor(c.steps / 10));
  const { encoder, loss, accuracy } = await trainEmbed(task, {
    ...c,
    taskOptions: parseTaskOptions(taskOption, 'train-embed', c.task),
    onStep: (step, l, acc) => step % every === 0 && log(`train-embed step ${step}/${c.steps}: loss ${l.toFixed(3)}  in-batch accuracy ${(100 * acc).toFixed(1)}%`),
  });
  await saveEncoder(c.out, encoder, { task: c.task, loss, accuracy, config: c });
  disposeEncoder(encoder);
  log(`train-embed: wrote ${c.out}/embed.json (final loss ${loss.toFixed(3)}, in-batch accuracy ${(100 * accuracy).toFixed(1)}%)`);
  return { loss, accuracy };
}

export function registerTrainEmbed(program: Command): void {
  const command = program
    .command('train-embed')
    .description('train the small image–caption contrastive encoder for --reward embed')
    .option('--task <name>', 'task: gc or sudoku')
    .requiredOption('--out <dir>', 'encoder directory')
    .option('--input-size <px>', 'model-input side the encoder takes (the policy model\'s inputSize: tiny 72, small/base 144)')
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
  describeDefaults(command, DEFAULTS)
    .action(async (opts: Record<string, unknown>) => {
      await trainEmbedCommand(opts);
    });
}
