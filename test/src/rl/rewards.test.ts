/**
 * Reward combination, group advantages and reward specs: α = 0 is outcome-only whatever the perception
 * term; the recorded components; hand-computed advantages per group; exact spec and config messages.
 */
import { describe, expect, it } from 'vitest';
import { withAdvantages } from '../../../src/rl/groups.ts';
import { parseRewardSpec, rewardName } from '../../../src/rl/reward-spec.ts';
import { combineRewards, type Unadvantaged } from '../../../src/rl/rewards/combine.ts';
import { resolveRlConfig } from '../../../src/rl/rl-config.ts';

const score = (a: number, ap: number, arCond = a) => ({ a, ap, arCond });

describe('combineRewards', () => {
  it('α = 0 equals the outcome-only reward for every perception term', () => {
    for (const [a, ap] of [
      [0, 1],
      [1, 0],
      [1, 1],
      [0, 0],
    ]) {
      const outcome = combineRewards({ alpha: 0, spec: parseRewardSpec('outcome') }, score(a, ap), {}).reward;
      expect(outcome).toBe(a);
      expect(combineRewards({ alpha: 0, spec: parseRewardSpec('perception') }, score(a, ap), {}).reward).toBe(outcome);
      expect(combineRewards({ alpha: 0, spec: parseRewardSpec('self:4') }, score(a, ap), { self4: 0.75 }).reward).toBe(outcome);
    }
    // the one α rule (reward-spec.ts alphaProblem) holds here as in the config
    expect(() => combineRewards({ alpha: 0.5, spec: parseRewardSpec('outcome') }, score(1, 1), {})).toThrow(
      'combineRewards: α must be 0 with rl.reward outcome (there is no perception term), got 0.5',
    );
  });

  it('mixes α·perception + (1−α)·a and records every component', () => {
    const r = combineRewards({ alpha: 0.2, spec: parseRewardSpec('embed') }, score(1, 0, 1), { embed: 0.5 });
    expect(r.reward).toBeCloseTo(0.2 * 0.5 + 0.8, 12);
    expect(r.rewards).toEqual({ outcome: 1, perception: 0, arCond: 1, embed: 0.5, final: r.reward });
    expect(combineRewards({ alpha: 1, spec: parseRewardSpec('perception') }, score(0, 1), {}).reward).toBe(1);
    expect(() => combineRewards({ alpha: 0.5, spec: parseRewardSpec('teacher:x') }, score(1, 1), {})).toThrow("reward 'teacher' has no value");
  });
});

describe('withAdvantages', () => {
  const row = (sampleId: string, reward: number): Unadvantaged => ({ sampleId, reward }) as unknown as Unadvantaged;
  it('normalises per prompt against hand-computed values; zero-spread groups and groups of one get zeros', () => {
    const rows = [row('p', 1), row('q', 0.5), row('p', 0), row('q', 0.5), row('p', 0), row('r', 1)];
    const { scored, groups } = withAdvantages(rows, 0);
    // p: rewards 1,0,0 → mean 1/3, unbiased std √(1/3) → (2/3)/√(1/3) = 1.1547, (−1/3)/√(1/3) = −0.5774
    expect(scored.map((s) => s.advantage)).toEqual([expect.closeTo(1.1547005, 6), 0, expect.closeTo(-0.5773503, 6), 0, expect.closeTo(-0.5773503, 6), 0]);
    expect(groups.map((g) => [g.sampleId, g.scored.length])).toEqual([
      ['p', 3],
      ['q', 2],
      ['r', 1],
    ]);
  });
});

describe('reward specs and rl config', () => {
  it('parses every form and names its reward', () => {
    expect(['outcome', 'perception', 'self:4', 'teacher:http://h:8000/v1', 'embed'].map((s) => rewardName(parseRewardSpec(s)))).toEqual([
      'outcome',
      'perception',
      'self4',
      'teacher',
      'embed',
    ]);
    expect(parseRewardSpec('teacher:runs/sft')).toEqual({ kind: 'teacher', policy: 'runs/sft' });
    expect(() => parseRewardSpec('self:0')).toThrow("reward 'self:0': self:N needs a positive integer N (re-solves per rollout)");
    expect(() => parseRewardSpec('clip')).toThrow("reward 'clip' is not one of outcome, perception, self:N, teacher:POLICY or embed");
  });

  it('validates with exact messages', () => {
    const ok = { init: 'ckpt', out: 'run' };
    expect(resolveRlConfig({ ...ok, alpha: '0.5', group: '4' })).toMatchObject({ alpha: 0.5, group: 4, reward: { kind: 'perception' } });
    expect(() => resolveRlConfig({ init: 'x' })).toThrow('rl.out is required: the run directory (--out DIR)');
    expect(() => resolveRlConfig({ out: 'x' })).toThrow('rl.init is required: the checkpoint to start from (--init DIR)');
    expect(() => resolveRlConfig({ ...ok, alpha: 1.5 })).toThrow('rl.alpha must be a number in [0, 1], got 1.5');
    expect(() => resolveRlConfig({ ...ok, reward: 'outcome', alpha: 0.5 })).toThrow(
      'rl.alpha must be 0 with rl.reward outcome (there is no perception term), got 0.5',
    );
    expect(() => resolveRlConfig({ ...ok, reward: 'self:x' })).toThrow(
      'rl.reward is invalid: reward \'self:x\': self:N needs a positive integer N (re-solves per rollout), got "self:x"',
    );
    expect(() => resolveRlConfig({ ...ok, tokenLambda: 2 })).toThrow('rl.tokenLambda must be -1 (off) or a number in [0, 1], got 2');
    expect(() => resolveRlConfig({ ...ok, reward: 'embed' })).toThrow('rl.embed is required with rl.reward embed: the encoder directory (--embed DIR)');
    expect(() => resolveRlConfig({ ...ok, temperature: 0 })).toThrow('rl.temperature must be a number in (0, 2] (GRPO needs sampling), got 0');
    expect(() => resolveRlConfig({ ...ok, prompts: 1, group: 2, miniBatches: 3 })).toThrow(
      'rl.miniBatches (3) must not exceed the rollouts per step (prompts·group = 2)',
    );
    expect(() => resolveRlConfig({ ...ok, lrr: 1 })).toThrow("unknown option 'rl.lrr'");
  });
});
