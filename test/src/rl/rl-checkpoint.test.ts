/** RL checkpoints (src/rl/rl-checkpoint.ts): a round trip keeps step, RNG streams and progress; a foreign one is refused by name. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdamW } from '../../../src/model/adamw.ts';
import { saveCheckpoint, weightsSha256 } from '../../../src/model/checkpoint.ts';
import { modelConfig } from '../../../src/model/config.ts';
import { createVlm, disposeVlm } from '../../../src/model/vlm.ts';
import { RewardTotals } from '../../../src/rl/reward-totals.ts';
import { loadRlCheckpoint, rlSavedStep, saveRlCheckpoint } from '../../../src/rl/rl-checkpoint.ts';
import { Rng } from '../../../src/rng.ts';
import { useCpu } from '../model/fixtures.ts';

let dir: string;
beforeAll(async () => {
  await useCpu();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'asymflow-rl-checkpoint-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const micro = modelConfig('tiny', { inputSize: 32, d: 32, layers: 1, maxText: 64 });

describe('rl checkpoint', () => {
  it('saves and loads weights, optimizer, both RNG streams, the GRPO step and the progress', async () => {
    const model = createVlm(micro, 1);
    const optimizer = new AdamW(model.params, { lr: 1e-3, weightDecay: 0 });
    const rollout = new Rng(7).split('rollout');
    const update = new Rng(7).split('update');
    rollout.next();
    const totals = new RewardTotals({ rollouts: 4, sums: { final: 1.5 }, squares: { final: 0.75 }, phaseMs: { rollout: 1, scoring: 2, update: 3 } });
    const out = path.join(dir, 'latest');
    await saveRlCheckpoint(out, {
      model,
      optimizer,
      rngs: { rollout, update },
      step: 3,
      progress: { before: null, totals: totals.state() },
      config: { task: 'gc' },
    });
    expect(rlSavedStep(out)).toBe(3);
    const loaded = await loadRlCheckpoint(out);
    expect(loaded.step).toBe(3);
    expect(loaded.progress).toEqual({ before: null, totals: totals.state() });
    expect(loaded.config).toEqual({ task: 'gc' });
    expect(loaded.rngs.rollout.next()).toBe(rollout.next());
    expect(loaded.rngs.update.next()).toBe(update.next());
    expect(await weightsSha256(loaded.model)).toBe(await weightsSha256(model));
    for (const m of [model, loaded.model]) disposeVlm(m);
    for (const o of [optimizer, loaded.optimizer]) o.dispose();
  });

  it('refuses a checkpoint without optimizer state (an --init checkpoint), naming the file', async () => {
    const model = createVlm(micro, 1);
    const init = path.join(dir, 'init');
    await saveCheckpoint(init, { model });
    disposeVlm(model);
    await expect(loadRlCheckpoint(init)).rejects.toThrow(`${path.join(init, 'checkpoint.json')}: no optimizer state; not an asymflow rl checkpoint`);
    expect(() => rlSavedStep(init)).toThrow(`${path.join(init, 'checkpoint.json')}: no GRPO step to resume from; not an asymflow rl checkpoint`);
  });
});
