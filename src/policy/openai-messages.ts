/**
 * The OpenAI chat-completions wire format for one sample (docs/architecture.md §6): the image as a base64 PNG data URL
 * part and the query as a text part of the user message; a counterfactual prefix as a final assistant
 * message with vLLM's `continue_final_message: true` / `add_generation_prompt: false`, so the server
 * continues that message and returns only the continuation.
 */
import type { Sample } from '../records.ts';
import { BadResponseError } from './http-retry.ts';
import type { GenerateOptions } from './policy.ts';

export type ContentPart = { readonly type: 'text'; readonly text: string } | { readonly type: 'image_url'; readonly image_url: { readonly url: string } };

export interface ChatMessage {
  readonly role: 'system' | 'user' | 'assistant';
  readonly content: string | readonly ContentPart[];
}

export interface ChatRequestBody {
  readonly model: string;
  readonly messages: readonly ChatMessage[];
  readonly temperature: number;
  readonly top_p: number;
  readonly max_tokens: number;
  readonly n: number;
  readonly seed: number;
  readonly continue_final_message?: boolean;
  readonly add_generation_prompt?: boolean;
}

export function pngDataUrl(png: Uint8Array): string {
  return `data:image/png;base64,${Buffer.from(png.buffer, png.byteOffset, png.byteLength).toString('base64')}`;
}

/**
 * The request body for `sample` with assistant prefix `prefix` (undefined: none) and image `png`
 * (undefined: withheld, as `options.withImage === false` asks).
 */
export function chatRequestBody(
  sample: Sample,
  options: GenerateOptions,
  prefix: string | undefined,
  png: Uint8Array | undefined,
  model: string,
  seed: number,
): ChatRequestBody {
  const content: ContentPart[] = [];
  if (png) content.push({ type: 'image_url', image_url: { url: pngDataUrl(png) } });
  content.push({ type: 'text', text: sample.query });
  const messages: ChatMessage[] = [{ role: 'user', content }];
  const base = {
    model,
    messages,
    temperature: options.temperature,
    top_p: options.topP,
    max_tokens: options.maxTokens,
    n: options.n,
    seed,
  };
  if (prefix === undefined) return base;
  messages.push({ role: 'assistant', content: prefix });
  return { ...base, continue_final_message: true, add_generation_prompt: false };
}

/**
 * The `n` completion texts of a chat-completions response, by choice index. A body without usable
 * choices is a BadResponseError (retried); missing choices come back as undefined.
 */
export function choiceTexts(json: unknown, n: number): (string | undefined)[] {
  const choices = (json as { choices?: unknown } | null)?.choices;
  if (!Array.isArray(choices) || choices.length === 0) throw new BadResponseError('no choices in response');
  const texts: (string | undefined)[] = new Array(n).fill(undefined);
  choices.forEach((choice: unknown, position: number) => {
    const c = choice as { index?: unknown; message?: { content?: unknown } } | null;
    const index = typeof c?.index === 'number' ? c.index : position;
    const content = c?.message?.content;
    if (content !== null && content !== undefined && typeof content !== 'string') {
      throw new BadResponseError(`choice ${index} has non-string content`);
    }
    if (Number.isInteger(index) && index >= 0 && index < n) texts[index] = content ?? '';
  });
  return texts;
}

/** The model ids of a GET /v1/models body. */
export function modelIds(json: unknown): string[] {
  const data = (json as { data?: unknown } | null)?.data;
  if (!Array.isArray(data)) throw new BadResponseError('no data array in /v1/models response');
  return data.map((m: { id?: unknown }) => m?.id).filter((id): id is string => typeof id === 'string');
}

/**
 * The model-input image side (px) that a GET /v1/models body reports for model `id` as `input_size`:
 * `asymflow serve` lists it, so pixels can be rendered at the size the model takes; other servers do not
 * (undefined).
 */
export function modelInputSize(json: unknown, id: string): number | undefined {
  const data = (json as { data?: unknown } | null)?.data;
  if (!Array.isArray(data)) throw new BadResponseError('no data array in /v1/models response');
  const size = (data.find((m: { id?: unknown } | null) => m?.id === id) as { input_size?: unknown } | undefined)?.input_size;
  if (size === undefined) return undefined;
  if (typeof size !== 'number' || !Number.isInteger(size) || size < 1) {
    throw new BadResponseError(`/v1/models gives model ${id} input_size ${JSON.stringify(size)}; expected a positive integer`);
  }
  return size;
}
