/**
 * `asymflow sweep sft` with two tiny settings (standard and λ = 0.5): each run lands in DIR/<name>/, the
 * Table-1 analogue is written as markdown and JSON with the runs' own summaries, sweep.json feeds the
 * trade-off plot, and re-running the same sweep keeps the finished runs instead of training again.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSweepRows } from '../../src/plot/tradeoff-spec.ts';
import { objectiveName } from '../../src/sft/objective-spec.ts';
import type { SftSummary } from '../../src/sft/sft-summary.ts';
import type { SweepTable } from '../../src/sft/sweep-table.ts';
import { sweepSftCommand } from '../../tui/commands/sweep-sft.ts';
import { MICRO_MODEL_OPTION, MICRO_TASK_OPTION } from '../support/micro-sft.ts';

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'asymflow-sweep-sft-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const FLAGS = {
  task: 'gc',
  lambda: '0.5',
  with: 'standard',
  steps: '2',
  batch: '2',
  trainN: '4',
  evalN: '2',
  evalMaxTokens: '6',
  bucket: '16',
  backend: 'wasm',
  checkpointEvery: '0',
  modelOption: MICRO_MODEL_OPTION,
  taskOption: MICRO_TASK_OPTION,
};
const read = <T>(...parts: string[]) => JSON.parse(fs.readFileSync(path.join(dir, ...parts), 'utf8')) as T;

describe('sweep sft', () => {
  it('writes table.md, table.json, sweep.json and the trade-off plot from the runs, and keeps finished runs', async () => {
    const lines: string[] = [];
    const { table } = await sweepSftCommand({ ...FLAGS, out: dir }, { log: (l) => lines.push(l) });
    expect(table.rows.map((r) => [r.setting, r.name, r.objective])).toEqual([
      ['standard', 'standard', { kind: 'standard' }],
      ['λ=0.5', 'lambda-0.5', { kind: 'lambda', lambda: 0.5 }],
    ]);

    const json = read<SweepTable>('table.json');
    for (const row of json.rows) {
      const summary = read<SftSummary>(row.name, 'summary.json');
      expect(summary.objective).toBe(objectiveName(row.objective)); // summary.json names it
      expect(row.a).toEqual(summary.a);
      expect(row.ar).toEqual(summary.ar);
      expect(row.weightsSha256).toBe(summary.weightsSha256);
      expect(row.a.count).toBe(2);
    }
    expect(json.rows[0].weightsSha256).not.toBe(json.rows[1].weightsSha256); // the objectives trained differently
    const md = fs.readFileSync(path.join(dir, 'table.md'), 'utf8').split('\n');
    expect(md[0]).toBe('SFT on gc, model tiny, 2 steps; accuracy in % on 2 held-out val samples (2 end-to-end / 2 counterfactual completions).');
    expect(md.slice(2, 4)).toEqual(['| objective | a | a_p | a_r | ã_r |', '| --- | ---: | ---: | ---: | ---: |']);
    const cell = (p: { value: number }) => (100 * p.value).toFixed(1);
    const r = json.rows[1];
    expect(md[5]).toBe(`| λ=0.5 | ${cell(r.a)} | ${cell(r.ap)} | ${cell(r.ar)} | ${cell(r.arCond)} |`);
    const rows = parseSweepRows(read('sweep.json'), 'sweep.json');
    expect(rows.map((x) => x.setting)).toEqual(['standard', 'λ=0.5']);
    expect(fs.statSync(path.join(dir, 'plots', 'tradeoff.png')).size).toBeGreaterThan(1000);
    expect(fs.existsSync(path.join(dir, 'plots', 'losses.png'))).toBe(true);

    const again: string[] = [];
    await sweepSftCommand({ ...FLAGS, out: dir, plots: false }, { log: (l) => again.push(l) });
    expect(again.filter((l) => l.startsWith('sweep: ') && l.includes('kept the finished run'))).toHaveLength(2);
  });

  it('validates its lists with exact messages', async () => {
    const out = path.join(dir, 'bad');
    await expect(sweepSftCommand({ ...FLAGS, lambda: '0.1,2', out })).rejects.toThrow(
      "sweep: --lambda must be a comma-separated list of numbers in [0, 1], got '0.1,2'",
    );
    await expect(sweepSftCommand({ ...FLAGS, with: 'standard,grpo', out })).rejects.toThrow(
      "sweep: --with must list standard and/or ngdiff, got 'standard,grpo'",
    );
    await expect(sweepSftCommand({ ...FLAGS, lambda: undefined, with: undefined, out })).rejects.toThrow(
      'sweep: nothing to run; give --lambda and/or --with standard,ngdiff',
    );
    await expect(sweepSftCommand({ ...FLAGS, objective: 'ngdiff', out })).rejects.toThrow('sweep sft: --objective is set per setting; use --lambda and --with');
    await expect(sweepSftCommand({ ...FLAGS, steps: 'many', out })).rejects.toThrow("sft.steps must be a number, got 'many'");
  });
});
