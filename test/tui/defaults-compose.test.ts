/**
 * Defaults that compose: on every task, each verb runs with only --task (and where it writes) given, with
 * the model it picks by default. Only sizes are shrunk to keep it fast (steps, samples, and generation
 * lengths, which the model caps at its context anyway); nothing that decides whether the pieces fit (trace
 * verbosity, model size, input size) is set. The SFT run directory then serves as the checkpoint for eval,
 * serve, rl --init and diagnose.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useCpu } from '../src/model/fixtures.ts';
import { diagnoseCommand } from '../../tui/commands/diagnose.ts';
import { evalCommand } from '../../tui/commands/eval.ts';
import { genCommand } from '../../tui/commands/gen.ts';
import { rlCommand } from '../../tui/commands/rl.ts';
import { serveCommand } from '../../tui/commands/serve.ts';
import { sftCommand } from '../../tui/commands/sft.ts';
import { trainEmbedCommand } from '../../tui/commands/train-embed.ts';

let dir: string;
beforeAll(async () => {
  await useCpu();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'asymflow-defaults-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe.each(['gc', 'sudoku'])('every verb with only --task %s', { timeout: 300_000 }, (task) => {
  const run = () => path.join(dir, `${task}-sft`);

  it('sft picks traces that fit its default model and says so in one line', async () => {
    const lines: string[] = [];
    const result = await sftCommand(
      { task, out: run(), steps: '1', batch: '1', trainN: '2', evalN: '1', evalMaxTokens: '8', backend: 'cpu', plots: false },
      { log: (l) => lines.push(l) },
    );
    expect(result.summary).not.toBeNull();
    expect(lines.filter((l) => l.includes('using verbosity'))).toEqual([
      expect.stringMatching(
        new RegExp(`^sft: ${task} traces at the default verbosity 2 fit the tiny model's 512 text positions in \\d+ of 32 samples; using verbosity [01]`),
      ),
    ]);
    expect(lines.some((l) => l.startsWith('sft: dropped'))).toBe(false);
    expect(lines.some((l) => /^sft: evaluating step 1: 2\/2 \(100%\)/.test(l))).toBe(true); // progress of the evaluation
    expect(lines.some((l) => l.includes('held-out val samples'))).toBe(true); // scouting evaluates on val, never test unless asked
  });

  it('eval, serve, rl and diagnose take the SFT run directory as the checkpoint', async () => {
    const quiet = () => {};
    const summary = await evalCommand({ task, checkpoint: run(), out: path.join(dir, `${task}-eval`), n: '1', maxTokens: '8', backend: 'cpu' }, quiet);
    expect(summary.n).toBe(1);
    expect(JSON.parse(fs.readFileSync(path.join(dir, `${task}-eval`, 'config.json'), 'utf8')).config.eval.split).toBe('val');
    const served: string[] = [];
    const server = await serveCommand({ checkpoint: run(), port: 0, backend: 'cpu' }, (l) => served.push(l));
    await server.close();
    expect(served.at(-1)).toContain(`model '${task}-sft'`); // the run's name, not "checkpoints"
    const rl = await rlCommand(
      {
        task,
        init: run(),
        out: path.join(dir, `${task}-rl`),
        steps: '1',
        prompts: '1',
        group: '2',
        maxTokens: '8',
        evalN: '0',
        scoreThreads: '0',
        backend: 'cpu',
      },
      { log: quiet, monitor: false },
    );
    expect(rl.steps).toBe(1);
    const diagnosed = await diagnoseCommand(
      { task, checkpoint: run(), n: '2', maxTokens: '8', scoreThreads: '0', out: path.join(dir, `${task}-diag`), backend: 'cpu' },
      quiet,
    );
    expect(diagnosed.rollouts).toBe(2);
  });

  it('gen and train-embed run at their defaults', async () => {
    const gen = await genCommand({ task, out: path.join(dir, `${task}-data`), n: '2', concurrency: '0' }, [], { log: () => {}, progress: false });
    expect(gen.n).toBe(2);
    const lines: string[] = [];
    const embed = await trainEmbedCommand({ task, out: path.join(dir, `${task}-embed`), samples: '4', steps: '2', batch: '2', backend: 'cpu' }, (l) =>
      lines.push(l),
    );
    expect(Number.isFinite(embed.loss)).toBe(true);
    expect(lines).toContainEqual(expect.stringMatching(/^train-embed step 1\/2: loss \d+\.\d+ {2}in-batch accuracy \d+\.\d% · ETA \d+:\d\d$/)); // a step line with an ETA
  });
});
