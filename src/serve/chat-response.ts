/**
 * What `asymflow serve` answers for a chat job, in the OpenAI/vLLM wire format: one `chat.completion` body, or
 * the `chat.completion.chunk` events of a stream (a role chunk, one chunk per token with its logprobs, a
 * chunk with the finish reason per choice, then — with stream_options.include_usage — a last chunk with no
 * choices and the usage, every earlier chunk carrying `usage: null`).
 *
 * finish_reason is "length" when the row ran out of max_tokens or of the window, "stop" otherwise;
 * stop_reason (vLLM) is the stop string, the id of the stop token `</answer>`, or null for EOS. The content
 * stops before a stop string; completion_tokens counts the tokens produced (the stop string's included).
 */
import type { Completion } from '../policy/policy.ts';
import { decode, TAG_IDS, tokenCount, VOCAB } from '../tokenizer.ts';
import { ApiError } from './api-error.ts';
import type { ChatJob } from './chat-request.ts';

interface TokenLogprobJson {
  readonly token: string;
  readonly logprob: number;
  readonly bytes: number[];
}
type ContentLogprob = TokenLogprobJson & { readonly top_logprobs: TokenLogprobJson[] };

export interface ChoiceResult {
  readonly index: number;
  readonly content: string;
  readonly pieces: readonly string[]; // content split at token boundaries (what a stream sends)
  readonly logprobs: readonly ContentLogprob[] | null; // one per piece when asked for
  readonly finishReason: 'stop' | 'length';
  readonly stopReason: string | number | null;
  readonly completionTokens: number;
}

const tokenJson = (id: number, logprob: number): TokenLogprobJson => {
  const token = VOCAB[id] ?? '\ufffd';
  return { token, logprob, bytes: [...Buffer.from(token, 'utf8')] };
};

/** The earliest stop string in `text`: where to cut and which one (for models that stop only afterwards). */
function firstStop(text: string, stop: readonly string[]): { at: number; stop: string } | undefined {
  let found: { at: number; stop: string } | undefined;
  for (const s of stop) {
    const at = text.indexOf(s);
    if (at >= 0 && (!found || at < found.at)) found = { at, stop: s };
  }
  return found;
}

export function choiceResult(job: ChatJob, completion: Completion, index: number): ChoiceResult {
  if (completion.failed !== undefined) throw new ApiError(500, `sampling failed: ${completion.failed}`, null, 'sampling_failed');
  const found = firstStop(completion.text, completion.stopString !== undefined ? [completion.stopString] : job.stop);
  const content = found ? completion.text.slice(0, found.at) : completion.text;
  const tokens = completion.tokens;
  const completionTokens = tokens?.length ?? tokenCount(completion.text);
  const finish = completion.finish ?? (found || completionTokens < job.maxTokens ? 'stop' : 'length');
  // Pieces: each token's text, cut where the content ends (the stop string and anything after it go).
  const whole = tokens ? Array.from(tokens, (t) => decode([t])) : [completion.text];
  const pieces: string[] = [];
  let used = 0;
  for (const piece of whole) {
    if (used >= content.length && pieces.length > 0) break;
    pieces.push(piece.slice(0, Math.max(0, content.length - used)));
    used += piece.length;
  }
  const logprobs =
    job.logprobs && tokens && completion.logprobs
      ? pieces.map((_, k) => ({
          ...tokenJson(tokens[k]!, completion.logprobs![k]!),
          top_logprobs: (completion.top?.[k] ?? []).slice(0, job.topLogprobs).map((t) => tokenJson(t.token, t.logprob)),
        }))
      : null;
  return {
    index,
    content,
    pieces,
    logprobs,
    finishReason: finish === 'length' ? 'length' : 'stop',
    stopReason: found?.stop ?? (finish === 'answer' ? TAG_IDS.answerClose : null),
    completionTokens,
  };
}

let completionId = 0;

export interface ChatResult {
  readonly id: string;
  readonly created: number;
  readonly choices: readonly ChoiceResult[];
  readonly usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
}

export function chatResult(job: ChatJob, completions: readonly Completion[]): ChatResult {
  const choices = completions.map((c, i) => choiceResult(job, c, i));
  const completionTokens = choices.reduce((s, c) => s + c.completionTokens, 0);
  return {
    id: `chatcmpl-${++completionId}`,
    created: Math.floor(Date.now() / 1000),
    choices,
    usage: { prompt_tokens: job.promptTokens, completion_tokens: completionTokens, total_tokens: job.promptTokens + completionTokens },
  };
}

export function chatBody(job: ChatJob, result: ChatResult) {
  return {
    id: result.id,
    object: 'chat.completion',
    created: result.created,
    model: job.model,
    choices: result.choices.map((c) => ({
      index: c.index,
      message: { role: 'assistant', content: c.content },
      logprobs: c.logprobs ? { content: c.logprobs } : null,
      finish_reason: c.finishReason,
      stop_reason: c.stopReason,
    })),
    usage: result.usage,
  };
}

/** The `data:` payloads of the stream, in order ([DONE] last). */
export function* chatChunks(job: ChatJob, result: ChatResult): Generator<string> {
  const usage = job.includeUsage ? { usage: null } : {};
  const chunk = (choices: unknown[], extra: object = usage) =>
    JSON.stringify({ id: result.id, object: 'chat.completion.chunk', created: result.created, model: job.model, choices, ...extra });
  for (const c of result.choices) {
    yield chunk([{ index: c.index, delta: { role: 'assistant', content: '' }, logprobs: null, finish_reason: null }]);
    for (const [k, piece] of c.pieces.entries()) {
      const logprobs = c.logprobs ? { content: [c.logprobs[k]] } : null;
      yield chunk([{ index: c.index, delta: { content: piece }, logprobs, finish_reason: null }]);
    }
    yield chunk([{ index: c.index, delta: {}, logprobs: null, finish_reason: c.finishReason, stop_reason: c.stopReason }]);
  }
  if (job.includeUsage) yield chunk([], { usage: result.usage });
  yield '[DONE]';
}
