import { afterEach, describe, expect, it } from 'vitest';
import { OpenAIPolicy, apiRoot } from '../../../src/policy/openai-policy.ts';
import { backoffDelay, parseRetryAfter } from '../../../src/policy/http-retry.ts';
import { sampleSeed } from '../../../src/policy/seeds.ts';
import type { Sample } from '../../../src/records.ts';
import { startFakeChatServer, type Action, type ChatRequest, type FakeChatServer } from './fake-chat-server.ts';

const PNG = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]);

function sample(id: string): Sample {
  const puzzle = { id, task: 'gc' as const, seed: 1, difficulty: 'n=7', pStar: '(0,1)', solution: '0:0,1:1', meta: {} };
  return { puzzle, png: PNG, width: 4, height: 4, query: id };
}

let server: FakeChatServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('OpenAIPolicy against a fault-injecting server', () => {
  const script: Record<string, (r: ChatRequest) => Action> = {
    fine: () => ({ kind: 'ok', texts: ['fine-1', 'fine-2'] }),
    flaky500: (r) => (r.attempt <= 2 ? { kind: 'status', status: 500 } : { kind: 'ok', texts: ['a', 'b'] }),
    busy503: (r) => (r.attempt === 1 ? { kind: 'status', status: 503 } : { kind: 'ok', texts: ['a', 'b'] }),
    hangs: () => ({ kind: 'hang' }),
    truncatedOnce: (r) => (r.attempt === 1 ? { kind: 'truncate' } : { kind: 'ok', texts: ['t1', 't2'] }),
    rateLimited: (r) => (r.attempt === 1 ? { kind: 'status', status: 429, headers: { 'retry-after': '7' } } : { kind: 'ok', texts: ['r1', 'r2'] }),
    rateLimitedDate: (r) =>
      r.attempt === 1
        ? { kind: 'status', status: 429, headers: { 'retry-after': new Date(Date.now() + 60_000).toUTCString() } }
        : { kind: 'ok', texts: ['d1', 'd2'] },
    resets: () => ({ kind: 'reset' }),
    badRequest: () => ({ kind: 'status', status: 400, body: JSON.stringify({ error: { message: 'image too large' } }) }),
    alwaysTruncated: () => ({ kind: 'truncate' }),
  };

  it('retries transient faults, records lasting ones as failed, and keeps every sample in order', async () => {
    server = await startFakeChatServer((r) => script[r.key](r));
    const delays: number[] = [];
    const policy = new OpenAIPolicy({
      baseUrl: server.url,
      model: 'fake-model',
      concurrency: 3,
      timeoutMs: 1500, // generous: a loaded 2-core CI must not time out the healthy requests
      retries: 2,
      backoff: { initialMs: 100, maxMs: 1000, factor: 2, maxRetryAfterMs: 30_000 },
      random: () => 0.5,
      sleep: async (ms) => {
        delays.push(ms);
      },
    });
    const ids = Object.keys(script);
    const out = await policy.generate(ids.map(sample), { temperature: 0.7, topP: 1, maxTokens: 50, n: 2, seed: 3 });

    expect(out).toHaveLength(ids.length);
    out.forEach((completions) => expect(completions).toHaveLength(2));
    const byId = Object.fromEntries(ids.map((id, i) => [id, out[i]]));
    expect(byId.fine.map((c) => c.text)).toEqual(['fine-1', 'fine-2']);
    expect(byId.flaky500.map((c) => c.text)).toEqual(['a', 'b']);
    expect(byId.truncatedOnce.map((c) => c.text)).toEqual(['t1', 't2']);
    expect(byId.rateLimited.map((c) => c.text)).toEqual(['r1', 'r2']);
    expect(byId.rateLimitedDate.map((c) => c.text)).toEqual(['d1', 'd2']);
    expect(byId.hangs[0].failed).toMatch(/timeout after 1500 ms \(after 3 attempts\)/);
    expect(byId.resets[0].failed).toMatch(/network error/);
    expect(byId.badRequest[0].failed).toBe('HTTP 400: image too large');
    expect(byId.alwaysTruncated[1].failed).toMatch(/invalid JSON/);
    for (const id of ['hangs', 'resets', 'badRequest', 'alwaysTruncated']) {
      expect(byId[id].every((c) => c.text === '' && c.failed)).toBe(true);
    }

    // Server-side attempt counts: retries happened exactly where they should.
    expect(Object.fromEntries(server.attempts)).toEqual({
      fine: 1,
      flaky500: 3,
      busy503: 2,
      hangs: 3,
      truncatedOnce: 2,
      rateLimited: 2,
      rateLimitedDate: 2,
      resets: 3,
      badRequest: 1,
      alwaysTruncated: 3,
    });
    expect(policy.stats()).toEqual({ requests: ids.length, attempts: 22, retries: 12, failures: 4 });
    // Retry-After: 7 seconds is honoured exactly; the HTTP-date one (a minute away) is capped at 30 s.
    expect(delays).toContain(7000);
    expect(delays).toContain(30_000);
    expect(delays.filter((d) => d === 75 || d === 150).length).toBeGreaterThan(0); // equal jitter at 0.5: 3/4 of 100·2^k
  });
});

