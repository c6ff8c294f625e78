/**
 * The perception token share of SFT targets, measured on the real targets: the first n `train_sft` puzzles
 * of the task options, each response tokenized as SFT trains it and split by the loss's own spans
 * (src/prompt.ts responseSpans: perception strictly inside <caption>…</caption>). bench/perception-share.ts
 * prints it for every preset; the paper preset's dose–response parts record it beside their results.
 */
import { puzzleAt } from '../data/split-sample.ts';
import { promptTokens, responseSpans } from '../prompt.ts';
import type { Task, TaskOptions } from '../tasks/task.ts';
import { encode } from '../tokenizer.ts';

export interface PerceptionShare {
  readonly share: number; // perception tokens / response tokens over all n targets (pooled)
  readonly meanRatio: number; // the mean of the per-target ratios
  readonly meanTokens: number;
  readonly over: number; // share of targets whose prompt + response exceed maxText (SFT drops them)
  readonly n: number;
}

export function perceptionShare(task: Task, options: TaskOptions, maxText: number, n: number, seed: number): PerceptionShare {
  let perception = 0;
  let tokens = 0;
  let ratios = 0;
  let over = 0;
  for (let i = 0; i < n; i++) {
    const puzzle = puzzleAt(task, { split: 'train_sft', seed, options }, i);
    const prompt = promptTokens(task.query(puzzle));
    const response = encode(task.response(puzzle, options));
    const spans = responseSpans(prompt, response);
    const p = spans.perception[1] - spans.perception[0];
    perception += p;
    tokens += response.length;
    ratios += p / response.length;
    if (prompt.length + response.length > maxText) over++;
  }
  return { share: perception / tokens, meanRatio: ratios / n, meanTokens: tokens / n, over: over / n, n };
}
