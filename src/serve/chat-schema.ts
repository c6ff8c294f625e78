/**
 * The zod schema of a `POST /v1/chat/completions` body as `asymflow serve` takes it: the parameters it
 * implements, and no others. Objects are strict, so a parameter we do not implement (response_format,
 * tools, logit_bias, penalties, top_k, min_p, …) is refused by name instead of being silently ignored;
 * sampling knobs vLLM has but we lack are accepted only at the value that turns them off. `null` means
 * "not given", as in OpenAI's API. Error texts name the parameter; chat-request.ts turns issues into 400s.
 */
import { z } from 'zod';

const bounded = (key: string, lo: number, hi: number, { integer = false, open = false } = {}) => {
  const range = `${open ? '(' : '['}${lo}, ${hi}]`;
  let n = z.number({ error: `${key} must be a number` });
  if (integer) n = n.int({ error: `${key} must be an integer` });
  return (open ? n.gt(lo, { error: `${key} must be in ${range}` }) : n.min(lo, { error: `${key} must be in ${range}` }))
    .max(hi, { error: `${key} must be in ${range}` })
    .nullish();
};
const flag = (key: string) => z.boolean({ error: `${key} must be a boolean` }).nullish();
/** A vLLM sampling knob we do not implement, accepted only at its no-op value. */
const offOnly = (key: string, ...off: number[]) =>
  z
    .number({ error: `${key} must be a number` })
    .refine((v) => off.includes(v), { error: `${key} is not supported by asymflow serve (only ${off.join(' or ')}, which turns it off)` })
    .nullish();

const textPart = z.strictObject({ type: z.literal('text'), text: z.string({ error: 'text must be a string' }) });
const imagePart = z.strictObject({
  type: z.literal('image_url'),
  image_url: z.union([z.string(), z.strictObject({ url: z.unknown(), detail: z.enum(['auto', 'low', 'high']).optional() })], {
    error: 'image_url must be {url} or a string',
  }),
});
const partsOf = <T extends z.ZodType>(part: T) => z.array(part, { error: 'content must be a string or an array of parts' });
const textContent = z.union([z.string(), partsOf(textPart)], { error: 'content must be a string or an array of text parts' });

export const messageSchema = z.discriminatedUnion(
  'role',
  [
    z.strictObject({ role: z.literal('system'), content: textContent, name: z.string().optional() }),
    z.strictObject({
      role: z.literal('user'),
      content: z.union([z.string(), partsOf(z.discriminatedUnion('type', [textPart, imagePart], { error: "a part's type must be 'text' or 'image_url'" }))], {
        error: 'content must be a string or an array of parts',
      }),
      name: z.string().optional(),
    }),
    z.strictObject({ role: z.literal('assistant'), content: textContent, name: z.string().optional() }),
  ],
  { error: "role must be 'system', 'user' or 'assistant'" },
);

export type ChatMessage = z.infer<typeof messageSchema>;

export function chatSchema(maxN: number) {
  return z.strictObject({
    model: z.string({ error: 'model must be a string' }).nullish(),
    messages: z.array(messageSchema, { error: 'messages must be a non-empty array' }).min(1, { error: 'messages must be a non-empty array' }),
    temperature: bounded('temperature', 0, 2),
    top_p: bounded('top_p', 0, 1, { open: true }),
    max_tokens: bounded('max_tokens', 1, Number.MAX_SAFE_INTEGER, { integer: true }),
    max_completion_tokens: bounded('max_completion_tokens', 1, Number.MAX_SAFE_INTEGER, { integer: true }),
    n: bounded('n', 1, maxN, { integer: true }),
    seed: bounded('seed', -(2 ** 53), 2 ** 53, { integer: true }),
    stop: z
      .union([z.string().min(1), z.array(z.string().min(1)).max(4)], { error: 'stop must be a non-empty string or an array of at most 4 non-empty strings' })
      .nullish(),
    stream: flag('stream'),
    stream_options: z.strictObject({ include_usage: flag('include_usage') }, { error: 'stream_options must be an object' }).nullish(),
    logprobs: flag('logprobs'),
    top_logprobs: bounded('top_logprobs', 0, 20, { integer: true }),
    continue_final_message: flag('continue_final_message'),
    add_generation_prompt: flag('add_generation_prompt'),
    user: z.string({ error: 'user must be a string' }).nullish(), // an end-user id for the caller's logs: no effect on output
    frequency_penalty: offOnly('frequency_penalty', 0),
    presence_penalty: offOnly('presence_penalty', 0),
    repetition_penalty: offOnly('repetition_penalty', 1),
    top_k: offOnly('top_k', -1, 0),
    min_p: offOnly('min_p', 0),
  });
}

export type ChatBody = z.infer<ReturnType<typeof chatSchema>>;
