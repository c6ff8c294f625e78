/**
 * `asymflow pretrain` (flows/pretrain.ts) on the cpu backend with a micro model: it writes an SFT-format
 * checkpoint; stopped "as if killed" after step 3 and resumed it ends with the weights of the uninterrupted run,
 * across the caption → reasoning boundary of the sequence schedule; the caption stage trains perception tokens
 * only and the reasoning stage none (the caption is given in the prompt); `sft --init DIR` starts from exactly
 * its weights (and refuses another model); `eval --checkpoint DIR` and `rl --init DIR` take it.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runRl } from '../../flows/rl.ts';
import { loadCheckpoint } from '../../src/model/checkpoint.ts';
import { disposeVlm } from '../../src/model/vlm.ts';
import { resolveRlConfig } from '../../src/rl/rl-config.ts';
import { readSftIdentity } from '../../src/sft/sft-identity.ts';
import { resolveSftConfig } from '../../src/sft/sft-config.ts';
import { startSft } from '../../src/sft/sft-start.ts';
import type { SftStepRecord } from '../../src/sft/step-record.ts';
import { evalCommand } from '../../tui/commands/eval.ts';
import { pretrainCommand } from '../../tui/commands/pretrain.ts';
import { sftCommand } from '../../tui/commands/sft.ts';
import { readAll } from './read-all.ts';
import { MICRO_MODEL_OPTION, MICRO_TASK_OPTION } from '../support/micro-sft.ts';

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'asymflow-pretrain-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const quiet = () => {};
const MODEL = MICRO_MODEL_OPTION;
const TASK = MICRO_TASK_OPTION;
const FLAGS = {
  task: 'gc',
  schedule: 'sequence',
  captionSteps: 1,
  reasoningSteps: 3,
  captionN: 4,
  reasoningN: 4,
  batch: 2,
  lr: 1e-2,
  warmupSteps: 1,
  evalN: 1,
  evalMode: 'e2e',
  evalMaxTokens: 4,
  checkpointEvery: 2,
  bucket: 16,
  backend: 'cpu',
  plots: false,
  modelOption: MODEL,
  taskOption: TASK,
};

const records = readAll<SftStepRecord>;

describe('pretrain', () => {
  it('writes an sft-format checkpoint and resumes exactly across the caption → reasoning boundary', async () => {
    const straight = await pretrainCommand({ ...FLAGS, out: path.join(dir, 'straight') }, { log: quiet });
    expect(straight.summary!.steps).toBe(4);
    const checkpoints = path.join(dir, 'straight', 'checkpoints');
    const identity = readSftIdentity(checkpoints); // the sft checkpoint's identity, read as sft reads it
    expect(identity.config.schedule).toBe('sequence');
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'straight', 'config.json'), 'utf8')).verb).toBe('pretrain');

    const out = path.join(dir, 'interrupted');
    const stopped = await pretrainCommand({ ...FLAGS, out, stopAfter: '3' }, { log: quiet });
    expect(stopped.summary).toBeNull();
    const lines: string[] = [];
    const resumed = await pretrainCommand({ out, resume: true }, { log: (l) => lines.push(l) }); // the rest from the checkpoint
    expect(lines).toContain(`pretrain: resuming ${out} at step 2 of 4`);
    expect(resumed.summary!.weightsSha256).toBe(straight.summary!.weightsSha256);
    await expect(pretrainCommand({ out, resume: true, captionN: 5 }, { log: quiet })).rejects.toThrow(/captionN \(4 → 5\)/);

    const steps = await records(path.join(out, 'steps.msgpack'));
    expect(steps.map((r) => r.step)).toEqual([1, 2, 3, 4]);
    expect(steps.map((r) => r.stage)).toEqual(['perception', 'main', 'main', 'main']);
    expect(steps[0].tokenFraction).toBe(1); // captioning: every trained token is the caption
    for (const r of steps.slice(1)) expect(r.tokenFraction).toBe(0); // reasoning: the caption is given, not trained
    expect(steps.map((r) => r.loss)).toEqual((await records(path.join(dir, 'straight', 'steps.msgpack'))).map((r) => r.loss));
  }, 240_000);

  it('sft --init starts from its weights with a fresh AdamW, and refuses another model', async () => {
    const init = path.join(dir, 'straight');
    const saved = await loadCheckpoint(path.join(init, 'checkpoints'));
    saved.optimizer?.dispose();
    const base = { task: 'gc', steps: 1, batch: 2, trainN: 4, evalN: 1, evalMode: 'e2e', evalMaxTokens: 4, backend: 'cpu', plots: false, bucket: 16 };
    const config = resolveSftConfig({ ...base, init, out: path.join(dir, 'unused') });
    const identity = { ...readSftIdentity(path.join(init, 'checkpoints')), config: { ...config } };
    const start = await startSft(config, identity, path.join(dir, 'none'));
    try {
      expect(start.optimizer.step).toBe(0);
      expect([...start.model.params.keys()]).toEqual([...saved.model.params.keys()]);
      for (const [name, v] of saved.model.params) expect(Array.from(start.model.params.get(name)!.dataSync())).toEqual(Array.from(v.dataSync()));
    } finally {
      start.optimizer.dispose();
      disposeVlm(start.model);
      disposeVlm(saved.model);
    }
    // Through the command: the model comes from the checkpoint (no --model-option given) and trains on.
    const run = await sftCommand({ ...base, init, out: path.join(dir, 'sft'), taskOption: TASK }, { log: quiet });
    expect(run.summary!.steps).toBe(1);
    expect(readSftIdentity(path.join(dir, 'sft', 'checkpoints')).config.init).toBe(init);
    await expect(
      sftCommand({ ...base, init, out: path.join(dir, 'sft-other'), modelOption: ['inputSize=32', 'd=48', 'layers=1'] }, { log: quiet }),
    ).rejects.toThrow(/sft --init .*its model differs from the run's: d \(checkpoint 32, run 48\)/);
  }, 120_000);

  it('eval --checkpoint and rl --init take its run directory', async () => {
    const init = path.join(dir, 'straight');
    const summary = await evalCommand(
      { task: 'gc', checkpoint: init, out: path.join(dir, 'eval'), n: 2, mode: 'both', maxTokens: 4, backend: 'cpu', taskOption: TASK },
      quiet,
    );
    expect(summary.n).toBe(2);
    const rl = await runRl({
      config: resolveRlConfig({
        task: 'gc',
        init,
        out: path.join(dir, 'rl'),
        steps: 1,
        prompts: 1,
        group: 2,
        maxTokens: 4,
        evalN: 1,
        evalMaxTokens: 4,
        scoreThreads: 0,
        backend: 'cpu',
      }),
      taskOptions: { minNodes: 3, maxNodes: 3, verbosity: 0, heldOut: 0 },
      log: quiet,
    });
    expect(rl.steps).toBe(1);
  }, 120_000);
});
