/**
 * The one resume policy of the training flows (flows/resume-policy.ts) and the training loop's stage order
 * (flows/training-loop.ts), on files and plain numbers: no model involved.
 */
import fs from 'node:fs';
import path from 'node:path';
import { map, pipe } from 'rxjs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { claimTrainingRun, type ResumeRequest } from '../../flows/resume-policy.ts';
import { openRun } from '../../flows/run-context.ts';
import { runTrainingLoop } from '../../flows/training-loop.ts';
import { readRecording, RecordingWriter } from '../../src/recording/index.ts';
import { tempDir } from '../src/recording/helpers.ts';

let dir: string;
beforeEach(() => {
  dir = tempDir();
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

async function steps(file: string): Promise<number[]> {
  const out: number[] = [];
  for await (const r of await readRecording<{ step: number }>(file)) out.push(r.step);
  return out;
}

/** An rl-like run directory: config.json, 3 steps of rollouts and metrics, a checkpoint at step `saved`. */
function runDir(saved: number | undefined): ResumeRequest {
  const out = path.join(dir, 'run');
  const run = openRun({ out, config: {}, verb: 'rl' });
  for (const step of [1, 2, 3]) run.emit(step, 'train/kl', step / 10);
  run.close();
  const writer = RecordingWriter.open(path.join(out, 'rollouts.msgpack'), { kind: 'rollouts' });
  for (const step of [1, 1, 2, 2, 3, 3]) writer.write({ step });
  writer.close();
  const checkpoints = path.join(out, 'checkpoints', 'latest');
  if (saved !== undefined) {
    fs.mkdirSync(checkpoints, { recursive: true });
    fs.writeFileSync(path.join(checkpoints, 'checkpoint.json'), JSON.stringify({ cursor: { step: saved } }));
  }
  const savedStep = (d: string) => (JSON.parse(fs.readFileSync(path.join(d, 'checkpoint.json'), 'utf8')) as { cursor: { step: number } }).cursor.step;
  return { verb: 'rl', out, resume: false, overwrite: false, record: '', checkpoints, savedStep, recordings: [path.join(out, 'rollouts.msgpack')] };
}

describe('the resume policy', () => {
  it("--resume drops what was recorded after the checkpoint step: metrics and the run's recordings", async () => {
    const r = runDir(2);
    const claimed = await claimTrainingRun({ ...r, resume: true });
    claimed.claim.release();
    expect(claimed).toMatchObject({ resumed: true, step: 2, dropped: 2 });
    expect(await steps(path.join(r.out, 'rollouts.msgpack'))).toEqual([1, 1, 2, 2]);
    expect(await steps(path.join(r.out, 'metrics.msgpack'))).toEqual([1, 2]);
  });

  it('refuses --resume without a checkpoint, and a checkpoint without --resume, touching nothing', async () => {
    const fresh = runDir(undefined);
    await expect(claimTrainingRun({ ...fresh, resume: true })).rejects.toThrow(
      `rl --resume: no checkpoint in ${fresh.checkpoints} (checkpoint.json missing); run without --resume to start`,
    );
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir);
    const saved = runDir(2);
    await expect(claimTrainingRun({ ...saved, overwrite: false })).rejects.toThrow('already holds an asymflow rl run');
    // --overwrite clears the run directory (checkpoint included) and starts over
    const claimed = await claimTrainingRun({ ...saved, overwrite: true });
    claimed.claim.release();
    expect(claimed).toMatchObject({ resumed: false, step: 0 });
    expect(fs.existsSync(path.join(saved.checkpoints, 'checkpoint.json'))).toBe(false);
    // the lock was released on each refusal: the directory can be claimed again
    (await claimTrainingRun({ ...saved, overwrite: true })).claim.release();
  });
});

describe('the training loop', () => {
  it('runs tick → step → record → evaluate → checkpoint in order, one step at a time, until told to stop', async () => {
    const seen: string[] = [];
    await runTrainingLoop<{ step: number }>({
      first: 3,
      last: 9,
      keepGoing: (step) => step <= 5,
      step: pipe(map((step) => (seen.push(`update ${step}`), { step }))),
      record: (s) => void seen.push(`record ${s.step}`),
      evaluateIfDue: async (s) => {
        await new Promise((resolve) => setTimeout(resolve, 1)); // a slow stage: the next tick waits for it
        seen.push(`evaluate ${s.step}`);
      },
      checkpointIfDue: (s) => void seen.push(`checkpoint ${s.step}`),
    });
    expect(seen).toEqual([3, 4, 5].flatMap((s) => [`update ${s}`, `record ${s}`, `evaluate ${s}`, `checkpoint ${s}`]));
  });
});
