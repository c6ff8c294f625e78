/**
 * `asymflow serve` driven by the official `openai` npm client, as a vLLM user would: a tiny random-weight
 * checkpoint on disk served on the CPU; streaming with usage, logprobs, system messages, finish_reason
 * "length" when the window fills, stop strings applied while sampling, seeds independent of batching, and
 * the SDK's BadRequestError for what the server does not implement or cannot fit.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import OpenAI from 'openai';
import type { ChatCompletionCreateParamsNonStreaming } from 'openai/resources/chat/completions';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { saveCheckpoint } from '../../src/model/checkpoint.ts';
import { modelConfig, patchCount } from '../../src/model/config.ts';
import { createVlm, disposeVlm } from '../../src/model/vlm.ts';
import type { RunningServer } from '../../src/serve/server.ts';
import { serveCommand } from '../../tui/commands/serve.ts';

const config = modelConfig('tiny', { d: 32, layers: 1, initStd: 0.3, maxText: 64 }); // a 64-token window fills fast
const IMAGE_TOKENS = patchCount(config); // 81
let dir: string;
let server: RunningServer;
let client: OpenAI;
let image: string;

beforeAll(async () => {
  await tf.setBackend('cpu');
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'asymflow-sdk-'));
  const model = createVlm(config, 5);
  await saveCheckpoint(path.join(dir, 'tiny-random'), { model });
  disposeVlm(model);
  server = await serveCommand({ checkpoint: path.join(dir, 'tiny-random'), port: 0, backend: 'cpu', batchWindowMs: 50 }, () => {});
  client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: 'unused', maxRetries: 0 });
  const png = await sharp({ create: { width: 72, height: 72, channels: 3, background: { r: 200, g: 90, b: 30 } } })
    .png()
    .toBuffer();
  image = `data:image/png;base64,${png.toString('base64')}`;
});
afterAll(async () => {
  await server?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const request = (over: Partial<ChatCompletionCreateParamsNonStreaming> = {}, text = 'Colour the graph.'): ChatCompletionCreateParamsNonStreaming => ({
  model: 'tiny-random',
  messages: [
    {
      role: 'user',
      content: [
        { type: 'image_url', image_url: { url: image } },
        { type: 'text', text },
      ],
    },
  ],
  temperature: 0,
  max_tokens: 12,
  ...over,
});
const textTokens = (text: string) => text.length + 2; // character tokens + BOS + EOS (no tags in these prompts)

describe('asymflow serve with the openai SDK', () => {
  it('lists the model with its window', async () => {
    const models = await client.models.list();
    expect(models.data.map((m) => m.id)).toEqual(['tiny-random']);
    expect((models.data[0] as unknown as { max_model_len: number }).max_model_len).toBe(IMAGE_TOKENS + 64);
  });

  it('answers with logprobs and top_logprobs, counting image tokens, and streams the same with usage last', async () => {
    const plain = await client.chat.completions.create(request({ logprobs: true, top_logprobs: 3 }));
    const choice = plain.choices[0]!;
    expect(plain.usage!.prompt_tokens).toBe(IMAGE_TOKENS + textTokens('Colour the graph.'));
    expect(choice.finish_reason).toBe('length');
    expect(plain.usage!.completion_tokens).toBe(12);
    const content = choice.logprobs!.content!;
    expect(content.map((t) => t.token).join('')).toBe(choice.message.content);
    for (const t of content) {
      expect(t.top_logprobs).toHaveLength(3);
      expect(t.top_logprobs[0]!.logprob).toBeGreaterThanOrEqual(t.top_logprobs[1]!.logprob);
      expect(t.logprob).toBeCloseTo(t.top_logprobs[0]!.logprob, 6); // greedy picks the most likely
      expect(t.logprob).toBeLessThan(0);
    }

    const stream = await client.chat.completions.create({
      ...request({ logprobs: true, top_logprobs: 3 }),
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let finish: string | null = null;
    let usage: OpenAI.CompletionUsage | null | undefined;
    let chunks = 0;
    for await (const chunk of stream) {
      chunks++;
      text += chunk.choices[0]?.delta.content ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
      if (chunk.usage) usage = chunk.usage;
      if (chunk.choices.length === 0) expect(chunk.usage).toBeTruthy(); // the usage chunk has no choices
    }
    expect(text).toBe(choice.message.content);
    expect(finish).toBe(choice.finish_reason);
    expect(usage).toEqual(plain.usage);
    expect(chunks).toBeGreaterThan(content.length); // one chunk a token, plus role, finish and usage chunks
  });

  it('says "length" when the window fills before max_tokens is given', async () => {
    const prompt = 'x'.repeat(50); // 52 text tokens of 64: 12 left
    const full = await client.chat.completions.create({ ...request({}, prompt), max_tokens: undefined });
    expect(full.choices[0]!.finish_reason).toBe('length'); // this random model does not stop on its own in 12 tokens
    expect(full.usage!.prompt_tokens + full.usage!.completion_tokens).toBe(IMAGE_TOKENS + 64);
    expect(full.usage!.prompt_tokens).toBe(IMAGE_TOKENS + 52);
  });

  it('stops at a stop string while sampling and counts only the tokens produced', async () => {
    const free = await client.chat.completions.create(request({ max_tokens: 24, logprobs: true }));
    const tokens = free.choices[0]!.logprobs!.content!.map((t) => t.token);
    const text = tokens.join('');
    // a stop string of two tokens ending at token 6 (its first occurrence)
    const stop = tokens[4]! + tokens[5]!;
    const at = text.indexOf(stop);
    const producedUpTo = tokens.findIndex((_, k) => tokens.slice(0, k + 1).join('').length >= at + stop.length) + 1;
    const stopped = await client.chat.completions.create(request({ max_tokens: 24, stop: [stop] }));
    expect(stopped.choices[0]!.message.content).toBe(text.slice(0, at));
    expect(stopped.choices[0]!.finish_reason).toBe('stop');
    expect((stopped.choices[0] as unknown as { stop_reason: string }).stop_reason).toBe(stop);
    expect(stopped.usage!.completion_tokens).toBe(producedUpTo);
    expect(producedUpTo).toBeLessThan(free.usage!.completion_tokens);
  });

  it('samples the same for a seed whether the request is alone or batched with others', async () => {
    const sampled = (seed: number) => client.chat.completions.create(request({ temperature: 1, seed, max_tokens: 10 }));
    const alone = (await sampled(7)).choices[0]!.message.content;
    const before = server.stats().largestBatch;
    const together = await Promise.all([3, 7, 11, 13].map(sampled));
    expect(server.stats().largestBatch).toBeGreaterThan(Math.max(1, before)); // they did share a sampling call
    expect(together[1]!.choices[0]!.message.content).toBe(alone);
    expect(new Set(together.map((r) => r.choices[0]!.message.content)).size).toBeGreaterThan(1); // seeds matter
  });

  it('puts a system message into the prompt', async () => {
    const withSystem = await client.chat.completions.create(request({ messages: [{ role: 'system', content: 'Be brief.' }, ...request().messages] }));
    expect(withSystem.usage!.prompt_tokens).toBe(IMAGE_TOKENS + textTokens('Be brief.\n\nColour the graph.'));
  });

  it('answers 400 naming what it does not implement or cannot fit', async () => {
    const refused = async (over: Record<string, unknown>) => {
      try {
        await client.chat.completions.create(request(over as Partial<ChatCompletionCreateParamsNonStreaming>));
      } catch (error) {
        expect(error).toBeInstanceOf(OpenAI.BadRequestError);
        return (error as InstanceType<typeof OpenAI.BadRequestError>).message;
      }
      throw new Error(`accepted ${JSON.stringify(over)}`);
    };
    expect(await refused({ response_format: { type: 'json_object' } })).toMatch(/unsupported parameter for asymflow serve: response_format/);
    expect(await refused({ tools: [{ type: 'function', function: { name: 'f' } }], logit_bias: { 7: 1 } })).toMatch(/logit_bias, tools|tools, logit_bias/);
    expect(await refused({ presence_penalty: 1 })).toMatch(/presence_penalty is not supported/);
    expect(await refused({ max_tokens: 10_000 })).toMatch(
      /maximum context length is 145 tokens\. However, you requested 10100 tokens \(100 in the messages, 10000 in the completion\)/,
    );
    expect(
      await refused({
        messages: [
          {
            role: 'user',
            content: [
              { type: 'image_url', image_url: { url: image } },
              { type: 'text', text: 'y'.repeat(80) },
            ],
          },
        ],
      }),
    ).toMatch(/context length is 145 tokens\. However, your request has 163 input tokens/);
  });
});
