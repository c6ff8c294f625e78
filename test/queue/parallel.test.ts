/**
 * `sweep sft --parallel 2`: both settings run at once in child processes and the sweep's table equals the
 * one-after-another sweep's, weights included (the runs are the same runs, only where they ran differs).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sweepSftCommand } from '../../tui/commands/sweep-sft.ts';
import { MICRO_MODEL_OPTION, MICRO_TASK_OPTION } from '../support/micro-sft.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'asymflow-parallel-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const FLAGS = {
  task: 'gc',
  lambda: '0.5',
  with: 'standard',
  steps: '2',
  batch: '2',
  trainN: '4',
  evalN: '1',
  evalMode: 'e2e',
  evalMaxTokens: '4',
  bucket: '16',
  backend: 'cpu',
  checkpointEvery: '0',
  plots: false,
  modelOption: MICRO_MODEL_OPTION,
  taskOption: MICRO_TASK_OPTION, // 4 graphs of 3 nodes: no room for disjoint splits
};

describe('--parallel', () => {
  it('runs the settings at once in child processes and writes the same table as the in-process sweep', async () => {
    const lines: string[] = [];
    const parallel = await sweepSftCommand({ ...FLAGS, out: path.join(dir, 'parallel'), parallel: '2' }, { log: (l) => lines.push(l) });
    const serial = await sweepSftCommand({ ...FLAGS, out: path.join(dir, 'serial') }, { log: () => {} });
    expect(lines.filter((l) => /^parallel: .*: started \(2\/2 slots\)$/.test(l))).toHaveLength(1); // the second started beside the first
    const row = (r: (typeof serial.table.rows)[number]) => ({ setting: r.setting, a: r.a, ap: r.ap, weights: r.weightsSha256 });
    expect(parallel.table.rows.map(row)).toEqual(serial.table.rows.map(row));
    expect(fs.readFileSync(path.join(dir, 'parallel', 'table.md'), 'utf8')).toBe(fs.readFileSync(path.join(dir, 'serial', 'table.md'), 'utf8'));
  }, 240_000);
});
