/**
 * An SFT run's data: the training rows of both stages — prompt + target tokens from train_sft (gen's shards
 * with --data, else generated), too-long samples dropped, a share without the image (--image-dropout) — and
 * the held-out evaluation samples, with the split audit's measured content overlap said in one line.
 */
import { overlapLine } from '../data/split-audit.ts';
import { auditedSamples } from '../data/training-samples.ts';
import type { ModelConfig } from '../model/config.ts';
import type { Sample } from '../records.ts';
import type { Task, TaskOptions } from '../tasks/task.ts';
import type { SftConfig } from './sft-config.ts';
import { trainRows, type TrainRow } from './train-rows.ts';

export interface SftData {
  readonly main: readonly TrainRow[];
  readonly perception: readonly TrainRow[]; // <caption>p*</caption> targets (empty without a pre-stage)
  readonly dropped: number; // training samples longer than the model's text window
  readonly evalSamples: readonly Sample[];
  readonly evalMaxTokens: number;
}

export async function loadSftData(config: SftConfig, task: Task, mc: ModelConfig, taskOptions: TaskOptions, log: (line: string) => void): Promise<SftData> {
  const options = { ...taskOptions, inputSize: mc.inputSize }; // render at the model's input size
  const common = { task, seed: config.seed, options, data: config.data, inputSize: mc.inputSize, log: (line: string) => log(`sft: ${line}`) };
  const audited = await auditedSamples({ ...common, split: 'train_sft', n: config.trainN }, { ...common, split: config.evalSplit, n: config.evalN });
  const train = audited.train;
  const main = trainRows(task, train, mc, options, 'full', { share: config.imageDropout, seed: config.seed });
  if (main.withoutImage > 0)
    log(`sft: ${main.withoutImage} of ${main.rows.length} training samples without the image, caption given (--image-dropout ${config.imageDropout})`);
  if (main.dropped > 0) log(`sft: dropped ${main.dropped} of ${train.length} training samples longer than model.maxText ${mc.maxText}`);
  if (main.rows.length === 0)
    throw new Error(`sft: no training sample fits model.maxText ${mc.maxText}; use a smaller trace (e.g. --task-option verbosity=1) or a larger model`);
  const perception = config.prePerceptionSteps > 0 ? trainRows(task, train, mc, options, 'perception').rows : [];
  const evalSamples = audited.evaluation;
  log(`sft: ${main.rows.length} training samples, ${evalSamples.length} held-out ${config.evalSplit} samples, ${task.name}, model ${config.model}`);
  log(`sft: ${overlapLine(audited.overlap, audited.skipped)}`);
  return {
    main: main.rows,
    perception,
    dropped: main.dropped,
    evalSamples,
    // Auto: a little past the longest target — a model that has learned the format stops well before.
    evalMaxTokens: config.evalMaxTokens || Math.min(main.longestTarget + 8, mc.maxText),
  };
}
