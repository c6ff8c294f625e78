/**
 * The one prompt format of the model (docs/architecture.md §4):
 *
 *   [image patches] BOS  query…  EOS  assistant-prefix…  response…
 *
 * BOS opens the user turn, EOS closes it (EOS doubles as the turn separator, so the tokenizer needs no extra
 * token), and everything after that EOS is the assistant turn. A forced assistant prefix (counterfactual
 * evaluation puts `<caption>p*</caption>` there) is part of the prompt, i.e. context, never sampled or
 * trained on. Perception/reasoning spans are found by scanning the whole assistant turn (prefix + response),
 * so a response whose caption was forced is all reasoning.
 *
 * The format has no system turn: a system prompt (an OpenAI `system` message) goes at the start of the user
 * turn, followed by a blank line and the query (userText below), the way chat templates without a system
 * role (Gemma's, Mistral's) fold it in.
 */
import type { Span } from './records.ts';
import { BOS, encode, EOS, TAG_IDS } from './tokenizer.ts';

/** The user turn's text: the system prompts, then a blank line, then the query. */
export function userText(query: string, system: readonly string[] = []): string {
  return [...system, query].join('\n\n');
}

/** BOS + query + EOS, then the forced assistant prefix (may be empty). */
export function promptTokens(query: string, assistantPrefix = ''): Int32Array {
  const q = encode(query);
  const p = encode(assistantPrefix);
  const out = new Int32Array(q.length + p.length + 2);
  out[0] = BOS;
  out.set(q, 1);
  out[q.length + 1] = EOS;
  out.set(p, q.length + 2);
  return out;
}

/** The forced assistant prefix inside a prompt: the tokens after its first EOS (the turn separator). */
export function assistantPrefix(prompt: Int32Array): Int32Array {
  const sep = prompt.indexOf(EOS);
  if (sep < 0) throw new Error(`prompt has no EOS turn separator (length ${prompt.length}); build it with promptTokens()`);
  return prompt.subarray(sep + 1);
}

export interface ResponseSpans {
  readonly perception: Span; // response token indices strictly inside <caption>…</caption>
  readonly reasoning: Span; // response token indices after </caption>, to the end (EOS included)
}

/**
 * Perception/reasoning spans of `response` (indices into response) given the prompt it follows (docs/architecture.md §5).
 * The first <caption> of the assistant turn counts. An unclosed caption makes perception run to the end and
 * reasoning empty; no caption at all makes both empty (the tokens still count as response tokens).
 */
export function responseSpans(prompt: Int32Array, response: Int32Array): ResponseSpans {
  const prefix = assistantPrefix(prompt);
  const turn = new Int32Array(prefix.length + response.length);
  turn.set(prefix, 0);
  turn.set(response, prefix.length);
  const open = turn.indexOf(TAG_IDS.captionOpen);
  const close = open < 0 ? -1 : turn.indexOf(TAG_IDS.captionClose, open + 1);
  const n = turn.length;
  const perception: [number, number] = open < 0 ? [n, n] : [open + 1, close < 0 ? n : close];
  const reasoning: [number, number] = close < 0 ? [n, n] : [close + 1, n];
  const clip = ([a, b]: [number, number]): Span => {
    const lo = Math.min(Math.max(a - prefix.length, 0), response.length);
    const hi = Math.min(Math.max(b - prefix.length, 0), response.length);
    return [lo, Math.max(lo, hi)];
  };
  return { perception: clip(perception), reasoning: clip(reasoning) };
}
