/**
 * The correlation diagnostic: Pearson r against hand-computed values; re-scoring a recorded RL run (no
 * GPU, images re-rendered from the recorded puzzles) gives exactly the verdicts and the embedding reward
 * that were computed live; fresh rollouts from a checkpoint are recorded and diagnosed; the score worker
 * pool scores as in-process scoring does.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDiagnose } from '../../flows/diagnose.ts';
import { DIAGNOSE_DEFAULTS } from '../../src/rl/diagnose-config.ts';
import { runRl } from '../../flows/rl.ts';
import { diagnose, diagnoseTable } from '../../src/rl/diagnose.ts';
import { saveEncoder, disposeEncoder } from '../../src/rl/embed/encoder.ts';
import { trainEmbed } from '../../src/rl/embed/train-embed.ts';
import type { Unadvantaged } from '../../src/rl/rewards/combine.ts';
import { resolveRlConfig } from '../../src/rl/rl-config.ts';
import type { RlScored } from '../../src/rl/rl-records.ts';
import { createScorePool } from '../../src/rl/score-pool.ts';
import type { SurrogateReward } from '../../src/rl/rewards/surrogate.ts';
import { RecordingWriter } from '../../src/recording/index.ts';
import { getTask } from '../../src/tasks/registry.ts';
import { useCpu } from '../src/model/fixtures.ts';
import { initCheckpoint } from './rl-fixtures.ts';
import { readAll } from './read-all.ts';

let dir: string;
let init: string;
beforeAll(async () => {
  await useCpu();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'asymflow-diagnose-'));
  init = await initCheckpoint(dir);
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('diagnose', () => {
  it('computes Pearson r of the outcome reward and of surrogates against known values', () => {
    const rows = [
      { a: 1, ap: 1, arCond: 1, rewards: { s: 0.9 } },
      { a: 1, ap: 0, arCond: 1, rewards: { s: 0.1 } },
      { a: 0, ap: 1, arCond: 0, rewards: { s: 0.8 } },
      { a: 0, ap: 0, arCond: 0, rewards: { s: 0.2 } },
    ];
    const s = diagnose(rows, { 'self:1': 's' });
    expect(s.rollouts).toBe(4);
    expect(s.rRewardPerception.r).toBeCloseTo(0, 12);
    expect(s.rRewardReasoning.r).toBe(1);
    expect(s.surrogates['self:1'].r).toBeCloseTo(0.7 / Math.sqrt(0.5), 10); // Σdxdy = 0.7, Σdx² = 0.5, Σdy² = 1
    expect(s.surrogates['self:1'].mean).toBeCloseTo(0.5, 12);
    expect(s.values).toEqual({
      a: rows.map((r) => r.a),
      ap: rows.map((r) => r.ap),
      arCond: rows.map((r) => r.arCond),
      surrogates: { 'self:1': rows.map((r) => r.rewards.s) },
    });
    const c = s.surrogates['self:1'];
    expect(diagnoseTable(s)).toContain(`| self:1 | 0.500 | ${c.r.toFixed(3)} [${c.ci95[0].toFixed(3)}, ${c.ci95[1].toFixed(3)}] |`);
    expect(() => diagnose(rows, { embed: 'embed' })).toThrow("diagnose: rollout 0 has no 'embed' reward");
  });

  it('re-scores a recorded run exactly as it was scored live, and diagnoses fresh rollouts', async () => {
    const task = await getTask('gc');
    const { encoder } = await trainEmbed(task, { inputSize: 32, samples: 8, steps: 2, batch: 8, lr: 3e-3, tau: 0.1, seed: 0 });
    const embed = path.join(dir, 'embed');
    await saveEncoder(embed, encoder);
    disposeEncoder(encoder);

    const out = path.join(dir, 'rl');
    await runRl({
      config: resolveRlConfig({
        init,
        out,
        steps: 1,
        prompts: 3,
        group: 2,
        maxTokens: 10,
        evalN: 0,
        rolloutBatch: 6,
        bucket: 16,
        reward: 'embed',
        embed,
        alpha: 0.5,
        scoreThreads: 0,
      }),
      log: () => {},
    });
    const tensors = tf.memory().numTensors; // after a first run has warmed the backend's caches
    const live = await readAll<RlScored>(path.join(out, 'rollouts.msgpack'));
    const d = path.join(dir, 'diag');
    const summary = await runDiagnose({
      rollouts: path.join(out, 'rollouts.msgpack'),
      rewards: [{ kind: 'outcome' }, { kind: 'embed' }],
      embed,
      n: 1,
      temperature: 1,
      maxTokens: 10,
      batch: 4,
      seed: 0,
      scoreThreads: 1,
      out: d,
      config: DIAGNOSE_DEFAULTS,
      log: () => {},
    });
    const rescored = await readAll<Unadvantaged>(path.join(d, 'scored.msgpack'));
    expect(rescored.map((r) => [r.sampleId, r.group, r.a, r.ap, r.arCond, r.rewards.embed])).toEqual(
      live.map((r) => [r.sampleId, r.group, r.a, r.ap, r.arCond, r.rewards.embed]),
    );
    const written = JSON.parse(fs.readFileSync(path.join(d, 'summary.json'), 'utf8'));
    expect(written.rollouts).toBe(6);
    for (const key of ['rRewardPerception', 'rRewardReasoning']) expect(written).toHaveProperty(key);
    expect(Object.keys(summary.surrogates)).toEqual(['embed']);
    expect(fs.readFileSync(path.join(d, 'table.md'), 'utf8')).toContain('outcome reward a vs perception a_p');

    const fresh = path.join(dir, 'fresh');
    const freshLines: string[] = [];
    const f = await runDiagnose({
      checkpoint: init,
      task: 'gc',
      rewards: [{ kind: 'outcome' }, { kind: 'self', n: 2 }],
      n: 3,
      temperature: 1,
      maxTokens: 8,
      batch: 2,
      bucket: 16,
      seed: 0,
      scoreThreads: 0,
      out: fresh,
      config: DIAGNOSE_DEFAULTS,
      log: (line) => freshLines.push(line),
    });
    expect(f.rollouts).toBe(3);
    expect(freshLines.filter((l) => l.startsWith('diagnose: scoring: 3/3 (100%)'))).toHaveLength(1); // fresh sampling shows its progress
    expect(f.surrogates['self:2'].n).toBe(3);
    const recorded = await readAll<RlScored>(path.join(fresh, 'rollouts.msgpack'));
    expect(recorded).toHaveLength(3);
    const again = await runDiagnose({
      rollouts: path.join(fresh, 'rollouts.msgpack'),
      rewards: [{ kind: 'outcome' }],
      n: 1,
      temperature: 1,
      maxTokens: 8,
      batch: 8,
      seed: 0,
      scoreThreads: 0,
      out: path.join(dir, 'again'),
      config: DIAGNOSE_DEFAULTS,
      log: () => {},
    });
    expect(again.means).toEqual(f.means);
    expect(tf.memory().numTensors).toBe(tensors); // checkpoint models and the loaded encoder are freed
  }, 60_000);

  it('scores 2,520 recorded rollouts batch by batch: no scoring call sees more than one batch', async () => {
    const live = await readAll<RlScored>(path.join(dir, 'rl', 'rollouts.msgpack'));
    const file = path.join(dir, 'many.msgpack');
    const writer = RecordingWriter.open(file, { kind: 'rollouts', config: { rl: { task: 'gc' } } });
    const N = 2520;
    for (let i = 0; i < N; i++) writer.write({ ...live[i % live.length], step: Math.floor(i / 6) + 1 });
    writer.close();
    const calls: number[] = [];
    const counting: SurrogateReward = {
      name: 'counting',
      score: async (inputs) => (calls.push(inputs.length), inputs.map((x) => (x.caption === undefined ? 0 : 1))),
    };
    const lines: string[] = [];
    const summary = await runDiagnose({
      rollouts: file,
      rewards: [{ kind: 'outcome' }],
      surrogates: [counting],
      n: 1,
      temperature: 1,
      maxTokens: 8,
      batch: 500,
      seed: 0,
      scoreThreads: 0,
      out: path.join(dir, 'many'),
      config: DIAGNOSE_DEFAULTS,
      log: (l) => lines.push(l),
    });
    expect(summary.rollouts).toBe(N);
    expect(summary.values.a).toHaveLength(N);
    expect(calls).toEqual([500, 500, 500, 500, 500, 20]);
    expect(summary.means.a).toBeCloseTo(live.reduce((t, r) => t + r.a, 0) / live.length, 12);
    expect(lines[0]).toBe(`Correlation diagnostic over ${N} rollouts (Pearson r, 95% Fisher-z interval)`);
  }, 60_000);

  it('scores the same in the worker pool as in process', async () => {
    const task = await getTask('gc');
    const live = await readAll<RlScored>(path.join(dir, 'rl', 'rollouts.msgpack'));
    const items = [...live, ...live.map((r) => ({ ...r, text: task.response(r.puzzle, {}) }))].map((r) => ({ puzzle: r.puzzle, text: r.text }));
    const [inProcess, pooled] = [createScorePool(0), createScorePool(2, 3)];
    try {
      const a = await inProcess.score('gc', items);
      expect(await pooled.score('gc', items)).toEqual(a);
      expect(a.slice(live.length).every((v) => v.a === 1 && v.ap === 1)).toBe(true);
    } finally {
      await Promise.all([inProcess.close(), pooled.close()]);
    }
  });
});
