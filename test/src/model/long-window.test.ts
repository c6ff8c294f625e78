/**
 * The paper preset's text window (src/reproduce/paper-preset.ts: 2,560 positions) at a tiny width on the CPU:
 * a forward/backward pass over a row past 2,048 positions trains the positions there, and KV-cache sampling
 * past 2,048 positions gives the log-probs full-sequence scoring gives (the prefill, the decode steps and the
 * position table agree where the webgpu decoder switches to its long-window kernel, src/webgpu/decode-attention.ts).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { modelConfig, patchCount } from '../../../src/model/config.ts';
import { responseLogprobs, type TokenLogprobs } from '../../../src/model/logprobs.ts';
import { sample } from '../../../src/model/sample.ts';
import { disposeGradients, gradients } from '../../../src/model/train.ts';
import { createVlm, disposeVlm } from '../../../src/model/vlm.ts';
import { PAPER_MAX_TEXT } from '../../../src/reproduce/paper-preset.ts';
import { LONG_SLOTS, MAX_SLOTS, slotsFor, attentionWgsl, attentionWorkgroupBytes } from '../../../src/webgpu/decode-attention.ts';
import { Rng } from '../../../src/rng.ts';
import { promptTokens } from '../../../src/prompt.ts';
import { encode } from '../../../src/tokenizer.ts';
import { pixels, useCpu } from './fixtures.ts';

const config = modelConfig('tiny', { d: 8, heads: 1, layers: 1, inputSize: 16, patch: 8, maxText: PAPER_MAX_TEXT });

beforeAll(useCpu);

describe('the paper preset text window at a tiny width', () => {
  it('trains text positions past 2,048: finite loss, non-zero position gradients there', () => {
    const m = createVlm(config, 1);
    const prompt = promptTokens('Colour the nodes with the fewest colours.');
    const response = encode(`<caption>(0,1),(1,2)</caption>${'Node 1: neighbours 0=1; candidates 2; set 1=2. '.repeat(45)}<answer>0:1,1:2</answer>`);
    expect(prompt.length + response.length).toBeGreaterThan(2100);
    expect(prompt.length + response.length).toBeLessThanOrEqual(PAPER_MAX_TEXT);
    const g = gradients(
      m,
      [{ pixels: pixels(config, 1), prompt, response }],
      (o: TokenLogprobs) => tf.neg(tf.div(tf.sum(tf.mul(o.logp, o.mask)), tf.sum(o.mask))) as tf.Scalar,
    );
    try {
      expect(Number.isFinite(g.loss.dataSync()[0])).toBe(true);
      const pos = g.grads.textPos.arraySync() as number[][];
      expect(pos.length).toBe(PAPER_MAX_TEXT);
      const rowNorm = (r: number) => Math.hypot(...pos[r]);
      expect(rowNorm(2090)).toBeGreaterThan(0); // a response position past 2,048
      expect(rowNorm(PAPER_MAX_TEXT - 1)).toBe(0); // past the row: untouched
    } finally {
      disposeGradients(g);
      disposeVlm(m);
    }
  });

  it('samples past 2,048 positions with the log-probs full-sequence scoring gives', async () => {
    const m = createVlm(config, 2);
    const requests = [{ pixels: pixels(config, 3), prompt: promptTokens('x'.repeat(2050)) }];
    try {
      const gens = await sample(m, requests, { temperature: 1, topP: 1, maxTokens: 4, rng: new Rng(5), bucket: 64 });
      expect(patchCount(config) + requests[0].prompt.length + gens[0].tokens.length).toBeGreaterThan(MAX_SLOTS);
      const scored = await responseLogprobs(m, [{ ...requests[0], response: gens[0].tokens }], 64);
      for (let k = 0; k < gens[0].tokens.length; k++) expect(Math.abs(gens[0].logprobs[k] - scored[0][k])).toBeLessThan(1e-4);
    } finally {
      disposeVlm(m);
    }
  });

  it('picks the webgpu decoder kernel variant by cache size: the old one up to 2,048 slots, the long one past it', () => {
    expect(slotsFor(81 + 1024)).toBe(MAX_SLOTS);
    expect(slotsFor(MAX_SLOTS)).toBe(MAX_SLOTS);
    expect(slotsFor(patchCount(modelConfig('small', { maxText: PAPER_MAX_TEXT })) + PAPER_MAX_TEXT)).toBe(LONG_SLOTS);
    expect(slotsFor(LONG_SLOTS + 1)).toBeUndefined();
    expect(attentionWgsl(64)).toBe(attentionWgsl(64, MAX_SLOTS)); // the short-window kernel is unchanged
    expect(attentionWgsl(64, LONG_SLOTS)).toContain(`var<workgroup> s: array<f32, ${LONG_SLOTS}>;`);
    expect(attentionWorkgroupBytes(64, LONG_SLOTS)).toBeLessThanOrEqual(32768); // within what Dawn offers NVIDIA GPUs
  });
});
