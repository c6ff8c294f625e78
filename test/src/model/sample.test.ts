import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { patchCount, patchDim } from '../../../src/model/config.ts';
import { hiddenStates, logits, patchify } from '../../../src/model/forward.ts';
import { responseLogprobs } from '../../../src/model/logprobs.ts';
import { promptTokens } from '../../../src/prompt.ts';
import { sample, type SampleRequest } from '../../../src/model/sample.ts';
import { createVlm, param, type Vlm } from '../../../src/model/vlm.ts';
import { Rng } from '../../../src/rng.ts';
import { TAG_IDS } from '../../../src/tokenizer.ts';
import { BUCKET, pixels, tiny, useCpu } from './fixtures.ts';

beforeAll(useCpu);

const requests: SampleRequest[] = [
  { pixels: pixels(tiny, 1), prompt: promptTokens('Colour the graph.') },
  { pixels: pixels(tiny, 2), prompt: promptTokens('Solve the sudoku and give the grid.', '<caption>') },
];

/** Greedy decoding without a cache: the whole sequence through the model for every new token. */
async function greedyNoCache(m: Vlm, req: SampleRequest, n: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const seq = Int32Array.from([...req.prompt, ...out]);
    const z = tf.tidy(() => {
      const h = hiddenStates(m, {
        patches: tf.tensor3d(patchify(req.pixels, tiny), [1, patchCount(tiny), patchDim(tiny)]),
        ids: tf.tensor2d(seq, [1, seq.length], 'int32'),
        positions: tf.tensor2d(Int32Array.from(seq.keys()), [1, seq.length], 'int32'),
      });
      return logits(m, tf.slice(h, [0, patchCount(tiny) + seq.length - 1, 0], [1, 1, tiny.d]) as tf.Tensor3D);
    });
    const values = Array.from(await z.data());
    z.dispose();
    out.push(values.indexOf(Math.max(...values)));
  }
  return out;
}

