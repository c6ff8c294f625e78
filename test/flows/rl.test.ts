/**
 * The RL flow end to end on the CPU with the tiny model: a few GRPO steps write rollouts.msgpack (tokens,
 * log-probs, spans, every reward), metrics and summary.json; an interrupted run resumed with --resume ends
 * with the same weights and the same recorded rollouts as an uninterrupted one; a stop during the final
 * evaluation abandons it at its next batch, and --resume evaluates it.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runRl } from '../../flows/rl.ts';
import { loadCheckpoint, weightsSha256 } from '../../src/model/checkpoint.ts';
import { disposeVlm } from '../../src/model/vlm.ts';
import type { Metric } from '../../src/records.ts';
import { resolveRlConfig } from '../../src/rl/rl-config.ts';
import type { RlScored } from '../../src/rl/rl-records.ts';
import type { SurrogateReward } from '../../src/rl/rewards/surrogate.ts';
import { useCpu } from '../src/model/fixtures.ts';
import { initCheckpoint } from './rl-fixtures.ts';
import { readAll } from './read-all.ts';

let dir: string;
let init: string;
beforeAll(async () => {
  await useCpu();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'asymflow-rl-'));
  init = await initCheckpoint(dir);
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

// An untrained model's rewards are all 0; this code-defined reward (share of digits in the response) varies
// within a group, so advantages are non-zero and the update moves the weights.
const digits: SurrogateReward = {
  name: 'digits',
  score: async (inputs) => inputs.map((x) => (x.text.match(/[0-9]/g)?.length ?? 0) / Math.max(1, x.text.length)),
};

const flags = (out: string, extra: Record<string, unknown> = {}) =>
  resolveRlConfig({
    init,
    out,
    steps: 2,
    prompts: 2,
    group: 4,
    maxTokens: 12,
    evalN: 2,
    evalMaxTokens: 12,
    rolloutBatch: 8,
    bucket: 16,
    alpha: 0.5,
    lr: 1e-3,
    scoreThreads: 0,
    checkpointEvery: 1,
    seed: 5,
    ...extra,
  });

describe('rl flow', () => {
  it('runs GRPO steps and records rollouts, metrics and the summary; resume continues exactly', async () => {
    const straight = path.join(dir, 'straight');
    const summary = await runRl({ config: flags(straight, { scoreThreads: 1 }), surrogate: digits, log: () => {} });
    expect(summary.steps).toBe(2);
    expect(summary.completed).toBe(true);
    expect(summary.before?.n).toBe(2);
    expect(summary.after?.a.count).toBe(2);
    expect(Object.keys(summary.rewards).sort()).toEqual(['arCond', 'digits', 'final', 'outcome', 'perception']);

    const rollouts = await readAll<RlScored>(path.join(straight, 'rollouts.msgpack'));
    expect(rollouts).toHaveLength(2 * 2 * 4);
    for (const r of rollouts) {
      expect(r.tokens).toBeInstanceOf(Int32Array);
      expect(r.logprobs).toBeInstanceOf(Float32Array);
      expect(r.refLogprobs!.length).toBe(r.tokens.length);
      expect(r.reward).toBeCloseTo(0.5 * r.rewards.digits + 0.5 * r.a, 6);
      expect(r.rewards.final).toBe(r.reward);
    }
    // Step 1's policy is the reference: their log-probs agree (sampler vs scorer, same weights).
    const first = rollouts.find((r) => r.step === 1)!;
    first.logprobs.forEach((lp, k) => expect(lp).toBeCloseTo(first.refLogprobs![k], 3));
    expect(rollouts.some((r) => r.advantage !== 0)).toBe(true);

    const metrics = await readAll<Metric>(path.join(straight, 'metrics.msgpack'));
    const names = new Set(metrics.map((m) => m.name));
    for (const name of [
      'reward/digits/mean',
      'reward/final/std',
      'train/fracRewardZeroStd',
      'train/kl',
      'train/clipFracHigh',
      'train/entropy',
      'diag/responseTokens',
      'diag/perceptionTokens',
      'throughput/rolloutsPerSec',
      'throughput/tokensPerSec',
      'time/rolloutMs',
      'time/scoringMs',
      'time/updateMs',
      'eval/a',
    ]) {
      expect(names, name).toContain(name);
    }
    const written = JSON.parse(fs.readFileSync(path.join(straight, 'summary.json'), 'utf8'));
    expect(written.after.ap.count).toBe(2);

    // Interrupted after 1 step, then resumed: same final weights and rollouts as the straight run.
    const tensors = tf.memory().numTensors; // after a first run has warmed the backend's caches
    const resumed = path.join(dir, 'resumed');
    const extra = path.join(dir, 'extra-rollouts.msgpack'); // --record FILE, continued across the resume too
    const partial = await runRl({ config: flags(resumed, { stopAfter: 1, record: extra }), surrogate: digits, log: () => {} });
    expect(partial).toMatchObject({ steps: 1, completed: false, after: null });
    await runRl({ config: flags(resumed, { resume: true, record: extra }), surrogate: digits, log: () => {} });
    expect(tf.memory().numTensors).toBe(tensors); // policy, reference and optimizer freed by each run
    const a = await loadCheckpoint(path.join(straight, 'checkpoints', 'latest'));
    const b = await loadCheckpoint(path.join(resumed, 'checkpoints', 'latest'));
    expect(await weightsSha256(b.model)).toBe(await weightsSha256(a.model));
    for (const x of [a, b]) (disposeVlm(x.model), x.optimizer?.dispose());
    const resumedMetrics = await readAll<Metric>(path.join(resumed, 'metrics.msgpack')); // continued, not truncated
    expect([...new Set(resumedMetrics.filter((m) => m.name === 'train/kl').map((m) => m.step))]).toEqual([1, 2]);
    const again = await readAll<RlScored>(path.join(resumed, 'rollouts.msgpack'));
    expect(again.map((r) => [r.step, r.text, r.reward])).toEqual(rollouts.map((r) => [r.step, r.text, r.reward]));
    const recorded = await readAll<RlScored>(extra);
    expect(recorded.map((r) => [r.step, r.text, r.reward])).toEqual(rollouts.map((r) => [r.step, r.text, r.reward]));
  }, 240_000); // 126 s on a loaded 2-core machine

  it('a stop during the after-training evaluation abandons it at the next batch; --resume evaluates it to the same figures', async () => {
    const one = (out: string, extra: Record<string, unknown> = {}) => flags(out, { steps: 1, rolloutBatch: 1, ...extra });
    const straight = await runRl({ config: one(path.join(dir, 'eval-straight')), surrogate: digits, log: () => {} });
    const out = path.join(dir, 'eval-stopped');
    const lines: string[] = [];
    let requestStop: (() => void) | undefined;
    const stopped = await runRl({
      config: one(out),
      surrogate: digits,
      log: (line) => {
        lines.push(line);
        if (line.startsWith('rl: evaluating after: 1/4')) requestStop!(); // 3 records to go: they must not be waited for
      },
      watch: (w) => void (requestStop = w.requestStop),
    });
    expect(lines).toContain('rl: evaluation after training abandoned after 1 records (stop requested); continue with --resume to evaluate it');
    expect(stopped).toMatchObject({ steps: 1, completed: false, after: null });
    const resumed = await runRl({ config: one(out, { resume: true }), surrogate: digits, log: () => {} });
    expect(resumed.completed).toBe(true);
    expect(resumed.after).toEqual(straight.after);

    // Stopped during the evaluation before training: nothing trained, nothing checkpointed, and it says so.
    const early: string[] = [];
    const before = await runRl({
      config: one(path.join(dir, 'eval-stopped-before')),
      surrogate: digits,
      log: (line) => {
        early.push(line);
        if (line.startsWith('rl: evaluating before: 1/4')) requestStop!();
      },
      watch: (w) => void (requestStop = w.requestStop),
    });
    expect(early).toContain('rl: evaluation before training abandoned after 1 records (stop requested); nothing was trained: start again with --overwrite');
    expect(before).toMatchObject({ steps: 0, completed: false, before: null, after: null });
    expect(fs.existsSync(path.join(dir, 'eval-stopped-before', 'checkpoints', 'latest'))).toBe(false);
  }, 240_000);
});
