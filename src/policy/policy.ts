/**
 * A policy answers image+query prompts (docs/architecture.md §6): our own checkpoints (TfjsPolicy) and any
 * OpenAI-compatible chat endpoint (OpenAIPolicy) implement the same interface, so evaluation, RL teacher
 * rewards and the diagnostic never care which one they drive.
 */
import type { FinishReason, TokenLogprob } from '../model/sample-rows.ts';
import type { Sample } from '../records.ts';

export interface GenerateOptions {
  // Forced start of the assistant turn (counterfactual: `<caption>p*</caption>`): one for every sample, or
  // one per sample in input order (counterfactual prefixes differ per puzzle; read it with `prefixFor`).
  readonly prefix?: string | readonly string[];
  readonly temperature: number; // 0 = greedy
  readonly topP: number;
  readonly maxTokens: number;
  readonly n: number; // completions per sample
  readonly seed: number;
  readonly withImage?: boolean; // false withholds the image (self-reward re-solving); default true
}

export interface Completion {
  /** The generated text WITHOUT the forced prefix (as OpenAI-compatible servers return it). */
  readonly text: string;
  readonly tokens?: Int32Array;
  readonly logprobs?: Float32Array; // per generated token, where the policy has them
  readonly failed?: string; // set when the request failed after retries: the reason; text is ''
  readonly finish?: FinishReason; // why sampling stopped, where the policy knows
  readonly stopString?: string; // the stop string that ended it (finish 'stop'); the text stops before it
  readonly top?: readonly (readonly TokenLogprob[])[]; // per generated token, the most likely ones, when asked for
}

export interface Policy {
  readonly name: string;
  /** One array of `options.n` completions per sample, in input order; never drops a sample. */
  generate(samples: readonly Sample[], options: GenerateOptions): Promise<Completion[][]>;
  close?(): Promise<void>;
}

/** The forced prefix of sample `index` under `options` (undefined: none). */
export function prefixFor(options: GenerateOptions, index: number): string | undefined {
  const prefix = options.prefix;
  if (prefix === undefined || typeof prefix === 'string') return prefix;
  if (index >= prefix.length) throw new RangeError(`GenerateOptions.prefix has ${prefix.length} entries; sample ${index} has none`);
  return prefix[index];
}

export const PAPER_SAMPLING: Omit<GenerateOptions, 'seed'> = { temperature: 0.7, topP: 1.0, maxTokens: 10_000, n: 1 };
