import { describe, expect, it } from 'vitest';
import { resolveRlConfig, RL_DEFAULTS, rlConfigChanges } from '../../../src/rl/rl-config.ts';

const given = (flags: Record<string, unknown> = {}) => resolveRlConfig({ init: 'runs/sft', out: 'runs/rl', ...flags });
// A checkpoint's config as JSON keeps it: the reward spec as written then (text before it was typed).
const saved = (flags: Record<string, unknown> = {}) => JSON.parse(JSON.stringify(given(flags))) as Record<string, unknown>;

describe('rlConfigChanges (rl --resume)', () => {
  it('accepts the same settings, and changes in how the run computes (stop-after, record, backend, score threads)', () => {
    expect(
      rlConfigChanges(saved({ alpha: 0.5 }), given({ alpha: 0.5, stopAfter: 2, record: 'r.msgpack', backend: 'cpu', scoreThreads: 3, resume: true })),
    ).toEqual([]);
  });

  it('names every trained setting that differs, saved → given', () => {
    expect(rlConfigChanges(saved({ alpha: 0.5, lr: 1e-4 }), given({ alpha: 0.2, lr: 1e-4, kl: 0.05 }))).toEqual(['alpha (0.5 → 0.2)', 'kl (0.01 → 0.05)']);
    expect(rlConfigChanges(saved({ reward: 'self:4' }), given({ reward: 'self:2' }))).toEqual(['reward ({"kind":"self","n":4} → {"kind":"self","n":2})']);
  });

  it('reads checkpoints written before the reward was typed or a setting existed, and ones that saved no config', () => {
    const old: Record<string, unknown> = { ...saved({ reward: 'self:4' }), reward: 'self:4' }; // the text form
    delete old.evalSplit; // a setting added later counts as its default
    expect(rlConfigChanges(old, given({ reward: 'self:4' }))).toEqual([]);
    expect(rlConfigChanges(old, given({ reward: 'self:4', evalSplit: 'test' }))).toEqual([`evalSplit ("${RL_DEFAULTS.evalSplit}" → "test")`]);
    expect(rlConfigChanges({}, given({ alpha: 1 }))).toEqual([]);
  });
});
