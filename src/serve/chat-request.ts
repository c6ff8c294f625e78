/**
 * A `POST /v1/chat/completions` body (validated by chat-schema.ts) as a job for our single-turn VLM:
 * optional system messages (folded into the user turn, prompt.ts userText), one user message with exactly one
 * image (a base64 data URL) and text, optionally a final assistant message that is continued when
 * `continue_final_message` is true (vLLM's semantics: the returned content excludes that prefix).
 *
 * As vLLM's server: `max_tokens` defaults to what is left of the window after the prompt; a prompt that does
 * not fit, or a `max_tokens` past the window, is a 400 (context length exceeded), never clamped. Token counts
 * include the image's positions. Every problem is a 4xx ApiError naming the offending parameter.
 */
import type { z } from 'zod';
import { promptTokens, userText } from '../prompt.ts';
import { ApiError, badRequest } from './api-error.ts';
import { chatSchema, type ChatBody, type ChatMessage } from './chat-schema.ts';
import { dataUrlBytes } from './decode-image.ts';

export interface ChatJob {
  readonly model: string;
  readonly query: string; // the user turn's text, system prompts included
  readonly image: Uint8Array;
  readonly prefix?: string; // the continued assistant message
  readonly temperature: number;
  readonly topP: number;
  readonly maxTokens: number;
  readonly n: number;
  readonly seed: number;
  readonly stop: readonly string[];
  readonly stream: boolean;
  readonly includeUsage: boolean; // stream_options.include_usage: a last chunk with the usage
  readonly logprobs: boolean;
  readonly topLogprobs: number;
  readonly promptTokens: number; // image positions + text prompt tokens
}

export interface ServedLimits {
  readonly model: string; // the one model id served
  readonly maxTokens: number; // text positions of the model: prompt + completion must fit
  readonly imageTokens: number; // positions the image takes (part of the context, and of prompt_tokens)
  readonly maxN: number;
}

/** `messages[0].content[1]` from a zod issue path. */
function paramOf(path: readonly PropertyKey[]): string | null {
  if (path.length === 0) return null;
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`)).join('');
}

/** The 400 for the first schema issue; parameters we do not implement first of all, named. */
function schemaError(issues: readonly z.core.$ZodIssue[]): ApiError {
  const unknown = issues.find((i) => i.code === 'unrecognized_keys');
  if (unknown && unknown.code === 'unrecognized_keys') {
    const where = paramOf(unknown.path);
    const names = unknown.keys.map((k) => (where ? `${where}.${k}` : k));
    return badRequest(`unsupported parameter${names.length > 1 ? 's' : ''} for asymflow serve: ${names.join(', ')}`, names[0]!, 'unsupported_parameter');
  }
  const issue = issues[0]!;
  const param = paramOf(issue.path);
  const code = issue.code === 'invalid_type' || issue.code === 'invalid_union' ? 'invalid_type' : 'invalid_value';
  const message = param && !issue.message.startsWith(param) ? `${param}: ${issue.message}` : issue.message;
  return badRequest(message, param, code);
}

const textOf = (content: ChatMessage['content']): string => (typeof content === 'string' ? content : content.map((p) => ('text' in p ? p.text : '')).join(''));

/** Query text and the one image of the user message. */
function userTurn(content: ChatMessage['content'], param: string): { query: string; image: Uint8Array } {
  if (typeof content === 'string') throw badRequest(`no image: ${param} must contain an image_url part`, param, 'missing_image');
  const texts: string[] = [];
  const images: Uint8Array[] = [];
  content.forEach((part, i) => {
    if (part.type === 'text') texts.push(part.text);
    else images.push(dataUrlBytes(typeof part.image_url === 'string' ? part.image_url : part.image_url.url, `${param}[${i}].image_url.url`));
  });
  if (images.length === 0) throw badRequest(`no image: ${param} must contain an image_url part`, param, 'missing_image');
  if (images.length > 1) throw badRequest(`${param} has ${images.length} images; this model takes exactly one`, param, 'too_many_images');
  return { query: texts.join('\n'), image: images[0]! };
}

/** system* user [assistant], the assistant only when it is continued. */
function turns(messages: readonly ChatMessage[], continueFinal: boolean): { system: string[]; user: number; assistant?: number } {
  const roles = messages.map((m) => m.role);
  const firstOther = roles.findIndex((r) => r !== 'system');
  const rest = firstOther < 0 ? [] : roles.slice(firstOther);
  const single = rest.length === 1 && rest[0] === 'user';
  const continued = rest.length === 2 && rest[0] === 'user' && rest[1] === 'assistant';
  if (continueFinal && !continued) {
    throw badRequest('continue_final_message needs messages [system…, user, assistant]: the final assistant message is continued', 'messages', 'invalid_value');
  }
  if (!continueFinal && !single) {
    throw badRequest(
      `this model takes system messages, then one user message (got roles ${roles.join(', ')}); to continue an assistant message set continue_final_message`,
      'messages',
      'invalid_value',
    );
  }
  const system = messages.slice(0, firstOther).map((m) => textOf(m.content));
  return { system, user: firstOther, ...(continued ? { assistant: firstOther + 1 } : {}) };
}

function contextError(limits: ServedLimits, promptTokens: number, maxTokens?: number): ApiError {
  const window = limits.imageTokens + limits.maxTokens;
  if (maxTokens === undefined) {
    return badRequest(
      `This model's maximum context length is ${window} tokens. However, your request has ${promptTokens} input tokens. Please reduce the length of the input messages.`,
      'messages',
      'context_length_exceeded',
    );
  }
  return badRequest(
    `This model's maximum context length is ${window} tokens. However, you requested ${promptTokens + maxTokens} tokens (${promptTokens} in the messages, ${maxTokens} in the completion). Please reduce the length of the messages or completion.`,
    'max_tokens',
    'context_length_exceeded',
  );
}

