/**
 * Validation of `POST /v1/chat/completions` bodies for our single-turn VLM: one user message with exactly one
 * image (a base64 data URL) and text, optionally followed by an assistant message that is continued when
 * `continue_final_message` is true (vLLM's semantics: the returned content excludes that prefix). Every
 * problem is a 4xx ApiError naming the offending parameter.
 */
import { ApiError, badRequest } from './api-error.ts';
import { dataUrlBytes } from './decode-image.ts';

export interface ChatJob {
  readonly model: string;
  readonly query: string;
  readonly image: Uint8Array;
  readonly prefix?: string; // the continued assistant message
  readonly temperature: number;
  readonly topP: number;
  readonly maxTokens: number;
  readonly n: number;
  readonly seed: number;
  readonly stop: readonly string[];
}

export interface ServedLimits {
  readonly model: string; // the one model id served
  readonly maxTokens: number; // default for max_tokens, and the cap a larger request is clamped to
  readonly maxN: number;
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function numberParam(body: Json, key: string, fallback: number, lo: number, hi: number, integer = false): number {
  const v = body[key];
  if (v === undefined || v === null) return fallback;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw badRequest(`${key} must be a number, got ${JSON.stringify(v)}`, key, 'invalid_type');
  if (integer && !Number.isInteger(v)) throw badRequest(`${key} must be an integer, got ${v}`, key, 'invalid_type');
  if (v < lo || v > hi) throw badRequest(`${key} must be in [${lo}, ${hi}], got ${v}`, key, 'invalid_value');
  return v;
}

function booleanParam(body: Json, key: string, fallback: boolean): boolean {
  const v = body[key];
  if (v === undefined || v === null) return fallback;
  if (typeof v !== 'boolean') throw badRequest(`${key} must be a boolean, got ${JSON.stringify(v)}`, key, 'invalid_type');
  return v;
}

function stopParam(body: Json): string[] {
  const v = body.stop;
  if (v === undefined || v === null) return [];
  const list = typeof v === 'string' ? [v] : v;
  if (!Array.isArray(list) || list.some((s) => typeof s !== 'string' || s.length === 0) || list.length > 4) {
    throw badRequest('stop must be a non-empty string or an array of at most 4 non-empty strings', 'stop', 'invalid_type');
  }
  return list as string[];
}

/** Text of an assistant message: a string or text parts only. */
function assistantText(content: unknown, param: string): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) throw badRequest(`${param} must be a string or an array of parts`, param, 'invalid_type');
  return content
    .map((part: unknown, i) => {
      if (!isObject(part) || part.type !== 'text' || typeof part.text !== 'string') {
        throw badRequest(`${param}[${i}] must be a text part`, `${param}[${i}]`, 'invalid_type');
      }
      return part.text;
    })
    .join('');
}

/** Query text and the one image of the user message. */
function userTurn(content: unknown, param: string): { query: string; image: Uint8Array } {
  if (typeof content === 'string') throw badRequest(`no image: ${param} must contain an image_url part`, param, 'missing_image');
  if (!Array.isArray(content)) throw badRequest(`${param} must be a string or an array of parts`, param, 'invalid_type');
  const texts: string[] = [];
  const images: Uint8Array[] = [];
  content.forEach((part: unknown, i) => {
    const at = `${param}[${i}]`;
    if (!isObject(part)) throw badRequest(`${at} must be an object`, at, 'invalid_type');
    if (part.type === 'text') {
      if (typeof part.text !== 'string') throw badRequest(`${at}.text must be a string`, `${at}.text`, 'invalid_type');
      texts.push(part.text);
    } else if (part.type === 'image_url') {
      const url = isObject(part.image_url) ? part.image_url.url : part.image_url;
      images.push(dataUrlBytes(url, `${at}.image_url.url`));
    } else {
      throw badRequest(`${at}.type must be 'text' or 'image_url', got ${JSON.stringify(part.type)}`, `${at}.type`, 'invalid_type');
    }
  });
  if (images.length === 0) throw badRequest(`no image: ${param} must contain an image_url part`, param, 'missing_image');
  if (images.length > 1) throw badRequest(`${param} has ${images.length} images; this model takes exactly one`, param, 'too_many_images');
  return { query: texts.join('\n'), image: images[0] };
}

export function parseChatRequest(body: unknown, limits: ServedLimits, randomSeed: () => number): ChatJob {
  if (!isObject(body)) throw badRequest('request body must be a JSON object', null, 'invalid_type');
  if (body.model !== undefined && body.model !== limits.model) {
    if (typeof body.model !== 'string') throw badRequest('model must be a string', 'model', 'invalid_type');
    throw new ApiError(404, `The model \`${body.model}\` does not exist. This server serves \`${limits.model}\`.`, 'model', 'model_not_found');
  }
  if (body.stream === true) throw badRequest('stream is not supported by asymflow serve', 'stream', 'unsupported_parameter');
  const messages = body.messages;
  if (!Array.isArray(messages) || messages.length === 0) throw badRequest('messages must be a non-empty array', 'messages', 'invalid_type');
  messages.forEach((m: unknown, i) => {
    if (!isObject(m) || typeof m.role !== 'string') throw badRequest(`messages[${i}] must be an object with a role`, `messages[${i}]`, 'invalid_type');
  });
  const roles = (messages as Json[]).map((m) => m.role);
  const continueFinal = booleanParam(body, 'continue_final_message', false);
  const addGenerationPrompt = booleanParam(body, 'add_generation_prompt', true);
  if (continueFinal && addGenerationPrompt) {
    throw badRequest('continue_final_message and add_generation_prompt cannot both be true', 'continue_final_message', 'invalid_value');
  }
  const single = roles.length === 1 && roles[0] === 'user';
  const continued = roles.length === 2 && roles[0] === 'user' && roles[1] === 'assistant';
  if (continueFinal && !continued) {
    throw badRequest('continue_final_message needs messages [user, assistant]: the final assistant message is continued', 'messages', 'invalid_value');
  }
  if (!continueFinal && !single) {
    throw badRequest(`this model takes one user message (got roles ${roles.join(', ')}); to continue an assistant message set continue_final_message`, 'messages', 'invalid_value');
  }
  const { query, image } = userTurn((messages[0] as Json).content, 'messages[0].content');
  const prefix = continued ? assistantText((messages[1] as Json).content, 'messages[1].content') : undefined;
  const maxTokensKey = body.max_tokens !== undefined && body.max_tokens !== null ? 'max_tokens' : 'max_completion_tokens';
  return {
    model: limits.model,
    query,
    image,
    ...(prefix !== undefined ? { prefix } : {}),
    temperature: numberParam(body, 'temperature', 1, 0, 2),
    topP: numberParam(body, 'top_p', 1, Number.MIN_VALUE, 1),
    // Clamped rather than refused: clients send the paper's 10,000 to models that hold fewer tokens.
    maxTokens: Math.min(limits.maxTokens, numberParam(body, maxTokensKey, limits.maxTokens, 1, Number.MAX_SAFE_INTEGER, true)),
    n: numberParam(body, 'n', 1, 1, limits.maxN, true),
    seed: numberParam(body, 'seed', randomSeed(), -(2 ** 53), 2 ** 53, true),
    stop: stopParam(body),
  };
}
