/**
 * What `asymflow serve` needs from a model: sampling for rows that each carry their own pixels, query,
 * forced prefix and seed, under one shared set of sampling parameters (so one call serves a batch of
 * requests). TfjsPolicy implements it; tests use fakes.
 */
import type { Completion } from './policy.ts';

export interface ServeRow {
  readonly pixels: Float32Array; // inputSize × inputSize greyscale in [0,1]
  readonly query: string;
  readonly prefix?: string; // forced assistant prefix; completions exclude it
  readonly seed: number; // this row's sampling seed
}

export interface ServeSampling {
  readonly temperature: number;
  readonly topP: number;
  readonly maxTokens: number;
  readonly n: number;
  readonly stop?: readonly string[]; // stop strings, applied while sampling
  readonly topLogprobs?: number; // alternatives per token to return (0: none)
}

export interface ServedModel {
  readonly name: string;
  readonly inputSize: number; // model-input image side in pixels
  readonly maxTokens: number; // text positions: prompt + response tokens must fit in them
  readonly imageTokens: number; // positions the image takes before the text (counted in prompt_tokens)
  /** `sampling.n` completions per row, in row order. */
  generateRows(rows: readonly ServeRow[], sampling: ServeSampling): Promise<Completion[][]>;
}
