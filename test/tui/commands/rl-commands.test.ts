/**
 * The RL verbs through commander: `sweep rl` (registered on a parent `sweep` command built here) runs one RL
 * run per α and writes sweep.json, the Table-2 analogue and the trade-off plot; `rl`, `diagnose` and
 * `train-embed` parse their flags into the flows and reject bad ones with exact messages.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { useCpu } from '../../src/model/fixtures.ts';
import { initCheckpoint } from '../../flows/rl-fixtures.ts';
import { registerDiagnose, resolveDiagnoseConfig } from '../../../tui/commands/diagnose.ts';
import { registerRl } from '../../../tui/commands/rl.ts';
import { parseAlphas, registerSweepRl } from '../../../tui/commands/sweep-rl.ts';
import { registerTrainEmbed } from '../../../tui/commands/train-embed.ts';

let dir: string;
let init: string;
beforeAll(async () => {
  await useCpu();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'asymflow-rl-cli-'));
  init = await initCheckpoint(dir);
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function program(): Command {
  const p = new Command('asymflow').exitOverride();
  registerRl(p);
  registerDiagnose(p);
  registerTrainEmbed(p);
  registerSweepRl(p.command('sweep'));
  return p;
}

const small = [
  '--steps',
  '1',
  '--prompts',
  '1',
  '--group',
  '2',
  '--max-tokens',
  '6',
  '--eval-n',
  '1',
  '--eval-max-tokens',
  '6',
  '--bucket',
  '16',
  '--score-threads',
  '0',
  '--backend',
  'cpu',
];

describe('asymflow rl verbs', () => {
  it('sweep rl: one run per α, sweep.json rows, Table-2 markdown and the trade-off plot', async () => {
    const out = path.join(dir, 'sweep');
    const write = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      await program().parseAsync(['node', 'asymflow', 'sweep', 'rl', '--alpha', '0,1', '--init', init, '--out', out, ...small]);
    } finally {
      write.mockRestore();
    }
    const sweep = JSON.parse(fs.readFileSync(path.join(out, 'sweep.json'), 'utf8'));
    expect(sweep.rows.map((r: { setting: string }) => r.setting)).toEqual(['init', 'α=0', 'α=1']);
    for (const r of sweep.rows) for (const k of ['a', 'ap', 'ar', 'arCond']) expect(r[k]).toBeGreaterThanOrEqual(0);
    expect(JSON.parse(fs.readFileSync(path.join(out, 'alpha-1', 'summary.json'), 'utf8'))).toMatchObject({ alpha: 1, completed: true, steps: 1 });
    expect(fs.readFileSync(path.join(out, 'table.md'), 'utf8')).toMatch(/\| α=1 \| [0-9.]+ \([+-][0-9.]+\) \|/);
    expect(fs.statSync(path.join(out, 'plots', 'tradeoff.png')).size).toBeGreaterThan(1000);
  }, 60_000);

  it('rejects bad flags with exact messages', async () => {
    expect(() => parseAlphas('0,0.5,2')).toThrow("sweep rl --alpha: '2' is not a number in [0, 1] (in '0,0.5,2')");
    expect(() => parseAlphas('0,0')).toThrow("sweep rl --alpha: repeated value in '0,0'");
    const rl = program().parseAsync([
      'node',
      'asymflow',
      'rl',
      '--init',
      init,
      '--out',
      path.join(dir, 'bad'),
      '--alpha',
      '0.3',
      '--reward',
      'outcome',
      '--backend',
      'cpu',
    ]);
    await expect(rl).rejects.toThrow('rl.alpha must be 0 with rl.reward outcome (there is no perception term), got 0.3');
    const embed = program().parseAsync(['node', 'asymflow', 'train-embed', '--out', path.join(dir, 'e'), '--batch', '1', '--backend', 'cpu']);
    await expect(embed).rejects.toThrow('trainEmbed.batch must be at least 2 (contrastive pairs need negatives), got 1');
    expect(() => resolveDiagnoseConfig({ out: 'x' })).toThrow('diagnose needs --rollouts FILE or --checkpoint DIR --task T');
    expect(() => resolveDiagnoseConfig({ out: 'x', checkpoint: 'c' })).toThrow(
      'diagnose.task is required with --checkpoint (fresh rollouts): --task gc|sudoku',
    );
    expect(() => resolveDiagnoseConfig({ out: 'x', rollouts: 'f', rewards: 'outcome,self:x' })).toThrow(
      'diagnose.rewards is invalid: reward \'self:x\': self:N needs a positive integer N (re-solves per rollout), got "outcome,self:x"',
    );
  });
});
