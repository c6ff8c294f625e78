import * as tf from '@tensorflow/tfjs';
import { firstValueFrom, from, toArray } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rollout } from '../../operators/rollout.ts';
import { modelConfig } from '../../src/model/config.ts';
import { createVlm, disposeVlm, type Vlm } from '../../src/model/vlm.ts';
import type { Sample } from '../../src/records.ts';
import type { StepPrompts } from '../../src/rl/rl-step.ts';
import { Rng } from '../../src/rng.ts';
import { puzzles, sampleOf } from './rl-rollouts.ts';

// rollout on a one-layer, 32-wide model: the operators' contracts, not learning.
const config = modelConfig('tiny', { inputSize: 32, d: 32, layers: 1, maxText: 256 });
const samples: Sample[] = puzzles.map((p, i) => ({ ...sampleOf(p), pixels: new Float32Array(32 * 32).fill(i / 2), width: 32, height: 32 }));
const G = 2;
const sampling = { group: G, temperature: 1, topP: 1, maxTokens: 6, batch: 8, bucket: 16 };
let policy: Vlm;
let reference: Vlm;

beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
  policy = createVlm(config, 1);
  reference = createVlm(config, 1);
});
afterAll(() => {
  disposeVlm(policy);
  disposeVlm(reference);
});

const prompts = (steps: number[]): StepPrompts[] => steps.map((step) => ({ step, samples }));

describe('rollout', () => {
  it('samples G rollouts per prompt, group-major, stamped with the step, with reference log-probs', async () => {
    const [out] = await firstValueFrom(from(prompts([3])).pipe(rollout(policy, reference, { ...sampling, rng: new Rng(9) }), toArray()));
    expect(out.rollouts.map((r) => `${r.sampleId}/${r.group}`)).toEqual([
      `${puzzles[0].id}/0`,
      `${puzzles[0].id}/1`,
      `${puzzles[1].id}/0`,
      `${puzzles[1].id}/1`,
    ]);
    expect(out.rollouts.every((r) => r.step === 3 && r.tokens.length <= 6 && r.logprobs.length === r.tokens.length)).toBe(true);
    expect(out.rollouts.every((r) => r.refLogprobs?.length === r.tokens.length)).toBe(true);
    // the reference has the policy's weights, so it gives the sampled tokens the policy's log-probs
    for (const r of out.rollouts) for (let k = 0; k < r.tokens.length; k++) expect(r.refLogprobs![k]).toBeCloseTo(r.logprobs[k], 4);
    expect(out.samples).toBe(samples);
    expect(out.rolloutMs).toBeGreaterThan(0);
  });

  it('leaves reference log-probs out without a reference, and draws from the run’s stream (same seed, same rollouts)', async () => {
    const run = (seed: number) => firstValueFrom(from(prompts([1])).pipe(rollout(policy, undefined, { ...sampling, rng: new Rng(seed) })));
    const [a, b] = [await run(4), await run(4)];
    expect(a.rollouts.map((r) => r.text)).toEqual(b.rollouts.map((r) => r.text));
    expect(a.rollouts.every((r) => r.refLogprobs === undefined)).toBe(true);
  });

  it('refuses a sample without model-input pixels, naming it', async () => {
    const bare: StepPrompts = { step: 1, samples: [sampleOf(puzzles[0])] };
    await expect(firstValueFrom(from([bare]).pipe(rollout(policy, undefined, { ...sampling, rng: new Rng(1) })))).rejects.toThrow(
      `rollout: sample ${puzzles[0].id} has no model-input pixels`,
    );
  });
});
