/**
 * A surrogate perception reward (docs/architecture.md §5): scores the caption of each rollout without the oracle p*,
 * standing in for a_p in R = α·reward + (1−α)·a. Implementations: self-reward.ts, teacher-reward.ts,
 * embed-reward.ts; a new one is any object with this shape (examples/custom-reward.ts).
 */
import { parseResponse } from '../../grammar.ts';
import type { Sample } from '../../records.ts';

export interface RewardInput {
  readonly sample: Sample; // puzzle, query and model-input pixels
  readonly text: string; // the full response
  readonly caption?: string; // its perception, when a caption could be parsed
}

export interface SurrogateReward {
  readonly name: string; // recorded as Scored.rewards[name] and reward/<name>/mean
  /** One value per input, in order. `step` seeds any sampling the reward does. */
  score(inputs: readonly RewardInput[], step: number): Promise<number[]>;
  close?(): Promise<void>;
}

/** The caption of a response: parsed when the response is well formed, or when only its answer is broken. */
export function captionOf(text: string): string | undefined {
  const parsed = parseResponse(text);
  return parsed.ok ? parsed.perception : parsed.perception;
}

export function rewardInputs(samples: readonly Sample[], texts: readonly string[]): RewardInput[] {
  return texts.map((text, i) => ({ sample: samples[i], text, caption: captionOf(text) }));
}
