import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { modelConfig } from '../../../src/model/config.ts';
import { createVlm, disposeVlm, type Vlm } from '../../../src/model/vlm.ts';
import { TfjsPolicy } from '../../../src/policy/tfjs-policy.ts';
import type { Sample } from '../../../src/records.ts';
import { Rng } from '../../../src/rng.ts';

const config = modelConfig('tiny');
let model: Vlm;

function sample(id: string, seed: number): Sample {
  const rng = new Rng(seed);
  const pixels = Float32Array.from({ length: config.inputSize ** 2 }, () => Math.round(rng.next() * 255) / 255);
  const puzzle = { id, task: 'gc' as const, seed, difficulty: 'n=7', pStar: '(0,1)', solution: '0:0,1:1', meta: {} };
  return { puzzle, pixels, width: config.inputSize, height: config.inputSize, query: `Colour graph ${id}.` };
}

beforeAll(async () => {
  await tf.setBackend('cpu');
  model = createVlm(config, 7);
});
afterAll(() => disposeVlm(model));

describe('TfjsPolicy', () => {
  const samples = [sample('a', 1), sample('b', 2), sample('c', 3)];
  const greedy = { temperature: 0, topP: 1, maxTokens: 6, n: 2, seed: 4 };

  it('samples greedily the same per sample whatever the batch, with n identical completions', async () => {
    const policy = new TfjsPolicy(model);
    const batched = await policy.generate(samples, greedy);
    const alone = await Promise.all(samples.map(async (s) => (await policy.generate([s], greedy))[0]));
    expect(batched.map((cs) => cs.map((c) => c.text))).toEqual(alone.map((cs) => cs.map((c) => c.text)));
    for (const [first, second] of batched) {
      expect(first.text).toBe(second.text);
      expect(first.tokens!.length).toBeGreaterThan(0);
      expect(first.tokens!.length).toBeLessThanOrEqual(6);
      expect(first.logprobs!.length).toBe(first.tokens!.length);
    }
  });

  it('at temperature > 0 reproduces a sample from its seed whatever its neighbours (per-sample seeding)', async () => {
    const policy = new TfjsPolicy(model, { seeding: 'per-sample' });
    const hot = { temperature: 1.5, topP: 1, maxTokens: 6, n: 2, seed: 11 };
    const all = await policy.generate(samples, hot);
    const [second] = await policy.generate([samples[1]], hot);
    expect(second.map((c) => c.text)).toEqual(all[1].map((c) => c.text));
    const other = await policy.generate([samples[1]], { ...hot, seed: 12 });
    expect(other[0].map((c) => c.text)).not.toEqual(second.map((c) => c.text)); // untrained, near-uniform output
  });

  it('at temperature > 0 with per-batch seeding reproduces the same batch from the same seed', async () => {
    const policy = new TfjsPolicy(model);
    const hot = { temperature: 1.5, topP: 1, maxTokens: 6, n: 2, seed: 11 };
    const once = await policy.generate(samples, hot);
    const again = await policy.generate(samples, hot);
    expect(again.map((cs) => cs.map((c) => c.text))).toEqual(once.map((cs) => cs.map((c) => c.text)));
  });

  it('returns the continuation without the forced prefix, and fails only the rows it cannot take', async () => {
    const policy = new TfjsPolicy(model);
    const bad = { ...sample('bad', 5), pixels: new Float32Array(10) };
    const out = await policy.generate([samples[0], bad], { ...greedy, n: 1, prefix: ['<caption>(0,1)</caption>', '<caption>x</caption>'] });
    expect(out[0][0].failed).toBeUndefined();
    expect(out[0][0].text.startsWith('<caption>')).toBe(false);
    expect(out[1][0]).toEqual({ text: '', failed: 'image has 10 pixels; the model takes 72×72' });
  });
});
