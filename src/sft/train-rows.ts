/**
 * SFT training rows: a sample's model input, prompt tokens and target tokens. The target is the sample's own
 * response when the dataset carries one, else the task's solver trace; the perception pre-stage trains on
 * the caption alone (`<caption>p*</caption>`). Rows that do not fit the model's text positions are dropped
 * and counted — a run says how many, it never trains on a silently truncated target.
 *
 * Image dropout (`sft --image-dropout P`): a seeded share P of the rows, fixed per sample id, is trained on the
 * no-image input the self-reward's second hop sees (src/model/no-image.ts: blank pixels, the caption forced as
 * the assistant prefix) with the rest of the target — reasoning and answer — as the response, so re-solving
 * from a caption without the image is a path the model was taught.
 */
import { CAPTION_CLOSE, CAPTION_OPEN } from '../grammar.ts';
import type { ModelConfig } from '../model/config.ts';
import type { ScoreRow } from '../model/logprobs.ts';
import { captionPrefix, noImageInput } from '../model/no-image.ts';
import { promptTokens } from '../prompt.ts';
import { Rng } from '../rng.ts';
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
  readonly withoutImage: number; // kept rows trained on the no-image input
}

export interface ImageDropout {
  readonly share: number; // in [0, 1]
  readonly seed: number;
}

/** Whether sample `id` is one of the share trained without its image: a coin of its own, seeded by (seed, id). */
export function dropsImage(dropout: ImageDropout | undefined, id: string): boolean {
  if (!dropout || dropout.share <= 0) return false;
  return new Rng(dropout.seed).split('image-dropout').split(id).next() < dropout.share;
}

/** The target text of `sample` (see the file comment). */
export function targetText(task: Task, sample: Sample, options: TaskOptions, target: SftTarget): string {
  if (target === 'perception') return `${CAPTION_OPEN}${sample.puzzle.pStar}${CAPTION_CLOSE}`;
  return sample.response ?? task.response(sample.puzzle, options);
}

/** Rows for `samples`; throws naming the sample when its pixels do not match the model input. */
export function trainRows(
  task: Task,
  samples: readonly Sample[],
  model: ModelConfig,
  options: TaskOptions,
  target: SftTarget,
  dropout?: ImageDropout,
): TrainRows {
  const rows: TrainRow[] = [];
  let dropped = 0;
  let longestTarget = 0;
  let withoutImage = 0;
  const size = model.inputSize;
  for (const sample of samples) {
    if (!(sample.pixels instanceof Float32Array) || sample.pixels.length !== size * size) {
      throw new Error(`sft: sample ${sample.puzzle.id} has ${sample.width}×${sample.height} model-input pixels; the model takes ${size}×${size}`);
    }
    const text = targetText(task, sample, options, target);
    const blank = target === 'full' && dropsImage(dropout, sample.puzzle.id);
    const given = captionPrefix(sample.puzzle.pStar);
    if (blank && !text.startsWith(given)) throw new Error(`sft --image-dropout: the target of ${sample.puzzle.id} does not start with its caption ${given}`);
    const input = blank ? noImageInput(sample.query, sample.puzzle.pStar, size) : { pixels: sample.pixels, prompt: promptTokens(sample.query) };
    const response = encode(blank ? text.slice(given.length) : text);
    if (input.prompt.length + response.length > model.maxText) {
      dropped++;
      continue;
    }
    longestTarget = Math.max(longestTarget, response.length);
    if (blank) withoutImage++;
    rows.push({ id: sample.puzzle.id, ...input, response });
  }
  return { rows, dropped, longestTarget, withoutImage };
}
