import * as tf from '@tensorflow/tfjs';
import { firstValueFrom, from, map, toArray } from 'rxjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { groupAdvantages } from '../../operators/group-advantages.ts';
import { grpoUpdate } from '../../operators/grpo-update.ts';
import { rollout } from '../../operators/rollout.ts';
import { AdamW } from '../../src/model/adamw.ts';
import { modelConfig } from '../../src/model/config.ts';
import { createVlm, disposeVlm } from '../../src/model/vlm.ts';
import type { Sample } from '../../src/records.ts';
import { GRPO_LOSS_DEFAULTS } from '../../src/rl/grpo-loss.ts';
import type { StepPrompts, StepRollouts, StepScored } from '../../src/rl/rl-step.ts';
import { Rng } from '../../src/rng.ts';
import { puzzles, sampleOf } from './rl-rollouts.ts';

// grpoUpdate on a one-layer, 32-wide model fed by the real rollout operator: the operator's contract, not learning.
const config = modelConfig('tiny', { inputSize: 32, d: 32, layers: 1, maxText: 256 });
const samples: Sample[] = [{ ...sampleOf(puzzles[0]), pixels: new Float32Array(32 * 32).fill(0.5), width: 32, height: 32 }];
const G = 2;

beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
});

const prompts = (steps: number[]): StepPrompts[] => steps.map((step) => ({ step, samples }));

describe('grpoUpdate (operator)', () => {
  it('turns each advantaged step into one update of epochs × mini-batches optimizer steps, one step at a time', async () => {
    const model = createVlm(config, 2);
    const ref = createVlm(config, 2);
    try {
      const optimizer = new AdamW(model.params, { lr: 1e-3, warmupSteps: 0 });
      const before = (await model.params.values().next().value!.data()).slice();
      // rewards 1, 0 within each prompt: every group has a preference, so the update is not a no-op
      const score = (s: StepRollouts): StepScored => ({
        ...s,
        unadvantaged: s.rollouts.map((r) => ({ ...r, a: r.group === 0 ? 1 : 0, ap: 0, arCond: 0, rewards: {}, reward: r.group === 0 ? 1 : 0 })),
        scoringMs: 0,
      });
      const updated = await firstValueFrom(
        from(prompts([1, 2])).pipe(
          rollout(model, ref, { group: G, temperature: 1, topP: 1, maxTokens: 6, batch: 8, bucket: 16, rng: new Rng(5) }),
          map(score),
          groupAdvantages(1e-6),
          grpoUpdate(model, optimizer, { loss: GRPO_LOSS_DEFAULTS, epochs: 1, miniBatches: 2, bucket: 16 }, new Rng(6)),
          toArray(),
        ),
      );
      expect(updated.map((u) => u.step)).toEqual([1, 2]);
      expect(updated.map((u) => u.update.optimizerSteps)).toEqual([2, 2]);
      expect(optimizer.step).toBe(4);
      for (const u of updated) {
        expect(Number.isFinite(u.update.loss)).toBe(true);
        expect(u.update.kl).toBeGreaterThanOrEqual(0);
        expect(u.updateMs).toBeGreaterThan(0);
        expect(u.advantaged.scored).toHaveLength(samples.length * G); // the step's earlier fields pass through
      }
      expect(await model.params.values().next().value!.data()).not.toEqual(before);
    } finally {
      disposeVlm(model);
      disposeVlm(ref);
    }
  }, 180_000); // a few CPU seconds alone; minutes on a loaded 2-core machine
});
