/**
 * The GRPO update on a real (tiny) model: per-token advantage layout with token reweighting, mini-batch
 * partitions, and one update's effect — a positive-advantage response becomes more likely, a negative one
 * less; on-policy with the policy as reference the KL and the clip fractions are 0; no tensors leak.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { AdamW } from '../../../src/model/adamw.ts';
import { prepareBatch, responseLogprobs } from '../../../src/model/logprobs.ts';
import { createVlm, disposeVlm } from '../../../src/model/vlm.ts';
import { Rng } from '../../../src/rng.ts';
import { applyGrpoUpdate, miniBatchIndices, updateArrays, type UpdateRow } from '../../../src/rl/grpo-update.ts';
import { GRPO_LOSS_DEFAULTS } from '../../../src/rl/grpo-loss.ts';
import { resolveRlConfig } from '../../../src/rl/rl-config.ts';
import { updateConfig } from '../../../src/rl/update-config.ts';
import { BUCKET, rows as fixtureRows, tiny, useCpu } from '../model/fixtures.ts';

beforeAll(useCpu);

function updateRows(advantages: number[], logps: Float32Array[]): UpdateRow[] {
  return fixtureRows(tiny, advantages.length).map((r, i) => ({
    pixels: r.pixels,
    prompt: r.prompt,
    tokens: r.response,
    oldLogprobs: logps[i],
    refLogprobs: logps[i],
    advantage: advantages[i],
  }));
}

describe('updateArrays', () => {
  it('spreads each sequence advantage over its tokens; λ = |p|/|y| leaves them unchanged, other λ rescale the spans', () => {
    const base = fixtureRows(tiny, 2);
    const rows = base.map((r, i) => ({
      pixels: r.pixels,
      prompt: r.prompt,
      tokens: r.response,
      oldLogprobs: new Float32Array(r.response.length),
      refLogprobs: new Float32Array(r.response.length),
      advantage: i ? -2 : 1.5,
    }));
    const batch = prepareBatch(tiny, base, BUCKET);
    const plain = updateArrays(batch, rows).adv;
    const R = batch.responseColumns;
    rows.forEach((row, i) => {
      for (let k = 0; k < R; k++) expect(plain[i * R + k]).toBe(k < row.tokens.length ? row.advantage : 0);
    });
    // λ equal to row 0's perception fraction: row 0's advantages stay exactly A.
    const p = batch.maskP.subarray(0, R).reduce((a, b) => a + b, 0);
    const r = batch.maskR.subarray(0, R).reduce((a, b) => a + b, 0);
    const same = updateArrays(batch, rows, p / (p + r)).adv;
    for (let k = 0; k < rows[0].tokens.length; k++) expect(same[k]).toBeCloseTo(1.5, 5);
    // λ = 1: all weight on perception tokens (|y|/|p|·A), none on reasoning.
    const perceptionOnly = updateArrays(batch, rows, 1).adv;
    for (let k = 0; k < rows[0].tokens.length; k++) {
      const expected = batch.maskP[k] ? (1.5 * (p + r)) / p : batch.maskR[k] ? 0 : 1.5;
      expect(perceptionOnly[k]).toBeCloseTo(expected, 5);
    }
  });

  it("the paper's RL token-reweighting grid --token-lambda 0.1 / 0.2 / 0.5 reaches the update and weighs the spans λ·|y|/|p|, (1−λ)·|y|/|r|", () => {
    const base = fixtureRows(tiny, 1);
    const rows = [
      {
        pixels: base[0].pixels,
        prompt: base[0].prompt,
        tokens: base[0].response,
        oldLogprobs: new Float32Array(base[0].response.length),
        refLogprobs: new Float32Array(base[0].response.length),
        advantage: 2,
      },
    ];
    const batch = prepareBatch(tiny, base, BUCKET);
    const p = batch.maskP.reduce((a, b) => a + b, 0);
    const r = batch.maskR.reduce((a, b) => a + b, 0);
    expect(p).toBeGreaterThan(0);
    expect(r).toBeGreaterThan(0);
    expect(updateConfig(resolveRlConfig({ init: 'x', out: 'y' })).tokenLambda).toBeUndefined(); // off by default
    const spans = new Set<string>();
    for (const flag of ['0.1', '0.2', '0.5']) {
      const lambda = updateConfig(resolveRlConfig({ init: 'x', out: 'y', tokenLambda: flag })).tokenLambda!; // as the CLI passes it
      expect(lambda).toBe(Number(flag));
      const adv = updateArrays(batch, rows, lambda).adv;
      for (let k = 0; k < rows[0].tokens.length; k++) {
        const expected = batch.maskP[k] ? (2 * lambda * (p + r)) / p : batch.maskR[k] ? (2 * (1 - lambda) * (p + r)) / r : 2;
        expect(adv[k]).toBeCloseTo(expected, 4);
      }
      spans.add(Array.from(adv).join(','));
    }
    expect(spans.size).toBe(3);
  });

  it('refuses log-probs that do not match the tokens', () => {
    const base = fixtureRows(tiny, 1);
    const batch = prepareBatch(tiny, base, BUCKET);
    const row = {
      pixels: base[0].pixels,
      prompt: base[0].prompt,
      tokens: base[0].response,
      oldLogprobs: new Float32Array(2),
      refLogprobs: new Float32Array(2),
      advantage: 1,
    };
    expect(() => updateArrays(batch, [row])).toThrow(`applyGrpoUpdate: row 0 has ${base[0].response.length} tokens but 2 old / 2 reference log-probs`);
  });
});

describe('miniBatchIndices', () => {
  it('partitions every index exactly once into near-equal parts', () => {
    const parts = miniBatchIndices(10, 3, new Rng(1));
    expect(parts.map((p) => p.length)).toEqual([3, 3, 4]);
    expect(parts.flat().sort((a, b) => a - b)).toEqual([...Array(10).keys()]);
    expect(miniBatchIndices(2, 4, new Rng(1))).toHaveLength(2);
  });
});

describe('applyGrpoUpdate', () => {
  it('raises positive-advantage responses, lowers negative ones; KL and clipping are 0 on-policy; no leaks', async () => {
    const model = createVlm(tiny, 11);
    const base = fixtureRows(tiny, 2);
    const before = await responseLogprobs(model, base, BUCKET);
    const optimizer = new AdamW(model.params, { lr: 1e-3, weightDecay: 0 });
    const rows = updateRows([1, -1], before);
    const tensors = tf.memory().numTensors;
    const stats = await applyGrpoUpdate(
      model,
      optimizer,
      rows,
      { loss: { ...GRPO_LOSS_DEFAULTS, klCoef: 0.1 }, epochs: 1, miniBatches: 1, bucket: BUCKET },
      new Rng(2),
    );
    expect(tf.memory().numTensors).toBe(tensors);
    expect(stats.kl).toBeCloseTo(0, 6);
    expect(stats.clipFracLow + stats.clipFracHigh + stats.dualClipFrac).toBe(0);
    expect(stats.optimizerSteps).toBe(1);
    const after = await responseLogprobs(model, base, BUCKET);
    const sum = (x: Float32Array) => x.reduce((a, b) => a + b, 0);
    expect(sum(after[0])).toBeGreaterThan(sum(before[0]));
    expect(sum(after[1])).toBeLessThan(sum(before[1]));
    // A second update against the same old log-probs is off-policy now: the KL to the reference grows.
    const again = await applyGrpoUpdate(model, optimizer, rows, { loss: GRPO_LOSS_DEFAULTS, epochs: 2, miniBatches: 2, bucket: BUCKET }, new Rng(3));
    expect(again.optimizerSteps).toBe(4);
    expect(again.kl).toBeGreaterThan(0);
    // Micro-batches of one row: one optimizer step, each row's token-mean loss weighted equally, no leaks.
    const count = tf.memory().numTensors;
    const split = await applyGrpoUpdate(
      model,
      optimizer,
      rows,
      { loss: GRPO_LOSS_DEFAULTS, epochs: 1, miniBatches: 1, microBatch: 1, bucket: BUCKET },
      new Rng(4),
    );
    expect(split.optimizerSteps).toBe(1);
    expect(tf.memory().numTensors).toBe(count);
    expect(split.kl).toBeGreaterThan(0);
    optimizer.dispose();
    disposeVlm(model);
  });
});