export function parseChatRequest(raw: unknown, limits: ServedLimits, randomSeed: () => number): ChatJob {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw badRequest('request body must be a JSON object', null, 'invalid_type');
  const parsed = chatSchema(limits.maxN).safeParse(raw);
  if (!parsed.success) throw schemaError(parsed.error.issues);
  const body: ChatBody = parsed.data;
  if (body.model != null && body.model !== limits.model) {
    throw new ApiError(404, `The model \`${body.model}\` does not exist. This server serves \`${limits.model}\`.`, 'model', 'model_not_found');
  }
  const continueFinal = body.continue_final_message ?? false;
  if (continueFinal && (body.add_generation_prompt ?? true)) {
    throw badRequest('continue_final_message and add_generation_prompt cannot both be true', 'continue_final_message', 'invalid_value');
  }
  if (body.top_logprobs != null && body.top_logprobs > 0 && !body.logprobs)
    throw badRequest('top_logprobs needs logprobs: true', 'top_logprobs', 'invalid_value');
  if (body.stream_options != null && !body.stream) throw badRequest('stream_options is only allowed with stream: true', 'stream_options', 'invalid_value');

  const { system, user, assistant } = turns(body.messages, continueFinal);
  const { query: text, image } = userTurn(body.messages[user]!.content, `messages[${user}].content`);
  const query = userText(text, system);
  const prefix = assistant !== undefined ? textOf(body.messages[assistant]!.content) : undefined;
  const textTokens = promptTokens(query, prefix ?? '').length;
  const prompt = limits.imageTokens + textTokens;
  if (textTokens >= limits.maxTokens) throw contextError(limits, prompt);
  const requested = body.max_tokens ?? body.max_completion_tokens ?? undefined;
  if (requested !== undefined && textTokens + requested > limits.maxTokens) throw contextError(limits, prompt, requested);
  return {
    model: limits.model,
    query,
    image,
    ...(prefix !== undefined ? { prefix } : {}),
    temperature: body.temperature ?? 1,
    topP: body.top_p ?? 1,
    maxTokens: requested ?? limits.maxTokens - textTokens,
    n: body.n ?? 1,
    seed: body.seed ?? randomSeed(),
    stop: body.stop == null ? [] : typeof body.stop === 'string' ? [body.stop] : body.stop,
    stream: body.stream ?? false,
    includeUsage: body.stream_options?.include_usage ?? false,
    logprobs: body.logprobs ?? false,
    topLogprobs: body.top_logprobs ?? 0,
    promptTokens: prompt,
  };
}
