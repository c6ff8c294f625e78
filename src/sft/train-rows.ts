/**
 * SFT training rows: a sample's model input, prompt tokens and target tokens. The target is the sample's own
 * response when the dataset carries one, else the task's solver trace; the perception pre-stage trains on
 * the caption alone (`<caption>p*</caption>`). Rows that do not fit the model's text positions are dropped
 * and counted — a run says how many, it never trains on a silently truncated target.
 */
import { CAPTION_CLOSE, CAPTION_OPEN } from '../grammar.ts';
import type { ModelConfig } from '../model/config.ts';
import type { ScoreRow } from '../model/logprobs.ts';
import { promptTokens } from '../model/prompt.ts';
import type { Sample } from '../records.ts';
import type { Task, TaskOptions } from '../tasks/task.ts';
import { encode } from '../tokenizer.ts';

export type SftTarget = 'full' | 'perception';

export interface TrainRow extends ScoreRow {
  readonly id: string; // the sample id, for messages
}

export interface TrainRows {
  readonly rows: readonly TrainRow[];
  readonly dropped: number; // samples whose prompt + target exceed model.maxText
  readonly longestTarget: number; // tokens of the longest kept target
}

/** The target text of `sample` (see the file comment). */
export function targetText(task: Task, sample: Sample, options: TaskOptions, target: SftTarget): string {
  if (target === 'perception') return `${CAPTION_OPEN}${sample.puzzle.pStar}${CAPTION_CLOSE}`;
  return sample.response ?? task.response(sample.puzzle, options);
}

/** Rows for `samples`; throws naming the sample when its pixels do not match the model input. */
export function trainRows(task: Task, samples: readonly Sample[], model: ModelConfig, options: TaskOptions, target: SftTarget): TrainRows {
  const rows: TrainRow[] = [];
  let dropped = 0;
  let longestTarget = 0;
  const size = model.inputSize;
  for (const sample of samples) {
    if (!(sample.pixels instanceof Float32Array) || sample.pixels.length !== size * size) {
      throw new Error(
        `sft: sample ${sample.puzzle.id} has ${sample.width}×${sample.height} model-input pixels; the model takes ${size}×${size}`,
      );
    }
    const prompt = promptTokens(sample.query);
    const response = encode(targetText(task, sample, options, target));
    if (prompt.length + response.length > model.maxText) {
      dropped++;
      continue;
    }
    longestTarget = Math.max(longestTarget, response.length);
    rows.push({ id: sample.puzzle.id, pixels: sample.pixels, prompt, response });
  }
  return { rows, dropped, longestTarget };
}
