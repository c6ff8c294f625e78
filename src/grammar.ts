/**
 * The response grammar shared by all tasks (docs/architecture.md §3):
 *   <caption>PERCEPTION</caption>REASONING<answer>ANSWER</answer>
 * The parser is total: every string yields parts or a typed failure, never a throw.
 */
import type { ParseFailure } from './records.ts';

export const CAPTION_OPEN = '<caption>';
export const CAPTION_CLOSE = '</caption>';
export const ANSWER_OPEN = '<answer>';
export const ANSWER_CLOSE = '</answer>';

export interface ResponseParts {
  readonly perception: string;
  readonly reasoning: string;
  readonly answer: string;
}

export type ParsedResponse = ({ readonly ok: true } & ResponseParts) | { readonly ok: false; readonly failure: ParseFailure; readonly perception?: string };

/** Splits a response into perception, reasoning and answer; the first caption and the last answer count. */
export function parseResponse(text: unknown): ParsedResponse {
  if (typeof text !== 'string' || text.length === 0) return { ok: false, failure: 'empty' };
  const capOpen = text.indexOf(CAPTION_OPEN);
  if (capOpen < 0) return { ok: false, failure: 'no-caption' };
  const capStart = capOpen + CAPTION_OPEN.length;
  const capClose = text.indexOf(CAPTION_CLOSE, capStart);
  if (capClose < 0) return { ok: false, failure: 'unclosed-caption' };
  const perception = text.slice(capStart, capClose).trim();
  const afterCaption = capClose + CAPTION_CLOSE.length;
  const ansOpen = text.lastIndexOf(ANSWER_OPEN);
  if (ansOpen < 0) return { ok: false, failure: 'no-answer', perception };
  if (ansOpen < afterCaption) return { ok: false, failure: 'order', perception };
  const ansStart = ansOpen + ANSWER_OPEN.length;
  const ansClose = text.indexOf(ANSWER_CLOSE, ansStart);
  if (ansClose < 0) return { ok: false, failure: 'unclosed-answer', perception };
  return {
    ok: true,
    perception,
    reasoning: text.slice(afterCaption, ansOpen),
    answer: text.slice(ansStart, ansClose).trim(),
  };
}