describe('sample', () => {
  const m = createVlm(tiny, 11);

  it('returns the log-probs that full-sequence scoring gives the sampled tokens', async () => {
    const gens = await sample(m, requests, { temperature: 1, topP: 1, maxTokens: 20, rng: new Rng(4), bucket: BUCKET });
    const scored = await responseLogprobs(
      m,
      requests.map((r, i) => ({ ...r, response: gens[i].tokens })),
      BUCKET,
    );
    gens.forEach((g, i) => {
      expect(g.tokens.length).toBeGreaterThan(0);
      expect(g.logprobs.length).toBe(g.tokens.length);
      for (let k = 0; k < g.tokens.length; k++) expect(Math.abs(g.logprobs[k] - scored[i][k])).toBeLessThan(1e-4);
    });
    expect(gens[1].text.startsWith('<caption>')).toBe(true);
    // The prefix-LM mask of this shape is cached now; another call leaves no tensor behind.
    const before = tf.memory().numTensors;
    await sample(m, requests, { temperature: 1, topP: 1, maxTokens: 3, rng: new Rng(4), bucket: BUCKET });
    expect(tf.memory().numTensors).toBe(before);
  });

  it('greedy with the KV cache picks the same tokens as greedy without it, deterministically', async () => {
    const options = { temperature: 0, topP: 1, maxTokens: 8, rng: new Rng(1), bucket: BUCKET };
    const a = await sample(m, requests, options);
    const b = await sample(m, requests, { ...options, rng: new Rng(99) });
    for (let i = 0; i < requests.length; i++) {
      expect(Array.from(a[i].tokens)).toEqual(Array.from(b[i].tokens));
      expect(Array.from(a[i].tokens)).toEqual(await greedyNoCache(m, requests[i], a[i].tokens.length));
    }
  });

  it('greedy rows are bit-identical alone and batched with longer prompts (what serve = in-process relies on)', async () => {
    // A batch-mate with a much longer prompt changes the padded prompt width and the cache capacity.
    const long = { pixels: pixels(tiny, 3), prompt: promptTokens('Colour the graph. '.repeat(6), '<caption>(0,1),(1,2)</caption>') };
    const options = { temperature: 0, topP: 1, maxTokens: 8, rng: new Rng(1), bucket: BUCKET };
    const alone = [await sample(m, [requests[0]], options), await sample(m, [requests[1]], options)].map(([g]) => g);
    const batched = await sample(m, [long, requests[1], requests[0]], options);
    expect(long.prompt.length).toBeGreaterThan(requests[1].prompt.length + 2 * BUCKET);
    for (const [i, g] of [
      [0, batched[2]],
      [1, batched[1]],
    ] as const) {
      expect(Array.from(g.tokens)).toEqual(Array.from(alone[i].tokens));
      expect(Array.from(g.logprobs)).toEqual(Array.from(alone[i].logprobs)); // exact, not close
    }
  });

  it('reproduces samples from the same seed, and differs with another seed', async () => {
    const run = (seed: number) => sample(m, requests, { temperature: 1, topP: 0.9, maxTokens: 12, rng: new Rng(seed), bucket: BUCKET });
    const [a, b, c] = [await run(5), await run(5), await run(6)];
    expect(a.map((g) => g.text)).toEqual(b.map((g) => g.text));
    expect(a.map((g) => g.text)).not.toEqual(c.map((g) => g.text));
    expect(a.every((g) => (g.finish === 'length' ? g.tokens.length === 12 : g.tokens.length <= 12))).toBe(true);
  });

  it('with one Rng per row samples a row the same alone and batched, whatever the row order', async () => {
    const options = { temperature: 1, topP: 1, maxTokens: 10, bucket: BUCKET };
    const alone = (await sample(m, [requests[1]], { ...options, rng: [new Rng(8)] }))[0];
    const batched = await sample(m, [requests[0], requests[1]], { ...options, rng: [new Rng(3), new Rng(8)] });
    expect(Array.from(batched[1].tokens)).toEqual(Array.from(alone.tokens));
    const shared = await sample(m, [requests[0], requests[1]], { ...options, rng: new Rng(8) }); // one stream: row 1 draws after row 0
    expect(Array.from(shared[1].tokens)).not.toEqual(Array.from(alone.tokens));
  });

  it('gives the k most likely tokens at each step, the sampled one among them when greedy', async () => {
    const [g] = await sample(m, requests.slice(0, 1), { temperature: 0, topP: 1, maxTokens: 4, rng: new Rng(1), bucket: BUCKET, topLogprobs: 3 });
    expect(g.top).toHaveLength(g.tokens.length);
    g.top!.forEach((top, k) => {
      expect(top.map((t) => t.token)[0]).toBe(g.tokens[k]);
      expect(top[0].logprob).toBeCloseTo(g.logprobs[k], 5);
      expect(top[0].logprob).toBeGreaterThanOrEqual(top[1].logprob);
      expect(top[1].logprob).toBeGreaterThanOrEqual(top[2].logprob);
    });
  });

  it('stops at </answer>', async () => {
    const forced = createVlm(tiny, 11);
    // Final LayerNorm outputs a constant pointing at the </answer> embedding, so the tied head prefers it.
    const target = tf.tidy(() => tf.mul(tf.gather(param(forced, 'tokEmb'), TAG_IDS.answerClose), 1000));
    param(forced, 'lnf.b').assign(target as tf.Tensor1D);
    param(forced, 'lnf.g').assign(tf.zerosLike(param(forced, 'lnf.g')));
    target.dispose();
    const [g] = await sample(forced, requests.slice(0, 1), { temperature: 0, topP: 1, maxTokens: 5, rng: new Rng(1), bucket: BUCKET });
    expect(g.finish).toBe('answer');
    expect(Array.from(g.tokens)).toEqual([TAG_IDS.answerClose]);
    expect(g.text).toBe('</answer>');
  });

  it('rejects bad options with exact messages', async () => {
    const rng = new Rng(1);
    await expect(sample(m, requests, { temperature: -1, topP: 1, maxTokens: 1, rng })).rejects.toThrow(
      'sample: temperature must be a finite number >= 0, got -1',
    );
    await expect(sample(m, requests, { temperature: 1, topP: 0, maxTokens: 1, rng })).rejects.toThrow('sample: topP must be in (0, 1], got 0');
  });
});
