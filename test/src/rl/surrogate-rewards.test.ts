/**
 * Surrogate perception rewards against scripted policies: self:N re-solves with the image withheld and the
 * rollout's caption forced, averaging the oracle check over N; teacher agreement under samePerception with
 * one transcription per image; the embedding reward's encoder learns to match images with their captions.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { generatedSamples } from '../../../src/data/generated-samples.ts';
import type { Completion, GenerateOptions, Policy } from '../../../src/policy/policy.ts';
import type { Sample } from '../../../src/records.ts';
import { disposeEncoder, loadEncoder, saveEncoder, similarity } from '../../../src/rl/embed/encoder.ts';
import { trainEmbed } from '../../../src/rl/embed/train-embed.ts';
import { embedReward } from '../../../src/rl/rewards/embed-reward.ts';
import { selfReward } from '../../../src/rl/rewards/self-reward.ts';
import { rewardInputs } from '../../../src/rl/rewards/surrogate.ts';
import { teacherReward } from '../../../src/rl/rewards/teacher-reward.ts';
import { getTask } from '../../../src/tasks/registry.ts';
import type { Task } from '../../../src/tasks/task.ts';
import { useCpu } from '../model/fixtures.ts';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

let task: Task;
let samples: Sample[];
beforeAll(async () => {
  await useCpu();
  task = await getTask('gc');
  samples = [];
  for await (const s of generatedSamples(task, { split: 'train_rl', n: 3, seed: 1, options: { inputSize: 32 } })) samples.push(s);
});

/** A policy that answers from a script and remembers what it was asked. */
function scripted(
  answer: (sample: Sample, options: GenerateOptions, index: number, k: number) => string,
): Policy & { calls: { ids: string[]; options: GenerateOptions }[] } {
  const calls: { ids: string[]; options: GenerateOptions }[] = [];
  return {
    name: 'scripted',
    calls,
    async generate(batch: readonly Sample[], options: GenerateOptions): Promise<Completion[][]> {
      calls.push({ ids: batch.map((s) => s.puzzle.id), options });
      return batch.map((s, i) => Array.from({ length: options.n }, (_, k) => ({ text: answer(s, options, i, k) })));
    },
  };
}

const full = (s: Sample) => task.response(s.puzzle, {});
const answerOf = (s: Sample) => /<answer>(.*)<\/answer>/.exec(full(s))![1];

describe('selfReward', () => {
  it('re-solves N times from the forced caption without the image and averages the oracle check', async () => {
    // The scripted solver answers correctly on its first try only when the caption it is given is p*.
    const policy = scripted((s, o, i, k) => {
      const prefix = (o.prefix as string[])[i];
      return prefix === `<caption>${s.puzzle.pStar}</caption>` && k === 0 ? `solved<answer>${answerOf(s)}</answer>` : 'no<answer>0:0</answer>';
    });
    const reward = selfReward(policy, task, { n: 4, maxTokens: 50, temperature: 1, seed: 0 });
    expect(reward.name).toBe('self4');
    const texts = [full(samples[0]), '<caption>(0,1)</caption>x<answer>0:0</answer>', 'no caption at all'];
    const values = await reward.score(rewardInputs(samples, texts), 1);
    expect(values).toEqual([0.25, 0, 0]);
    expect(policy.calls).toHaveLength(1);
    expect(policy.calls[0].ids).toEqual([samples[0].puzzle.id, samples[1].puzzle.id]); // the caption-less rollout is not re-solved
    expect(policy.calls[0].options).toMatchObject({
      withImage: false,
      n: 4,
      prefix: [`<caption>${samples[0].puzzle.pStar}</caption>`, '<caption>(0,1)</caption>'],
    });
  });
});

describe('teacherReward', () => {
  it('is 1 where the caption agrees with the teacher under samePerception; one transcription per image', async () => {
    const teacher = scripted((s) => (s === samples[2] ? 'I cannot read it' : full(s)));
    const reward = teacherReward(teacher, task, { maxTokens: 50, seed: 0 });
    const edges = samples[0].puzzle.pStar.split(',(');
    const reordered = [...edges.slice(1).map((e) => `(${e}`), edges[0]].join(','); // same edge set, other order
    const inputs = rewardInputs(
      [samples[0], samples[0], samples[1], samples[2]],
      [`<caption>${reordered}</caption>`, '<caption>(0,1)</caption>', full(samples[1]), full(samples[2])],
    );
    expect(await reward.score(inputs, 1)).toEqual([task.samePerception(reordered, samples[0].puzzle.pStar) ? 1 : 0, 0, 1, 0]);
    expect(await reward.score(inputs.slice(0, 1), 2)).toHaveLength(1);
    expect(teacher.calls).toHaveLength(1);
    expect(teacher.calls[0].ids).toEqual([samples[0], samples[1], samples[2]].map((s) => s.puzzle.id));
    expect(teacher.calls[0].options.temperature).toBe(0);
    expect(reward.transcription(samples[2].puzzle.id)).toBe('I cannot read it');
  });
});

describe('embed encoder and reward', () => {
  it('trains on a batch whose draws all picked the same pair (2 samples, batch 2: half the steps)', async () => {
    const { loss, encoder } = await trainEmbed(task, { inputSize: 32, samples: 2, steps: 6, batch: 2, lr: 3e-3, tau: 0.1, seed: 0 });
    expect(Number.isFinite(loss)).toBe(true);
    disposeEncoder(encoder);
  });

  it('trains to match images with their own captions, saves and reloads the same similarities', async () => {
    const { encoder, loss } = await trainEmbed(task, { inputSize: 32, samples: 16, steps: 25, batch: 16, lr: 3e-3, tau: 0.1, seed: 0 });
    expect(loss).toBeLessThan(Math.log(16)); // below chance for 16-way matching
    const images = samples.map((s) => s.pixels!);
    const own = await similarity(
      encoder,
      images,
      samples.map((s) => s.puzzle.pStar),
    );
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'asymflow-embed-'));
    try {
      await saveEncoder(dir, encoder);
      const loaded = await loadEncoder(dir);
      expect(
        await similarity(
          loaded,
          images,
          samples.map((s) => s.puzzle.pStar),
        ),
      ).toEqual(own);
      const reward = embedReward(loaded);
      const values = await reward.score(rewardInputs(samples, [full(samples[0]), 'nothing', `<caption>${samples[2].puzzle.pStar}</caption>`]), 0);
      expect(values[0]).toBeCloseTo(own[0], 5);
      expect(values[1]).toBe(-1);
      expect(values[2]).toBeCloseTo(own[2], 5);
      disposeEncoder(loaded);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
      disposeEncoder(encoder);
    }
  }, 120_000); // 31 s under load on 2 cores, past the 30 s it had
});
