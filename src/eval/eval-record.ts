/**
 * One evaluated completion (docs/architecture.md §6) and how it is scored: end-to-end completions get a, a_p and ã_r;
 * counterfactual continuations get the oracle caption re-attached and a_r = Acc(r' | p*). A completion whose
 * request failed carries `failed` and no scores: it is counted, not scored as the model's mistake.
 */
import type { ParseFailure, Puzzle } from '../records.ts';
import type { Completion } from '../policy/policy.ts';
import type { Task } from '../tasks/task.ts';
import { oracleCaptionPrefix, scoreCounterfactual, scoreResponse } from './score.ts';

export type EvalMode = 'e2e' | 'counterfactual';
export type EvalModes = EvalMode | 'both';
export const EVAL_MODES: readonly EvalModes[] = ['e2e', 'counterfactual', 'both'];

export function modesOf(modes: EvalModes): readonly EvalMode[] {
  return modes === 'both' ? ['e2e', 'counterfactual'] : [modes];
}

export interface EvalRecord {
  readonly sampleId: string;
  readonly mode: EvalMode;
  readonly completion: number; // index among the sample's n completions
  readonly text: string; // what was scored: the full response (counterfactual: oracle caption + continuation)
  readonly a?: number; // e2e: Acc(r | p*)
  readonly ap?: number; // e2e: 1(p = p*)
  readonly arCond?: number; // e2e: Acc(r | p)
  readonly ar?: number; // counterfactual: Acc(r' | p*)
  readonly parseFailure?: ParseFailure;
  readonly failed?: string; // the request failed after retries: why
  readonly tokens?: number; // generated tokens, where the policy reports them
}

/** The assistant prefix that `mode` forces for `puzzle` (undefined for end-to-end). */
export function prefixForMode(mode: EvalMode, puzzle: Puzzle): string | undefined {
  return mode === 'counterfactual' ? oracleCaptionPrefix(puzzle) : undefined;
}

export function scoreCompletion(task: Task, puzzle: Puzzle, mode: EvalMode, completion: Completion, index: number): EvalRecord {
  const base = { sampleId: puzzle.id, mode, completion: index, ...(completion.tokens ? { tokens: completion.tokens.length } : {}) };
  if (completion.failed !== undefined) {
    const prefix = prefixForMode(mode, puzzle) ?? '';
    return { ...base, text: prefix + completion.text, failed: completion.failed };
  }
  if (mode === 'counterfactual') {
    const { ar, text, parseFailure } = scoreCounterfactual(task, puzzle, completion.text);
    return { ...base, text, ar, ...(parseFailure ? { parseFailure } : {}) };
  }
  const { a, ap, arCond, parseFailure } = scoreResponse(task, puzzle, completion.text);
  return { ...base, text: completion.text, a, ap, arCond, ...(parseFailure ? { parseFailure } : {}) };
}
