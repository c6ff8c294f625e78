/**
 * SFT on Sudoku (MNIST digits, one patch per cell): a perception pre-step and a main NGDiff step on the tiny
 * model's 72-px input, the per-step perception token fraction equal to the targets' own (caption with its
 * tags over the whole response), and a summary with the held-out figures and the final weights' hash.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSft } from '../../flows/sft.ts';
import { readRecording } from '../../src/recording/index.ts';
import { generatedSamples } from '../../src/data/generated-samples.ts';
import { resolveSftConfig } from '../../src/sft/sft-config.ts';
import { getTask } from '../../src/tasks/registry.ts';
import { encode } from '../../src/tokenizer.ts';
import type { SftStepRecord } from '../../src/sft/step-record.ts';

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'asymflow-sft-sudoku-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('sft on sudoku', () => {
  it('trains the perception pre-stage and the main stage and evaluates on held-out puzzles', async () => {
    const out = path.join(dir, 'run');
    const config = resolveSftConfig({
      task: 'sudoku',
      objective: 'ngdiff',
      prePerceptionSteps: 1,
      steps: 1,
      batch: 2,
      trainN: 2,
      evalN: 1,
      evalMode: 'both',
      evalMaxTokens: 8,
      bucket: 16,
      backend: 'wasm',
      plots: false,
      out,
    });
    const { summary } = await runSft({ config, modelOptions: { d: 32, layers: 1 }, taskOptions: { verbosity: 0, blanks: 10 }, log: () => {} });
    expect(summary).toMatchObject({ task: 'sudoku', objective: 'ngdiff', steps: 2, totalSteps: 2, droppedSamples: 0 });
    expect(summary!.a.count).toBe(1);
    expect(summary!.ar.count).toBe(1);
    expect(summary!.weightsSha256).toMatch(/^[0-9a-f]{64}$/);
    const steps: SftStepRecord[] = [];
    for await (const r of await readRecording<SftStepRecord>(path.join(out, 'steps.msgpack'))) steps.push(r);
    expect(steps.map((r) => r.stage)).toEqual(['perception', 'main']);
    expect(steps[0].tokenFraction).toBe(1);
    // The batch is both training puzzles: the fraction is their captions' tokens (tags included) over all.
    const task = await getTask('sudoku');
    const options = { verbosity: 0, blanks: 10, inputSize: 72 };
    let caption = 0;
    let all = 0;
    for await (const s of generatedSamples(task, { split: 'train_sft', n: 2, seed: 0, options })) {
      caption += encode(`<caption>${s.puzzle.pStar}</caption>`).length;
      all += encode(task.response(s.puzzle, options)).length;
    }
    expect(steps[1].tokens).toBe(all);
    expect(steps[1].tokenFraction).toBeCloseTo(caption / all, 12);
    expect(Number.isFinite(steps[1].rawGradNormP) && steps[1].rawGradNormP > 0).toBe(true);
  });
});
