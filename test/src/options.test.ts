/**
 * Option tables (src/options.ts, tui/commands/option-flags.ts): one declaration gives the defaults, the
 * typed values (a `read` option from its text or its typed form), exact messages, and the CLI flags with help
 * defaults; the SFT and RL tables keep every run's rule (the sweeps resolve each run's own config).
 */
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { checks } from '../../src/config.ts';
import { defaultsOf, option, resolveOptions } from '../../src/options.ts';
import { alphaRunConfig, RL_OPTIONS } from '../../src/rl/rl-config.ts';
import { rewardSpecText, toRewardSpec } from '../../src/rl/reward-spec.ts';
import { objectiveName, toObjective } from '../../src/sft/objective-spec.ts';
import { SFT_OPTIONS } from '../../src/sft/sft-config.ts';
import { settingConfig, sweepSettings } from '../../src/sft/sweep-table.ts';
import { addOptionFlags } from '../../tui/commands/option-flags.ts';

const pair = (v: unknown): [number, number] => {
  const m = /^(\d+),(\d+)$/.exec(String(v));
  if (!m) throw new Error('must be two integers A,B');
  return [Number(m[1]), Number(m[2])];
};
const TABLE = {
  evalN: option(100, 'samples', { value: 'n', check: checks.positiveInt }),
  span: option<[number, number]>([0, 1], 'a range', { value: 'a,b', read: pair, shownDefault: '0,1' }),
  resume: option(false, 'continue'),
  plots: option(true, 'write plots'),
  secret: option('', 'code only', { flag: false }),
};

describe('option tables', () => {
  it('derive defaults, typed values and exact messages', () => {
    expect(defaultsOf(TABLE)).toEqual({ evalN: 100, span: [0, 1], resume: false, plots: true, secret: '' });
    expect(resolveOptions('c', TABLE, { evalN: '7', span: '2,3', resume: 'true' })).toEqual({ evalN: 7, span: [2, 3], resume: true, plots: true, secret: '' });
    expect(resolveOptions('c', TABLE, { span: [4, 5] as unknown })).toMatchObject({ span: [4, 5] }); // a typed value reads too
    expect(() => resolveOptions('c', TABLE, { span: '2-3' })).toThrow('c.span must be two integers A,B, got "2-3"');
    expect(() => resolveOptions('c', TABLE, { evalN: '0' })).toThrow('c.evalN must be a positive integer, got 0');
    expect(() => resolveOptions('c', TABLE, { evaln: 1 })).toThrow("unknown option 'c.evaln'; known: evalN, span, resume, plots, secret");
  });

  it('give the CLI flags with their defaults in the help', () => {
    const command = addOptionFlags(new Command('x'), TABLE, { required: ['evalN'] });
    expect(command.options.map((o) => o.flags)).toEqual(['--eval-n <n>', '--span <a,b>', '--resume', '--no-plots']);
    expect(command.options.map((o) => o.description)).toEqual(['samples (default: 100)', 'a range (default: 0,1)', 'continue', 'write plots']);
    expect(command.options[0].mandatory).toBe(true);
    expect(addOptionFlags(new Command('y'), TABLE, { keys: ['resume', 'evalN'], omit: ['evalN'] }).options.map((o) => o.long)).toEqual(['--resume']);
  });

  it('read an objective and a reward from their text and their typed form alike', () => {
    for (const text of ['standard', 'lambda:0.25', 'ngdiff']) expect(objectiveName(toObjective(toObjective(text)))).toBe(text);
    for (const text of ['outcome', 'perception', 'self:4', 'teacher:http://h:8000/v1', 'embed'])
      expect(rewardSpecText(toRewardSpec(toRewardSpec(text)))).toBe(text);
    expect(() => toObjective({ kind: 'lambda', lambda: 2 })).toThrow("objective must be standard, lambda:X with X in [0, 1], or ngdiff, got 'lambda:2'");
    expect(() => toRewardSpec({ kind: 'self', n: 0 })).toThrow("reward 'self:0': self:N needs a positive integer N");
    expect(resolveOptions('sft', SFT_OPTIONS, { objective: 'lambda:0.2' }).objective).toEqual({ kind: 'lambda', lambda: 0.2 });
    expect(() => resolveOptions('rl', RL_OPTIONS, { reward: 'clip' })).toThrow(
      'rl.reward is invalid: reward \'clip\' is not one of outcome, perception, self:N, teacher:POLICY or embed, got "clip"',
    );
  });

  it("sweeps check every run's own config: α against the reward, each objective", () => {
    const flags = { init: 'i', reward: 'outcome' };
    expect(alphaRunConfig(flags, 0, 'runs/s')).toMatchObject({ alpha: 0, out: 'runs/s/alpha-0', resume: true, reward: { kind: 'outcome' } });
    expect(() => alphaRunConfig(flags, 0.5, 'runs/s')).toThrow('rl.alpha must be 0 with rl.reward outcome (there is no perception term), got 0.5');
    const base = resolveOptions('sft', SFT_OPTIONS, { out: 'runs/s' });
    const [standard, lambda] = sweepSettings([0.3], ['standard']);
    expect(settingConfig(base, lambda, 'runs/s')).toMatchObject({ objective: { kind: 'lambda', lambda: 0.3 }, out: 'runs/s/lambda-0.3', overwrite: true });
    expect(settingConfig(base, standard, 'runs/s').objective).toEqual({ kind: 'standard' });
    expect(() => settingConfig(base, { ...lambda, objective: { kind: 'lambda', lambda: 1.5 } }, 'runs/s')).toThrow(
      'sft.objective must be standard, lambda:X with X in [0, 1], or ngdiff, got {"kind":"lambda","lambda":1.5}',
    );
  });
});
