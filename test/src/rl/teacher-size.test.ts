/**
 * `--reward teacher:CHECKPOINT` with a larger model of ours than the policy, at another input size (as `small`
 * at 144 px would teach `tiny` at 72): the policy's samples carry pixels the teacher cannot read, so every
 * transcription failed and the reward was silently 0; the teacher now reads each image re-rendered at its own
 * size (make-reward.ts atInputSize), passed through teacherReward's `prepare`.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generatedSamples } from '../../../src/data/generated-samples.ts';
import { saveCheckpoint } from '../../../src/model/checkpoint.ts';
import { modelConfig } from '../../../src/model/config.ts';
import { createVlm, disposeVlm } from '../../../src/model/vlm.ts';
import type { Completion, GenerateOptions, Policy } from '../../../src/policy/policy.ts';
import { loadTfjsPolicy } from '../../../src/policy/tfjs-policy.ts';
import type { Sample } from '../../../src/records.ts';
import { atInputSize, makeSurrogateReward } from '../../../src/rl/rewards/make-reward.ts';
import { rewardInputs } from '../../../src/rl/rewards/surrogate.ts';
import { teacherReward } from '../../../src/rl/rewards/teacher-reward.ts';
import { gcTask } from '../../../src/tasks/gc/index.ts';
import { useCpu } from '../model/fixtures.ts';

let dir: string;
let teacherDir: string;
let samples: Sample[];
const OPTIONS = { minNodes: 3, maxNodes: 4, heldOut: 0 };
beforeAll(async () => {
  await useCpu();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'asymflow-teacher-size-'));
  teacherDir = path.join(dir, 'teacher');
  const model = createVlm(modelConfig('tiny', { inputSize: 48, d: 48, layers: 2, maxText: 256 }), 1); // wider, deeper, 48 px
  await saveCheckpoint(teacherDir, { model });
  disposeVlm(model);
  samples = [];
  for await (const s of generatedSamples(gcTask, { split: 'train_rl', n: 2, seed: 0, options: { ...OPTIONS, inputSize: 32 } })) samples.push(s); // the policy's 32 px
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('teacher:CHECKPOINT of a larger model', () => {
  it('reads the image re-rendered at its own input size, where the policy-size pixels fail', async () => {
    const teacher = await loadTfjsPolicy(teacherDir, { name: 'teacher' });
    try {
      const sampling = { temperature: 0, topP: 1, maxTokens: 4, n: 1, seed: 0 };
      const [asIs] = await teacher.generate([samples[0]], sampling);
      expect(asIs[0].failed).toMatch(/the model takes 48×48/);
      const resized = await atInputSize(gcTask, OPTIONS, 48)(samples[0]);
      expect(resized.pixels).toEqual((await gcTask.render(samples[0].puzzle, { ...OPTIONS, inputSize: 48 })).pixels);
      expect(await atInputSize(gcTask, OPTIONS, 32)(samples[0])).toBe(samples[0]); // already the right size: as it is
      const [read] = await teacher.generate([resized], sampling);
      expect(read[0].failed).toBeUndefined();
    } finally {
      await teacher.close?.();
    }
    // Through --reward teacher:DIR as rl and diagnose build it: scores without error.
    const reward = await makeSurrogateReward(
      { kind: 'teacher', policy: teacherDir },
      { task: gcTask, taskOptions: OPTIONS, maxTokens: 4, temperature: 0, seed: 0 },
    );
    try {
      const values = await reward!.score(
        rewardInputs(
          samples,
          samples.map((s) => gcTask.response(s.puzzle, {})),
        ),
        1,
      );
      expect(values).toHaveLength(2);
    } finally {
      await reward!.close?.();
    }
  }, 60_000);

  it('teacherReward asks the teacher with the prepared samples', async () => {
    const seen: number[] = [];
    const policy: Policy = {
      name: 'scripted',
      async generate(batch: readonly Sample[], options: GenerateOptions): Promise<Completion[][]> {
        for (const s of batch) seen.push(s.pixels!.length);
        return batch.map((s) => Array.from({ length: options.n }, () => ({ text: `<caption>${s.puzzle.pStar}</caption>` })));
      },
    };
    const reward = teacherReward(policy, gcTask, { maxTokens: 8, seed: 0, prepare: atInputSize(gcTask, OPTIONS, 48) });
    const values = await reward.score(
      rewardInputs(
        samples,
        samples.map((s) => gcTask.response(s.puzzle, {})),
      ),
      1,
    );
    expect(values).toEqual([1, 1]);
    expect(seen).toEqual([48 * 48, 48 * 48]);
  });
});
