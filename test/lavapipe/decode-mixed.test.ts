/**
 * Greedy sampling of a tiny model with the webgpu decoder under `--precision mixed` (its linears on the tensor
 * cores, rows-linear-tc.ts; the prefill's matmuls too) against the fp32 decoder, on lavapipe. f16 keeps 11
 * significant bits (unit roundoff 2⁻¹¹ ≈ 4.9e-4); a log-prob is a difference of logits, each of which moves by a
 * few roundoffs of its own size, and this model's logits (fresh init, std 0.02 weights) are well under 1 in size:
 * the stated bound is LOGPROB_BOUND = 4 · 2⁻¹¹ ≈ 0.00195 (measured: 2.0e-4). A residual linear reading the wrong
 * bias fails it (tried). Row by row, while both runs have emitted the same tokens: the same token
 * must have log-probs within the bound, and a different token is allowed only where the fp32 top-2 margin (from
 * the tfjs-op step's top log-probs, which must pick the fp32 decoder's tokens) is within twice the bound; the row's
 * comparison ends there. The mixed run must also differ from fp32 somewhere (else it did not round).
 * Weights changed between calls must reach the next call's f16 copies (a decoder that kept its copies fails it: tried).
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveBackend, type ResolvedBackend } from '../../src/backend/index.ts';
import { modelConfig } from '../../src/model/config.ts';
import { sample, type Generation, type SampleRequest } from '../../src/model/sample.ts';
import { createVlm, disposeVlm, type Vlm } from '../../src/model/vlm.ts';
import { promptTokens } from '../../src/prompt.ts';
import { Rng } from '../../src/rng.ts';
import { gpuDecodeCount, gpuDecodeMixedCount } from '../../src/webgpu/index.ts';

const LOGPROB_BOUND = 4 * 2 ** -11;
const TOKENS = 24;
/** Rows of the step: two of lavapipe's 8-row fragments, the second partly padding. */
const ROWS = 10;

let backend: ResolvedBackend | undefined;
afterAll(async () => {
  await backend?.dispose();
});

/** The tiny model with its gains and biases perturbed (a fresh model's are 1 and 0: a swapped one would pass). */
function tinyModel(): Vlm {
  const model = createVlm(modelConfig('tiny'), 'decode-mixed');
  const rng = new Rng('decode-mixed').split('perturb');
  for (const [name, v] of model.params) {
    if (v.rank !== 1) continue;
    const values = Float32Array.from({ length: v.size }, () => (name.endsWith('.g') ? 1 : 0) + 0.2 * rng.normal());
    tf.tidy(() => v.assign(tf.tensor1d(values)));
  }
  return model;
}

function requests(): SampleRequest[] {
  const rng = new Rng('decode-mixed').split('requests');
  const size = modelConfig('tiny').inputSize;
  return Array.from({ length: ROWS }, (_, i) => ({
    pixels: Float32Array.from({ length: size ** 2 }, () => rng.next()),
    prompt: promptTokens(`Solve ${'x'.repeat((i % 5) * 7)}`),
  }));
}

const greedy = { temperature: 0, topP: 1, maxTokens: TOKENS };

/** On a fresh webgpu backend of `precision`: greedy through the webgpu decoder, and (fp32) the tfjs-op step's top 2. */
async function run(precision: 'fp32' | 'mixed') {
  await backend?.dispose();
  backend = await resolveBackend('webgpu', { precision });
  expect(backend.precision).toBe(precision);
  const model = tinyModel();
  try {
    const [all, mixed] = [gpuDecodeCount(), gpuDecodeMixedCount()];
    const decoded = await sample(model, requests(), { ...greedy, rng: new Rng(1) });
    expect(gpuDecodeCount()).toBe(all + 1);
    expect(gpuDecodeMixedCount()).toBe(mixed + (precision === 'mixed' ? 1 : 0));
    const top = precision === 'fp32' ? await sample(model, requests(), { ...greedy, rng: new Rng(1), topLogprobs: 2 }) : undefined;
    expect(backend.gpuErrors()).toEqual([]);
    return { decoded, top };
  } finally {
    disposeVlm(model);
  }
}

describe('the webgpu decoder under mixed precision', () => {
  let fp32: Generation[];
  let top: Generation[];

  it('fp32: the decoder and the tfjs-op step pick the same tokens', async () => {
    const r = await run('fp32');
    fp32 = r.decoded;
    top = r.top!;
    fp32.forEach((g, i) => expect(Array.from(g.tokens)).toEqual(Array.from(top[i].tokens)));
  });

  it(`mixed: log-probs within ${LOGPROB_BOUND.toFixed(4)} of fp32, tokens equal where fp32's top-2 margin exceeds twice that`, async () => {
    const mixed = (await run('mixed')).decoded;
    let compared = 0;
    let worst = 0;
    let flips = 0;
    mixed.forEach((g, i) => {
      const f = fp32[i];
      for (let t = 0; t < Math.min(g.tokens.length, f.tokens.length); t++) {
        if (g.tokens[t] !== f.tokens[t]) {
          const [first, second] = top[i].top![t];
          expect(first.logprob - second.logprob, `row ${i} step ${t}: a token flip needs a near tie`).toBeLessThanOrEqual(2 * LOGPROB_BOUND);
          flips++;
          break;
        }
        worst = Math.max(worst, Math.abs(g.logprobs[t] - f.logprobs[t]));
        compared++;
      }
    });
    console.log(JSON.stringify({ compared, flips, worstLogprobDiff: worst, bound: LOGPROB_BOUND }));
    expect(worst).toBeLessThanOrEqual(LOGPROB_BOUND);
    expect(worst).toBeGreaterThan(0); // the f16 rounding happened
    expect(compared).toBeGreaterThanOrEqual(mixed.length * TOKENS * 0.5);
  });

  it('refreshes the f16 weight copies when the weights change between calls (as RL does)', async () => {
    const changed = (model: Vlm) => tf.tidy(() => model.params.get('blocks.0.mlp.fc.w')!.assign(tf.mul(model.params.get('blocks.0.mlp.fc.w')!, 1.5)));
    const logprobs = (gens: Generation[]) => gens.map((g) => Array.from(g.logprobs));
    const model = tinyModel();
    const fresh = tinyModel();
    try {
      const before = logprobs(await sample(model, requests(), { ...greedy, rng: new Rng(1) }));
      changed(model);
      const after = logprobs(await sample(model, requests(), { ...greedy, rng: new Rng(1) })); // reuses the first call's buffers
      changed(fresh);
      const direct = logprobs(await sample(fresh, requests(), { ...greedy, rng: new Rng(1) }));
      expect(after).not.toEqual(before);
      expect(after).toEqual(direct);
      expect(backend!.gpuErrors()).toEqual([]);
    } finally {
      disposeVlm(model);
      disposeVlm(fresh);
    }
  });
});
