/**
 * The contrastive encoder's settings (the training itself: train-embed.ts; the verb: `asymflow train-embed`):
 * one option table (src/options.ts) from which the config type, defaults, checks and flags derive.
 */
import { checks, ConfigError } from '../../config.ts';
import { defaultsOf, option, resolveOptions, type ConfigOf } from '../../options.ts';
import { TASK_NAMES } from '../../tasks/registry.ts';
import type { TaskOptions } from '../../tasks/task.ts';

/** The training knobs, each once: default, check, help and flag. */
export const TRAIN_EMBED_TRAINING_OPTIONS = {
  inputSize: option(72, "model-input side the encoder takes (the policy model's inputSize: tiny 72, small/base 144)", {
    value: 'px',
    check: checks.positiveInt,
  }),
  samples: option(512, 'training pairs from train_sft', { value: 'n', check: checks.positiveInt }),
  steps: option(300, 'optimizer steps', { value: 'n', check: checks.positiveInt }),
  batch: option(32, 'pairs per contrastive batch', { value: 'b', check: checks.positiveInt }),
  lr: option(3e-3, 'Adam learning rate', { value: 'lr', check: checks.positive }),
  tau: option(0.1, 'softmax temperature', { value: 't', check: checks.positive }),
  seed: option(0, 'data and init seed', { value: 's', check: checks.seed }),
};

export const TRAIN_EMBED_DEFAULTS: ConfigOf<typeof TRAIN_EMBED_TRAINING_OPTIONS> = defaultsOf(TRAIN_EMBED_TRAINING_OPTIONS);

export interface TrainEmbedOptions extends ConfigOf<typeof TRAIN_EMBED_TRAINING_OPTIONS> {
  readonly taskOptions?: TaskOptions;
  readonly onStep?: (step: number, loss: number, accuracy: number) => void;
}

/** Every `asymflow train-embed` setting: the training knobs and where the encoder goes. */
export const TRAIN_EMBED_OPTIONS = {
  task: option('gc', 'task: gc or sudoku', { value: 'name', check: checks.oneOf(TASK_NAMES) }),
  out: option('', 'encoder directory', { value: 'dir' }),
  ...TRAIN_EMBED_TRAINING_OPTIONS,
  backend: option('', 'tensorflow, webgpu, wasm or cpu', { value: 'name' }),
  overwrite: option(false, 'replace an encoder already in --out instead of refusing', { check: checks.boolean }),
};

export type TrainEmbedConfig = ConfigOf<typeof TRAIN_EMBED_OPTIONS>;

export function resolveTrainEmbedConfig(flags: Readonly<Record<string, unknown>>): TrainEmbedConfig {
  const c = resolveOptions('trainEmbed', TRAIN_EMBED_OPTIONS, flags);
  if (c.out === '') throw new ConfigError('trainEmbed.out is required: the encoder directory (--out DIR)');
  if (c.batch < 2) throw new ConfigError(`trainEmbed.batch must be at least 2 (contrastive pairs need negatives), got ${c.batch}`);
  return c;
}