describe('OpenAIPolicy wire format', () => {
  it('sends the image as a PNG data URL and the counterfactual prefix as a continued assistant message', async () => {
    server = await startFakeChatServer(() => ({ kind: 'ok', texts: ['REST'] }), ['served-a', 'served-b']);
    const policy = new OpenAIPolicy({ baseUrl: `${server.url}/v1/`, concurrency: 2, timeoutMs: 5000, retries: 0 });
    expect(await policy.model()).toBe('served-a'); // first of GET /v1/models
    expect(await policy.servedInputSize()).toBeUndefined(); // only asymflow serve lists input_size

    const [[e2e]] = await policy.generate([sample('s0')], { temperature: 0, topP: 0.9, maxTokens: 12, n: 1, seed: 5 });
    expect(e2e).toEqual({ text: 'REST' });
    const [[cf]] = await policy.generate([sample('s1')], { prefix: '<caption>(0,1)</caption>', temperature: 0.7, topP: 1, maxTokens: 12, n: 1, seed: 5 });
    expect(cf.text).toBe('REST'); // the continuation, without the prefix

    const [plain, forced] = server.requests.map((r) => r.body);
    expect(plain).toMatchObject({ model: 'served-a', temperature: 0, top_p: 0.9, max_tokens: 12, n: 1, seed: sampleSeed(5, 's0') });
    expect(plain.messages).toEqual([
      {
        role: 'user',
        content: [
          { type: 'image_url', image_url: { url: `data:image/png;base64,${Buffer.from(PNG).toString('base64')}` } },
          { type: 'text', text: 's0' },
        ],
      },
    ]);
    expect(plain).not.toHaveProperty('continue_final_message');
    expect(forced.messages.at(-1)).toEqual({ role: 'assistant', content: '<caption>(0,1)</caption>' });
    expect(forced).toMatchObject({ continue_final_message: true, add_generation_prompt: false, seed: sampleSeed(5, 's1') });
  });

  it('withholds the image when asked and fails (not throws) for a sample without a PNG', async () => {
    server = await startFakeChatServer(() => ({ kind: 'ok', texts: ['x'] }));
    const policy = new OpenAIPolicy({ baseUrl: server.url, model: 'm', timeoutMs: 5000, retries: 0 });
    const noPng = { ...sample('bare'), png: undefined };
    const out = await policy.generate([noPng, sample('blind')], { temperature: 0, topP: 1, maxTokens: 5, n: 1, seed: 0, withImage: false });
    expect(out.map((c) => c[0].text)).toEqual(['x', 'x']);
    expect(server.requests[0].body.messages[0].content).toEqual([{ type: 'text', text: 'bare' }]);
    const [[failed]] = await policy.generate([noPng], { temperature: 0, topP: 1, maxTokens: 5, n: 1, seed: 0 });
    expect(failed).toEqual({ text: '', failed: 'sample bare has no PNG to send' });
  });

  it('records every sample as failed when the server cannot be reached to list models', async () => {
    const policy = new OpenAIPolicy({ baseUrl: 'http://127.0.0.1:1', timeoutMs: 2000, retries: 1, sleep: async () => {} });
    const out = await policy.generate([sample('a'), sample('b')], { temperature: 0, topP: 1, maxTokens: 5, n: 2, seed: 0 });
    expect(out).toHaveLength(2);
    expect(out.flat().every((c) => c.failed?.startsWith('could not list models at http://127.0.0.1:1/v1/models: network error'))).toBe(true);
  });
});

describe('retry helpers', () => {
  it('reads Retry-After as seconds or an HTTP date', () => {
    expect(parseRetryAfter('3')).toBe(3000);
    expect(parseRetryAfter('0.5')).toBe(500);
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:28:10 GMT', Date.parse('Wed, 21 Oct 2015 07:28:00 GMT'))).toBe(10_000);
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter(null)).toBeUndefined();
  });
  it('grows the backoff exponentially with jitter and a cap', () => {
    const b = { initialMs: 100, maxMs: 1000, factor: 2, maxRetryAfterMs: 0 };
    expect([0, 1, 2, 3, 4].map((k) => backoffDelay(k, b, () => 0))).toEqual([50, 100, 200, 400, 500]);
    expect(backoffDelay(1, b, () => 0.999999)).toBeCloseTo(200, 3);
  });
  it('normalises the base URL', () => {
    expect(apiRoot('http://h:1')).toBe('http://h:1/v1');
    expect(apiRoot('http://h:1/v1/')).toBe('http://h:1/v1');
  });
});
