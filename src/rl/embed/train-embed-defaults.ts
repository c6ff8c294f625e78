/** The contrastive encoder's training options and defaults (the training itself: train-embed.ts). */
import type { TaskOptions } from '../../tasks/task.ts';

export interface TrainEmbedOptions {
  readonly inputSize: number;
  readonly samples: number; // training pairs generated from train_sft
  readonly steps: number;
  readonly batch: number;
  readonly lr: number;
  readonly tau: number;
  readonly seed: number;
  readonly taskOptions?: TaskOptions;
  readonly onStep?: (step: number, loss: number, accuracy: number) => void;
}

export const TRAIN_EMBED_DEFAULTS: Omit<TrainEmbedOptions, 'onStep' | 'taskOptions'> = {
  inputSize: 72,
  samples: 512,
  steps: 300,
  batch: 32,
  lr: 3e-3,
  tau: 0.1,
  seed: 0,
};
