/**
 * `asymflow reproduce --preset paper-test` on the CPU: the paper preset's parts (one grid setting a part, the
 * share dose–response, the RL token-reweighting control, the pre-stage checkpoint as teacher) at the test
 * preset's tiny sizes, GC only. `--list` prints them with their estimates; every part runs; the report has the
 * dose–response and token-reweighting sections and verdict 1's share check computed, not "not run".
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PartSummary } from '../../flows/reproduce-summary.ts';
import { reproduceCommand } from '../../tui/commands/reproduce.ts';

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'asymflow-reproduce-paper-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const PARTS = [
  'gc/pretrain',
  'gc/sft',
  'gc/scratch',
  'gc/lambda@0.2',
  'gc/lambda@0.8',
  'gc/ngdiff',
  'gc/prestage',
  'gc/share@1',
  'gc/rl@0',
  'gc/rl@1',
  'gc/token-lambda@0.5',
  'gc/diagnose',
  'gc/surrogate-rl@perception',
  'gc/surrogate-rl@teacher',
];

describe('reproduce --preset paper', () => {
  it('lists every part of both tasks with its H200 estimate, each at most 10 minutes', async () => {
    const lines: string[] = [];
    const names = (await reproduceCommand({ preset: 'paper', tasks: 'gc,sudoku', list: true }, (l) => lines.push(l))) as string[];
    expect(names).toHaveLength(54);
    expect(names).toEqual(
      expect.arrayContaining(['gc/lambda@0.1', 'gc/lambda@0.9', 'sudoku/rl@0.2', 'sudoku/share@0', 'gc/token-lambda@0.2', 'gc/surrogate-rl@self4']),
    );
    const seconds = lines.slice(0, -1).map((l) => Number(/≈ (\d+) s$/.exec(l)?.[1]));
    expect(seconds).toHaveLength(54);
    for (const s of seconds) (expect(s).toBeGreaterThan(0), expect(s).toBeLessThanOrEqual(600));
    expect(lines.at(-1)).toMatch(/^\(estimated H200 seconds a part; \d+ s = [\d.]+ h per seed for gc,sudoku\)$/);
  });

  it('runs the paper preset parts at tiny sizes and reports the dose–response and the token-reweighting control', { timeout: 900_000 }, async () => {
    const result = await reproduceCommand({ preset: 'paper-test', tasks: 'gc', backend: 'wasm', out: dir }, () => {});
    expect(result).toMatchObject({ ran: PARTS, skipped: [] });
    const summary = (part: string) => JSON.parse(fs.readFileSync(path.join(dir, ...part.split('/'), 'summary.json'), 'utf8')) as PartSummary;
    const share = summary('gc/share@1').result as { share: number; verbosity: number };
    const own = summary('gc/sft').result as { share: number };
    expect(share.verbosity).toBe(1);
    expect(share.share).toBeLessThan(own.share); // verbosity 1 traces are longer than the preset's verbosity 0: a lower share
    expect(summary('gc/surrogate-rl@teacher').commands.join(' ')).toContain(path.join('gc', 'prestage', 'prestage-ngdiff', 'checkpoints'));
    expect(summary('gc/token-lambda@0.5').commands.join(' ')).toContain('--token-lambda 0.5');

    const report = fs.readFileSync(path.join(dir, 'report.md'), 'utf8');
    expect(report).toContain('### Perception token share dose–response (H1)');
    expect(report).toContain('### RL token-reweighting control');
    expect(report).toContain('| token λ=0.5 |');
    expect(report).toContain('### The stage before post-training');
    expect(report).toContain('| from scratch |');
    expect(summary('gc/sft').commands.join(' ')).toContain(`--init ${path.join(dir, 'gc', 'pretrain', 'run')}`);
    expect(report).not.toContain('Not run yet');
    const shareVerdict = report.split('\n').find((l) => l.includes('a_p gain shrinks as the perception token share falls'));
    expect(shareVerdict).toBeDefined();
    expect(shareVerdict).not.toContain('not run');
    // the grid parts merged back into the tables: both λ rows, both α rows
    expect(report).toMatch(/\| λ=0\.2 \|/);
    expect(report).toMatch(/\| λ=0\.8 \|/);
    expect(report).toMatch(/\| α=1 \|/);
  });

  it('runs one seed of a --seeds run with --only seed-S/PART (one part a device call), and names an unknown one', { timeout: 300_000 }, async () => {
    const out = path.join(dir, 'seeds');
    const flags = { preset: 'test', tasks: 'gc', backend: 'wasm', out, seeds: '0,1' };
    await expect(reproduceCommand({ ...flags, only: 'seed-1/gc/nope' }, () => {})).rejects.toThrow("reproduce: unknown part 'seed-1/gc/nope'");
    const result = await reproduceCommand({ ...flags, only: 'seed-1/gc/sft' }, () => {});
    expect(result).toMatchObject({ ran: ['seed-1/gc/sft'], skipped: [] });
    expect(fs.existsSync(path.join(out, 'seed-0', 'gc', 'sft', 'summary.json'))).toBe(false);
  });
});
