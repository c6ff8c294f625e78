/**
 * The `sft`, `sweep sft` and `demo` verbs on the command line: every flag maps onto the SFT config (the
 * backend request included, so `--backend webgpu` reaches the backend resolver), bad options fail with exact
 * messages, and a checkpointed run directory is neither overwritten without --resume nor resumed under
 * different settings.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoConfig } from '../../flows/demo.ts';
import { resolveSftConfig, SIZE_DEFAULTS } from '../../src/sft/sft-config.ts';
import { buildProgram } from '../../tui/cli.ts';
import { resolveSftFlags, sftCommand } from '../../tui/commands/sft.ts';
import { MICRO_MODEL_OPTION, MICRO_TASK_OPTION } from '../support/micro-sft.ts';

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'asymflow-sft-cli-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** The options commander hands to `path`'s action for `argv` (the action itself is not run). */
async function parsed(commandPath: string[], argv: string[]): Promise<Record<string, unknown>> {
  const program = buildProgram();
  let command: Command = program;
  for (const name of commandPath) command = command.commands.find((c) => c.name() === name)!;
  let captured: Record<string, unknown> = {};
  command.action((opts: Record<string, unknown>) => {
    captured = opts;
  });
  await program.parseAsync(['node', 'asymflow', ...commandPath, ...argv]);
  return captured;
}

describe('asymflow sft / sweep sft / demo', () => {
  it('registers sft, sweep (with its sft subcommand) and demo', () => {
    const program = buildProgram();
    expect(program.commands.map((c) => c.name())).toEqual(expect.arrayContaining(['sft', 'sweep', 'demo']));
    expect(program.commands.find((c) => c.name() === 'sweep')!.commands.map((c) => c.name())).toEqual(['sft', 'rl']);
  });

  it('maps every flag onto the config, --backend included', async () => {
    const opts = await parsed(
      ['sft'],
      [
        '--task',
        'gc',
        '--objective',
        'lambda:0.2',
        '--model',
        'small',
        '--steps',
        '40',
        '--batch',
        '4',
        '--lr',
        '0.002',
        '--pre-perception-steps',
        '3',
        '--eval-every',
        '5',
        '--eval-n',
        '7',
        '--seed',
        '9',
        '--backend',
        'webgpu',
        '--out',
        'runs/x',
        '--stop-after',
        '10',
        '--record',
        'r.msgpack',
        '--data',
        'runs/data',
        '--task-option',
        'verbosity=1',
        '--model-option',
        'd=128',
      ],
    );
    const { config, taskOptions, modelOptions } = await resolveSftFlags(opts);
    expect(config).toMatchObject({
      task: 'gc',
      objective: { kind: 'lambda', lambda: 0.2 },
      model: 'small',
      steps: 40,
      batch: 4,
      lr: 0.002,
      prePerceptionSteps: 3,
      evalEvery: 5,
      evalN: 7,
      seed: 9,
      backend: 'webgpu',
      out: 'runs/x',
      stopAfter: 10,
      record: 'r.msgpack',
      data: 'runs/data',
      resume: false,
      warmupSteps: SIZE_DEFAULTS.small.warmupSteps,
    });
    expect(taskOptions).toEqual({ verbosity: 1 });
    expect(modelOptions).toEqual({ d: 128 });
    const sweep = await parsed(
      ['sweep', 'sft'],
      ['--lambda', '0.1,0.9', '--with', 'standard,ngdiff', '--out', 'runs/s', '--backend', 'webgpu', '--model', 'small'],
    );
    expect(sweep).toMatchObject({ lambda: '0.1,0.9', with: 'standard,ngdiff', out: 'runs/s', backend: 'webgpu', model: 'small' });
  });

  it("takes the size's measured defaults, and the demo's settings are valid", () => {
    expect(resolveSftConfig({ out: 'x' })).toMatchObject({ model: 'tiny', ...SIZE_DEFAULTS.tiny });
    expect(resolveSftConfig({ out: 'x', model: 'small', lr: '0.01' })).toMatchObject({ ...SIZE_DEFAULTS.small, lr: 0.01 });
    expect(demoConfig({ out: 'x' }).model).toBe('tiny');
  });

  it('rejects bad options with exact messages', async () => {
    const out = path.join(dir, 'bad');
    const bad = (flags: Record<string, unknown>) => sftCommand({ out, ...flags }, { log: () => {} });
    await expect(bad({ objective: 'lambda:2' })).rejects.toThrow('sft.objective must be standard, lambda:X with X in [0, 1], or ngdiff, got "lambda:2"');
    await expect(bad({ objective: 'ngdif' })).rejects.toThrow('sft.objective must be standard, lambda:X with X in [0, 1], or ngdiff, got "ngdif"');
    await expect(bad({ model: 'huge' })).rejects.toThrow('sft.model must be one of tiny, small, base, got "huge"');
    await expect(bad({ task: 'chess' })).rejects.toThrow('sft.task must be one of gc, sudoku, got "chess"');
    await expect(bad({ steps: '0' })).rejects.toThrow('sft.steps must be a positive integer, got 0');
    await expect(bad({ batch: '2.5' })).rejects.toThrow('sft.batch must be a positive integer, got 2.5');
    await expect(bad({ lr: '-1' })).rejects.toThrow('sft.lr must be a positive number, got -1');
    await expect(bad({ evalMode: 'all' })).rejects.toThrow('sft.evalMode must be one of e2e, counterfactual, both, got "all"');
    await expect(bad({ steps: '5', prePerceptionSteps: '2', stopAfter: '7' })).rejects.toThrow(
      "sft.stopAfter must be below the run's 7 steps (0 = off), got 7",
    );
    await expect(bad({ temperature: '0.7' })).rejects.toThrow("unknown option 'sft.temperature'");
    await expect(bad({ taskOption: ['layout'] })).rejects.toThrow("sft: --task-option must be KEY=VALUE, got 'layout'");
    await expect(bad({ backend: 'gpu' })).rejects.toThrow("--backend: unknown backend 'gpu'; known: auto, tensorflow, webgpu, wasm, cpu");
    await expect(sftCommand({}, { log: () => {} })).rejects.toThrow('sft.out is required: the run directory (--out DIR)');
    await expect(bad({ resume: true })).rejects.toThrow(
      `sft --resume: no checkpoint in ${path.join(out, 'checkpoints')} (checkpoint.json missing); run without --resume to start`,
    );
  });

  it('refuses to overwrite a checkpointed run, and to resume it under other settings', async () => {
    const out = path.join(dir, 'run');
    const flags = {
      out,
      steps: '2',
      batch: '1',
      trainN: '2',
      checkpointEvery: '1',
      stopAfter: '1',
      backend: 'wasm',
      bucket: '16',
      plots: false,
      modelOption: MICRO_MODEL_OPTION,
      taskOption: MICRO_TASK_OPTION,
    };
    expect((await sftCommand(flags, { log: () => {} })).step).toBe(1);
    await expect(sftCommand(flags, { log: () => {} })).rejects.toThrow(
      `sft: --out ${out} already holds an asymflow sft run (checkpoints, config.json, metrics.msgpack, steps.msgpack); pass --resume to continue it, --overwrite to replace it, or choose another --out`,
    );
    await expect(sftCommand({ out, resume: true, lr: '0.5', taskOption: ['verbosity=1'] }, { log: () => {} })).rejects.toThrow(
      "sft --resume: settings differ from the checkpoint's: lr (0.01 → 0.5), task option verbosity (0 → 1)",
    );
  });
});
