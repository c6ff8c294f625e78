/**
 * Disentangled scoring of one response (docs/architecture.md §6), shared by SFT's periodic evaluation, `asymflow eval`,
 * RL rewards and the correlation diagnostic, so the metrics are computed one way everywhere.
 *   a     = Acc(r | p*)   end-to-end: the answer checked against the oracle perception
 *   ap    = 1(p = p*)     perception: the caption equals the oracle perception after normalisation
 *   arCond= Acc(r | p)    conditional reasoning: the answer checked against the model's own caption
 * Counterfactual a_r is `a` of a response whose caption was forced to p* (see `scoreCounterfactual`).
 */
import { CAPTION_CLOSE, CAPTION_OPEN, parseResponse } from '../grammar.ts';
import type { ParseFailure, Puzzle } from '../records.ts';
import type { Task } from '../tasks/task.ts';

export interface ResponseScore {
  readonly a: number;
  readonly ap: number;
  readonly arCond: number;
  readonly parseFailure?: ParseFailure;
}

/** Scores a full response; malformed output scores 0 everywhere it cannot be judged, with the failure named. */
export function scoreResponse(task: Task, puzzle: Puzzle, text: string): ResponseScore {
  const parsed = parseResponse(text);
  if (!parsed.ok) {
    // A caption may still be judged when only the answer is missing or broken.
    const ap = parsed.perception !== undefined && task.samePerception(parsed.perception, puzzle.pStar) ? 1 : 0;
    return { a: 0, ap, arCond: 0, parseFailure: parsed.failure };
  }
  const a = task.verify(parsed.answer, puzzle.pStar, puzzle).correct ? 1 : 0;
  const ap = task.samePerception(parsed.perception, puzzle.pStar) ? 1 : 0;
  const arCond = task.verify(parsed.answer, parsed.perception, puzzle).correct ? 1 : 0;
  return { a, ap, arCond };
}

/** The assistant prefix that counterfactual evaluation forces: the oracle caption. */
export function oracleCaptionPrefix(puzzle: Puzzle): string {
  return `${CAPTION_OPEN}${puzzle.pStar}${CAPTION_CLOSE}`;
}

/**
 * Scores a counterfactual continuation: `continuation` is what the policy wrote after the forced oracle
 * caption (OpenAI-compatible servers return it without the prefix); the prefix is re-attached before parsing.
 * Returns a_r = Acc(r' | p*) and the full text that was scored.
 */
export function scoreCounterfactual(
  task: Task,
  puzzle: Puzzle,
  continuation: string,
): { readonly ar: number; readonly text: string; readonly parseFailure?: ParseFailure } {
  const prefix = oracleCaptionPrefix(puzzle);
  const text = continuation.startsWith(prefix) ? continuation : prefix + continuation;
  const score = scoreResponse(task, puzzle, text);
  return score.parseFailure ? { ar: 0, text, parseFailure: score.parseFailure } : { ar: score.a, text };
}
