/**
 * The SFT flow resumes exactly on the cpu backend: a run stopped after step 3 "as if killed" (its last
 * checkpoint is step 2, so step 3 is redone) and resumed with `--resume` ends with the same weights hash as
 * the uninterrupted run, across the perception pre-stage / main-stage boundary; the per-step records show
 * the pre-stage trained on the perception span alone. The checkpoint is rewritten into the form written before
 * the objective was typed (its name), which must resume just the same.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSft } from '../../flows/sft.ts';
import { readRecording } from '../../src/recording/index.ts';
import { resolveSftConfig } from '../../src/sft/sft-config.ts';
import type { SftStepRecord } from '../../src/sft/step-record.ts';
import type { Metric } from '../../src/records.ts';
import { sftCommand } from '../../tui/commands/sft.ts';
import { MICRO, MICRO_MODEL_OPTION, MICRO_SFT_FLAGS, MICRO_TASK_OPTION } from '../support/micro-sft.ts';

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'asymflow-sft-resume-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const quiet = () => {};
/** The micro run (test/support/micro-sft.ts) under NGDiff with a perception pre-stage and image dropout. */
const FLAGS = {
  ...MICRO_SFT_FLAGS,
  objective: 'ngdiff',
  prePerceptionSteps: 1,
  steps: 3,
  checkpointEvery: 2,
  imageDropout: 0.5, // half the rows on the self-reward's no-image input: resume stays exact
};

async function records(file: string): Promise<SftStepRecord[]> {
  const out: SftStepRecord[] = [];
  for await (const r of await readRecording<SftStepRecord>(file)) out.push(r);
  return out;
}

describe('sft resume', () => {
  it('interrupted after step 3 and resumed equals uninterrupted (weights sha256), across the pre-stage boundary', async () => {
    const straight = await runSft({ config: resolveSftConfig({ ...FLAGS, out: path.join(dir, 'straight') }), ...MICRO, log: quiet });
    expect(straight.summary!.steps).toBe(4);

    const out = path.join(dir, 'interrupted');
    const record = path.join(dir, 'steps-record.msgpack');
    const flags = {
      ...FLAGS,
      out,
      record,
      modelOption: MICRO_MODEL_OPTION,
      taskOption: MICRO_TASK_OPTION,
    };
    const stopped = await sftCommand({ ...flags, stopAfter: '3' }, { log: quiet });
    expect(stopped.summary).toBeNull();
    expect(stopped.step).toBe(3);
    expect(fs.existsSync(path.join(out, 'summary.json'))).toBe(false);
    // A checkpoint written before the objective was typed names it (`"objective": "ngdiff"`): it still resumes.
    const manifest = path.join(out, 'checkpoints', 'checkpoint.json');
    const saved = JSON.parse(fs.readFileSync(manifest, 'utf8')) as { metadata: { identity: { config: Record<string, unknown> } } };
    expect(saved.metadata.identity.config.objective).toEqual({ kind: 'ngdiff' });
    saved.metadata.identity.config.objective = 'ngdiff';
    fs.writeFileSync(manifest, JSON.stringify(saved));
    // Only --out and --resume: every other setting comes from the checkpoint (step 2).
    const lines: string[] = [];
    const resumed = await sftCommand({ out, resume: true }, { log: (l) => lines.push(l) });
    expect(lines).toContain(`sft: resuming ${out} at step 2 of 4`);
    expect(resumed.summary!.steps).toBe(4);
    expect(resumed.summary!.weightsSha256).toBe(straight.summary!.weightsSha256);

    // The recording of the main stream continued, each step once: step 3 (after the step-2 checkpoint) was
    // dropped on resume and redone, in --record FILE and in DIR/steps.msgpack alike.
    const steps = await records(record);
    expect(steps.map((r) => r.step)).toEqual([1, 2, 3, 4]);
    expect((await records(path.join(out, 'steps.msgpack'))).map((r) => r.step)).toEqual([1, 2, 3, 4]);
    expect(steps.map((r) => r.stage)).toEqual(['perception', 'main', 'main', 'main']);
    // The pre-stage's targets are the caption alone (its tags included): every trained token is perception.
    for (const r of steps.filter((s) => s.stage === 'perception')) {
      expect(r.tokenFraction).toBe(1);
      expect(r.lambda).toBe(1); // token-mean CE reports its implicit λ: the token fraction
    }
    for (const r of steps.filter((s) => s.stage === 'main')) expect(r.tokenFraction).toBeLessThan(0.6);
    const uninterrupted = await records(path.join(dir, 'straight', 'steps.msgpack'));
    expect(steps.map((r) => r.loss)).toEqual(uninterrupted.map((r) => r.loss)); // the redone step 3 saw the same batch and weights
    // The metric stream, unlike the step log, keeps one value per metric and step: step 3's first values were
    // dropped on resume, so the curves are those of the uninterrupted run.
    const metrics: Metric[] = [];
    for await (const m of await readRecording<Metric>(path.join(out, 'metrics.msgpack'))) metrics.push(m);
    const keys = metrics.map((m) => `${m.name}@${m.step}`);
    expect(new Set(keys).size).toBe(keys.length);
    expect(metrics.filter((m) => m.name === 'train/loss').map((m) => m.step)).toEqual([1, 2, 3, 4]);
  }, 180_000); // ~10 CPU-seconds; wall time on a busy 2-core machine is several times that
});
