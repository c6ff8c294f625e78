import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveGenConfig } from '../../../src/data/gen-config.ts';
import { readRecording } from '../../../src/recording/index.ts';
import { genCommand } from '../../../tui/commands/gen.ts';
import { aliasPairs, expandTaskOptionAliases } from '../../../tui/commands/task-flags.ts';
import { progressReporter } from '../../../tui/progress.ts';

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'asymflow-gencli-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const quiet = { log: () => {}, progress: false } as const;

describe('asymflow gen', () => {
  it('validates its options with exact messages', async () => {
    const out = path.join(dir, 'x');
    expect(() => resolveGenConfig({})).toThrow('gen.out is required: the dataset directory (--out DIR)');
    expect(() => resolveGenConfig({ out, split: 'train' })).toThrow('gen.split must be one of test, val, test_seen_glyphs, train_sft, train_rl, got "train"');
    expect(() => resolveGenConfig({ out, task: 'maze' })).toThrow('gen.task must be one of gc, sudoku, got "maze"');
    expect(() => resolveGenConfig({ out, n: '-3' })).toThrow('gen.n must be a non-negative integer, got -3');
    expect(() => resolveGenConfig({ out, seed: 'abc' })).toThrow("gen.seed must be a number, got 'abc'");
    expect(() => resolveGenConfig({ out, withPixels: true })).toThrow('gen: --with-pixels applies to --record FILE, which is missing');
    expect([resolveGenConfig({ out }).n, resolveGenConfig({ out, split: 'train_sft' }).n, resolveGenConfig({ out, split: 'train_rl' }).n]).toEqual([
      500, 2000, 16000,
    ]);
    await expect(genCommand({ out, n: '2' }, ['--gc.layout=sprin'], quiet)).rejects.toThrow('gc.layout must be one of circle, spring, got "sprin"');
    await expect(genCommand({ out, n: '2' }, ['--gc.colour=red'], quiet)).rejects.toThrow("unknown option 'gc.colour'; known: minNodes, maxNodes");
    await expect(genCommand({ out, n: '2' }, ['--sudoku.blanks=30'], quiet)).rejects.toThrow('gen: --sudoku.* options given but --task is gc');
    await expect(genCommand({ out, n: '2', task: 'sudoku' }, ['--sudoku.blanks=99'], quiet)).rejects.toThrow('sudoku.blanks must be an integer in [1, ');
    await expect(genCommand({ out, n: '2', inputSize: '100', task: 'sudoku' }, [], quiet)).rejects.toThrow('sudoku.inputSize must be a multiple of 9');
    await expect(genCommand({ out, n: '2', taskOption: ['sudoku.blanks=30'] }, [], quiet)).rejects.toThrow('gen: --sudoku.* options given but --task is gc');
    await expect(genCommand({ out, n: '2', taskOption: ['layout'] }, [], quiet)).rejects.toThrow("gen: --task-option must be KEY=VALUE, got 'layout'");
    expect(() => aliasPairs('gen', ['stray'])).toThrow(
      "gen: unexpected argument 'stray' (task options look like --task-option layout=spring or --gc.layout=spring)",
    );
    expect(() => aliasPairs('gen', ['--maze.size=3'])).toThrow("'--maze.size=3' names no task; known tasks: gc, sudoku");
    expect(() => aliasPairs('gen', ['--gc.layout'])).toThrow('--gc.layout needs a value (--gc.layout=VALUE)');
    expect(aliasPairs('gen', ['--gc.layout', 'spring', '--gc.min-nodes=8'])).toEqual(['gc.layout=spring', 'gc.minNodes=8']);
    // The CLI rewrites the alias for every verb, so `--gc.verbosity=1` and `--task-option verbosity=1` are one option.
    expect(expandTaskOptionAliases(['node', 'asymflow', 'sft', '--gc.verbosity=1', '--sudoku.blanks', '8', '--out', 'x', '--', '--gc.x=1'])).toEqual([
      'node',
      'asymflow',
      'sft',
      '--task-option',
      'gc.verbosity=1',
      '--task-option',
      'sudoku.blanks=8',
      '--out',
      'x',
      '--',
      '--gc.x=1',
    ]);
  });

  it('maps task flags onto the task options (typed) and records them in the shard header', async () => {
    const out = path.join(dir, 'spring');
    const summary = await genCommand({ out, n: '3', seed: '2', split: 'test', inputSize: '96', taskOption: ['layout=spring'] }, ['--gc.verbosity', '1'], quiet);
    expect(summary.n).toBe(3);
    const recording = await readRecording<{ width: number }>(path.join(out, 'gc-test.msgpack'));
    expect(recording.header.config).toEqual({ task: 'gc', split: 'test', n: 3, seed: 2, taskOptions: { layout: 'spring', verbosity: 1, inputSize: 96 } });
    for await (const sample of recording) expect(sample.width).toBe(96);
  });

  it('runs from the package bin with a plain progress log when stderr is not a terminal', () => {
    const out = path.join(dir, 'bin');
    const result = spawnSync(process.execPath, ['bin/asymflow.js', 'gen', '--task', 'sudoku', '--n', '3', '--out', out, '--images', '--sudoku.blanks=25'], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(result.status).toBe(0);
    expect(result.stderr).toContain('gen sudoku test: 3/3 (100%)');
    expect(fs.readdirSync(path.join(out, 'images'))).toHaveLength(3);
    const bad = spawnSync(process.execPath, ['bin/asymflow.js', 'gen', '--out', out, '--split', 'dev'], { encoding: 'utf8', timeout: 60_000 });
    expect([bad.status, bad.stderr.trim()]).toEqual([1, 'asymflow: gen.split must be one of test, val, test_seen_glyphs, train_sft, train_rl, got "dev"']);
  });

  it('draws a bar in place on a terminal and a line per tenth otherwise', () => {
    const tty: string[] = [];
    const bar = progressReporter({ label: 'gen gc test', total: 4, isTTY: true, write: (t) => tty.push(t), width: 4 });
    bar(1);
    bar(4);
    expect(tty[0]).toMatch(/^\rgen gc test █░░░ {2}25% 1\/4 · \d+\/s · 0:00 · ETA 0:00$/);
    expect(tty.at(-1)).toMatch(/^\rgen gc test ████ 100% 4\/4 .*\n$/);
    const plain: string[] = [];
    const log = progressReporter({ label: 'p', total: 20, isTTY: false, write: (t) => plain.push(t) });
    for (let i = 1; i <= 20; i++) log(i);
    expect(plain).toHaveLength(10);
    expect(plain[9]).toMatch(/^p: 20\/20 \(100%\)/);
  });
});
