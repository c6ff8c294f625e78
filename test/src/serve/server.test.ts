import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../../src/serve/server.ts';
import { EchoModel } from './fake-served-model.ts';

const grey = (value: number, size = 8) =>
  sharp({ create: { width: size, height: size, channels: 3, background: { r: value, g: value, b: value } } }).png().toBuffer();
const dataUrl = (bytes: Uint8Array) => `data:image/png;base64,${Buffer.from(bytes).toString('base64')}`;

let server: RunningServer;
let model: EchoModel;
let image: string;

beforeAll(async () => {
  model = new EchoModel();
  server = await startServer({ model, maxBodyBytes: 64 * 1024, batchWindowMs: 2, maxBatch: 4 });
  image = dataUrl(await grey(51));
});
afterAll(() => server.close());

function chatBody(overrides: Record<string, unknown> = {}, content?: unknown) {
  return {
    model: 'echo',
    messages: [{ role: 'user', content: content ?? [{ type: 'image_url', image_url: { url: image } }, { type: 'text', text: 'Q' }] }],
    temperature: 0,
    max_tokens: 10,
    n: 1, // n=1, temperature 0, max_tokens 10: the batch key the fill test below uses too
    seed: 9,
    ...overrides,
  };
}

async function post(body: unknown, raw = false) {
  const response = await fetch(`${server.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: raw ? (body as string) : JSON.stringify(body),
  });
  return { status: response.status, json: (await response.json()) as any };
}

async function expectGoodRequestStillAnswers() {
  const { status, json } = await post(chatBody({ temperature: 0.5 }));
  expect(status).toBe(200);
  expect(json.choices[0].message.content).toContain('q=Q');
}

describe('asymflow serve: OpenAI-compatible API', () => {
  it('lists its one model', async () => {
    const json = (await (await fetch(`${server.url}/v1/models`)).json()) as any;
    expect(json.object).toBe('list');
    expect(json.data.map((m: { id: string }) => m.id)).toEqual(['echo']);
    expect(json.data[0].input_size).toBe(model.inputSize); // what clients render model-input pixels at
  });

  it('answers a chat completion with n choices, decoding the image to model-input greyscale', async () => {
    const { status, json } = await post(chatBody({ n: 2, temperature: 0.3, stop: 'tail' }));
    expect(status).toBe(200);
    expect(json.object).toBe('chat.completion');
    expect(json.choices.map((c: any) => c.message.content)).toEqual([
      'q=Q;p=-;s=9;k=0;m=0.200<answer>x</answer>',
      'q=Q;p=-;s=9;k=1;m=0.200<answer>x</answer>',
    ]); // 51/255 = 0.2; the stop string and what follows are cut
    expect(json.choices[0].finish_reason).toBe('stop');
    expect(json.usage.completion_tokens).toBeGreaterThan(0);
  });

  it('continues the final assistant message and returns only the continuation', async () => {
    const messages = [
      { role: 'user', content: [{ type: 'text', text: 'Q' }, { type: 'image_url', image_url: { url: image } }] },
      { role: 'assistant', content: '<caption>(0,1)</caption>' },
    ];
    const { status, json } = await post(chatBody({ messages, continue_final_message: true, add_generation_prompt: false, temperature: 0.4 }));
    expect(status).toBe(200);
    expect(json.choices[0].message.content.startsWith('q=Q;p=<caption>(0,1)</caption>;')).toBe(true);
    expect(model.calls.at(-1)!.rows[0].prefix).toBe('<caption>(0,1)</caption>');
  });

  it('batches concurrent compatible requests into one sampling call', async () => {
    // A window far longer than the test: only a full batch (4 rows with equal parameters) flushes early.
    const batchingModel = new EchoModel();
    const batching = await startServer({ model: batchingModel, batchWindowMs: 60_000, maxBatch: 4 });
    try {
      const bodies = [1, 2, 3, 4].map((seed) => chatBody({ seed }));
      const replies = await Promise.all(
        bodies.map(async (body) => {
          const r = await fetch(`${batching.url}/v1/chat/completions`, { method: 'POST', body: JSON.stringify(body) });
          return (await r.json()) as any;
        }),
      );
      expect(batchingModel.calls).toHaveLength(1);
      expect(batchingModel.calls[0].rows.map((r) => r.seed).sort()).toEqual([1, 2, 3, 4]);
      replies.forEach((json, i) => expect(json.choices[0].message.content).toContain(`;s=${i + 1};`));
      expect(batching.stats()).toMatchObject({ calls: 1, rows: 4, largestBatch: 4 });
    } finally {
      await batching.close();
    }
  });

  const bad: [string, () => Promise<{ status: number; json: any }>, number, string | null, RegExp][] = [
    ['malformed JSON', () => post('{"model": "echo", "messages": [', true), 400, 'invalid_json', /malformed JSON/],
    ['a body that is not an object', () => post('[1,2]', true), 400, 'invalid_type', /JSON object/],
    ['no image', () => post(chatBody({}, 'just text')), 400, 'missing_image', /no image/],
    ['no image part', () => post(chatBody({}, [{ type: 'text', text: 'Q' }])), 400, 'missing_image', /no image/],
    ['bad base64', () => post(chatBody({}, [{ type: 'image_url', image_url: { url: 'data:image/png;base64,@@@!' } }])), 400, 'invalid_base64', /invalid base64/],
    ['a remote image URL', () => post(chatBody({}, [{ type: 'image_url', image_url: { url: 'https://x/y.png' } }])), 400, 'invalid_image_url', /data URL/],
    ['an undecodable image', () => post(chatBody({}, [{ type: 'image_url', image_url: { url: 'data:image/png;base64,aGVsbG8gd29ybGQ=' } }])), 400, 'invalid_image', /could not be decoded/],
    ['an unknown model', () => post(chatBody({ model: 'gpt-9' })), 404, 'model_not_found', /gpt-9/],
    ['a string temperature', () => post(chatBody({ temperature: 'hot' })), 400, 'invalid_type', /temperature must be a number/],
    ['a fractional n', () => post(chatBody({ n: 1.5 })), 400, 'invalid_type', /n must be an integer/],
    ['max_tokens of 0', () => post(chatBody({ max_tokens: 0 })), 400, 'invalid_value', /max_tokens must be in \[1, /],
    ['messages not an array', () => post(chatBody({ messages: 'hi' })), 400, 'invalid_type', /messages must be a non-empty array/],
    ['continue without an assistant message', () => post(chatBody({ continue_final_message: true, add_generation_prompt: false })), 400, 'invalid_value', /continue_final_message needs/],
    ['continue with the generation prompt', () => post(chatBody({ continue_final_message: true })), 400, 'invalid_value', /cannot both be true/],
    ['two images', () => post(chatBody({}, [{ type: 'image_url', image_url: { url: image } }, { type: 'image_url', image_url: { url: image } }])), 400, 'too_many_images', /exactly one/],
    ['streaming', () => post(chatBody({ stream: true })), 400, 'unsupported_parameter', /stream/],
    ['an oversized body', () => post(chatBody({ pad: 'x'.repeat(100 * 1024) })), 413, 'request_too_large', /larger than the limit of 65536 bytes/],
    ['an unknown route', async () => {
      const r = await fetch(`${server.url}/v1/completions`, { method: 'POST', body: '{}' });
      return { status: r.status, json: await r.json() };
    }, 404, 'not_found', /no route/],
    ['a GET on chat completions', async () => {
      const r = await fetch(`${server.url}/v1/chat/completions`);
      return { status: r.status, json: await r.json() };
    }, 405, 'method_not_allowed', /use POST/],
  ];

  it.each(bad)('rejects %s with an OpenAI-style error, then still answers', async (_name, request, status, code, message) => {
    const { status: got, json } = await request();
    expect(got).toBe(status);
    expect(Object.keys(json.error).sort()).toEqual(['code', 'message', 'param', 'type']);
    expect(json.error.code).toBe(code);
    expect(json.error.type).toBe('invalid_request_error');
    expect(json.error.message).toMatch(message);
    await expectGoodRequestStillAnswers();
  });

  it('names the parameter at fault', async () => {
    const { json } = await post(chatBody({}, [{ type: 'text', text: 'Q' }, { type: 'image_url', image_url: { url: 'data:image/png;base64,@@' } }]));
    expect(json.error.param).toBe('messages[0].content[1].image_url.url');
  });
});
