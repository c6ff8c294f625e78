import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../../src/serve/server.ts';
import { OpenAIPolicy } from '../../../src/policy/openai-policy.ts';
import type { Sample } from '../../../src/records.ts';
import { EchoModel } from './fake-served-model.ts';

const grey = (value: number, size = 8) =>
  sharp({ create: { width: size, height: size, channels: 3, background: { r: value, g: value, b: value } } })
    .png()
    .toBuffer();
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
    messages: [
      {
        role: 'user',
        content: content ?? [
          { type: 'image_url', image_url: { url: image } },
          { type: 'text', text: 'Q' },
        ],
      },
    ],
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
    expect(json.choices.map((c: any) => c.message.content)).toEqual(['q=Q;p=-;s=9;k=0;m=0.200<answer>x</answer>', 'q=Q;p=-;s=9;k=1;m=0.200<answer>x</answer>']); // 51/255 = 0.2; the stop string and what follows are cut
    expect(json.choices[0].finish_reason).toBe('stop');
    expect(json.usage.completion_tokens).toBeGreaterThan(0);
  });

  it('continues the final assistant message and returns only the continuation', async () => {
    const messages = [
      {
        role: 'user',
        content: [
          { type: 'text', text: 'Q' },
          { type: 'image_url', image_url: { url: image } },
        ],
      },
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
    [
      'bad base64',
      () => post(chatBody({}, [{ type: 'image_url', image_url: { url: 'data:image/png;base64,@@@!' } }])),
      400,
      'invalid_base64',
      /invalid base64/,
    ],
    ['a remote image URL', () => post(chatBody({}, [{ type: 'image_url', image_url: { url: 'https://x/y.png' } }])), 400, 'invalid_image_url', /data URL/],
    [
      'an undecodable image',
      () => post(chatBody({}, [{ type: 'image_url', image_url: { url: 'data:image/png;base64,aGVsbG8gd29ybGQ=' } }])),
      400,
      'invalid_image',
      /could not be decoded/,
    ],
    ['an unknown model', () => post(chatBody({ model: 'gpt-9' })), 404, 'model_not_found', /gpt-9/],
    ['a string temperature', () => post(chatBody({ temperature: 'hot' })), 400, 'invalid_type', /temperature must be a number/],
    ['a fractional n', () => post(chatBody({ n: 1.5 })), 400, 'invalid_type', /n must be an integer/],
    ['max_tokens of 0', () => post(chatBody({ max_tokens: 0 })), 400, 'invalid_value', /max_tokens must be in \[1, /],
    ['messages not an array', () => post(chatBody({ messages: 'hi' })), 400, 'invalid_type', /messages must be a non-empty array/],
    [
      'continue without an assistant message',
      () => post(chatBody({ continue_final_message: true, add_generation_prompt: false })),
      400,
      'invalid_value',
      /continue_final_message needs/,
    ],
    ['continue with the generation prompt', () => post(chatBody({ continue_final_message: true })), 400, 'invalid_value', /cannot both be true/],
    [
      'two images',
      () =>
        post(
          chatBody({}, [
            { type: 'image_url', image_url: { url: image } },
            { type: 'image_url', image_url: { url: image } },
          ]),
        ),
      400,
      'too_many_images',
      /exactly one/,
    ],
    [
      'parameters it does not implement, by name',
      () => post(chatBody({ response_format: { type: 'json_object' }, tools: [] })),
      400,
      'unsupported_parameter',
      /unsupported parameters for asymflow serve: response_format, tools$/,
    ],
    ['logit_bias', () => post(chatBody({ logit_bias: { 5: 10 } })), 400, 'unsupported_parameter', /: logit_bias$/],
    [
      'a penalty other than its no-op value',
      () => post(chatBody({ frequency_penalty: 0.5 })),
      400,
      'invalid_value',
      /frequency_penalty is not supported by asymflow serve \(only 0/,
    ],
    ['top_k', () => post(chatBody({ top_k: 5 })), 400, 'invalid_value', /top_k is not supported/],
    [
      'an unknown part field',
      () => post(chatBody({}, [{ type: 'text', text: 'Q', cache_control: {} }])),
      400,
      'unsupported_parameter',
      /messages\[0\]\.content\[0\]\.cache_control/,
    ],
    ['top_logprobs without logprobs', () => post(chatBody({ top_logprobs: 2 })), 400, 'invalid_value', /top_logprobs needs logprobs/],
    [
      'max_tokens past the window',
      () => post(chatBody({ max_tokens: 62 })),
      400,
      'context_length_exceeded',
      /maximum context length is 68 tokens\. However, you requested 69 tokens \(7 in the messages, 62 in the completion\)/,
    ],
    [
      'a prompt longer than the window',
      () =>
        post(
          chatBody({}, [
            { type: 'image_url', image_url: { url: image } },
            { type: 'text', text: 'x'.repeat(70) },
          ]),
        ),
      400,
      'context_length_exceeded',
      /maximum context length is 68 tokens\. However, your request has 76 input tokens/,
    ],
    ['an oversized body', () => post(chatBody({ pad: 'x'.repeat(100 * 1024) })), 413, 'request_too_large', /larger than the limit of 65536 bytes/],
    [
      'an unknown route',
      async () => {
        const r = await fetch(`${server.url}/v1/completions`, { method: 'POST', body: '{}' });
        return { status: r.status, json: await r.json() };
      },
      404,
      'not_found',
      /no route/,
    ],
    [
      'a GET on chat completions',
      async () => {
        const r = await fetch(`${server.url}/v1/chat/completions`);
        return { status: r.status, json: await r.json() };
      },
      405,
      'method_not_allowed',
      /use POST/,
    ],
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

  it('takes the neutral values of knobs it lacks, and max_tokens up to the window, counting image tokens in the prompt', async () => {
    const { status, json } = await post(
      chatBody({ frequency_penalty: 0, presence_penalty: 0, repetition_penalty: 1, top_k: -1, min_p: 0, user: 'u1', max_tokens: 61 }),
    );
    expect(status).toBe(200);
    expect(json.usage.prompt_tokens).toBe(7); // 4 image positions + BOS Q EOS
    expect(model.calls.at(-1)!.sampling.maxTokens).toBe(61);
    await post(chatBody({ max_tokens: null }));
    expect(model.calls.at(-1)!.sampling.maxTokens).toBe(61); // default: what the window leaves after the prompt
  });

  it("lets OpenAIPolicy's max_tokens act as a cap: past the window it asks again without one", async () => {
    const policy = new OpenAIPolicy({ baseUrl: server.url, retries: 0 });
    const png = new Uint8Array(Buffer.from(image.split(',')[1]!, 'base64'));
    const sample = { puzzle: { id: 'p0' }, png, query: 'Q' } as unknown as Sample;
    const [[completion]] = await policy.generate([sample], { temperature: 0, topP: 1, maxTokens: 10_000, n: 1, seed: 1 });
    expect(completion!.failed).toBeUndefined();
    expect(model.calls.at(-1)!.sampling.maxTokens).toBe(61); // the window's rest after the 7-token prompt
    expect(policy.stats()).toMatchObject({ requests: 3, failures: 0 }); // the model list, the refused request, the retry
  });

  it('puts system messages at the start of the user turn', async () => {
    const messages = [
      { role: 'system', content: 'Be brief.' },
      {
        role: 'user',
        content: [
          { type: 'image_url', image_url: { url: image } },
          { type: 'text', text: 'Q' },
        ],
      },
    ];
    const { status, json } = await post(chatBody({ messages }));
    expect(status).toBe(200);
    expect(model.calls.at(-1)!.rows[0].query).toBe('Be brief.\n\nQ');
    expect(json.usage.prompt_tokens).toBe(4 + 2 + 'Be brief.\n\nQ'.length);
  });

  it('names the parameter at fault', async () => {
    const { json } = await post(
      chatBody({}, [
        { type: 'text', text: 'Q' },
        { type: 'image_url', image_url: { url: 'data:image/png;base64,@@' } },
      ]),
    );
    expect(json.error.param).toBe('messages[0].content[1].image_url.url');
  });
});
