/**
 * Defaults that fit each other: the tasks' default trace verbosity writes targets longer than the tiny
 * model's text window (GC at verbosity 2 is ~656 tokens, Sudoku's ~483 after a ~173-token query; tiny has
 * 512 positions), so `sft --task gc` with nothing else would drop every sample. When the user set no
 * verbosity, the SFT verbs probe the first train_sft puzzles and lower the verbosity until the targets fit,
 * saying so in one line; a verbosity the user gave is kept as given (the run then drops what does not fit).
 */
import { modelConfig, type ModelSize } from '../model/config.ts';
import { promptTokens } from '../prompt.ts';
import { puzzleAt } from '../data/split-sample.ts';
import type { Task, TaskOptions } from '../tasks/task.ts';
import { encode } from '../tokenizer.ts';

/** Puzzles probed, and the share of them that must fit (the rest are dropped, with a message, by the run). */
export const FIT_PROBE = 32;
export const FIT_SHARE = 0.9;

export interface TraceFit {
  readonly taskOptions: TaskOptions;
  /** The one line saying what was picked, or undefined when the options were kept as they were. */
  readonly note?: string;
}

/** How many of the first FIT_PROBE train_sft puzzles have prompt + target within `maxText` at `options`. */
export function fittingCount(task: Task, options: TaskOptions, maxText: number, seed: number): number {
  let fit = 0;
  for (let i = 0; i < FIT_PROBE; i++) {
    const puzzle = puzzleAt(task, { split: 'train_sft', seed, options }, i);
    if (promptTokens(task.query(puzzle)).length + encode(task.response(puzzle, options)).length <= maxText) fit++;
  }
  return fit;
}

/**
 * The task options with a verbosity whose traces fit the model, when the task has a verbosity knob the user
 * left unset; otherwise the options unchanged.
 */
export function fitTraceVerbosity(
  task: Task,
  taskOptions: TaskOptions,
  model: { size: string; options?: Readonly<Record<string, unknown>> },
  seed: number,
): TraceFit {
  const defaults = task.defaults as Record<string, unknown>;
  if (typeof defaults.verbosity !== 'number' || taskOptions.verbosity !== undefined) return { taskOptions };
  const { maxText } = modelConfig(model.size as ModelSize, model.options ?? {});
  const needed = Math.ceil(FIT_SHARE * FIT_PROBE);
  const start = defaults.verbosity;
  const atStart = fittingCount(task, taskOptions, maxText, seed);
  if (atStart >= needed) return { taskOptions };
  for (let verbosity = start - 1; verbosity >= 0; verbosity--) {
    const fit = fittingCount(task, { ...taskOptions, verbosity }, maxText, seed);
    if (fit >= needed) {
      return {
        taskOptions: { ...taskOptions, verbosity },
        note:
          `${task.name} traces at the default verbosity ${start} fit the ${model.size} model's ${maxText} text positions in ${atStart} of ${FIT_PROBE} ` +
          `samples; using verbosity ${verbosity} (${fit} of ${FIT_PROBE} fit). Choose with --task-option verbosity=N or a larger --model.`,
      };
    }
  }
  return { taskOptions }; // nothing fits: the run says so with its own error
}
