/**
 * `asymflow rl` configuration (docs/architecture.md §5, §8): one option table (src/options.ts) from which the config type,
 * defaults, checks and flags derive; resolved once from the command's flags into typed values. Small-model defaults (lr, group, max tokens) were chosen by measurement on
 * the CPU `tiny` model (docs/rl.md); the paper's are lr 1e-6, KL 0.01, 128 prompts, 100 steps.
 */
import path from 'node:path';
import { checks, ConfigError, settingChanges } from '../config.ts';
import { defaultsOf, option, resolveOptions, type ConfigOf } from '../options.ts';
import { evalSplitOption } from '../data/held-out.ts';
import { TASK_NAMES } from '../tasks/registry.ts';
import type { LossAggregation } from './grpo-loss.ts';
import { alphaProblem, readRewardOption, toRewardSpec, type RewardSpec } from './reward-spec.ts';

const unit = checks.inRange(0, 1);

/** Every `asymflow rl` setting once: default, check, help and flag (src/options.ts). */
export const RL_OPTIONS = {
  task: option('gc', 'task: gc or sudoku', { value: 'name', check: checks.oneOf(TASK_NAMES) }),
  init: option('', 'checkpoint or run directory to start from (policy and frozen reference), e.g. an SFT run', { value: 'dir' }),
  alpha: option(0, 'R = α·perception + (1−α)·a', { value: 'a', check: unit }),
  reward: option<RewardSpec>({ kind: 'perception' }, 'perception term: outcome, perception (a_p), self:N, teacher:POLICY (dir or URL), embed', {
    value: 'spec',
    read: readRewardOption(toRewardSpec),
    shownDefault: 'perception',
  }),
  embed: option('', 'encoder directory for --reward embed (asymflow train-embed)', { value: 'dir' }),
  tokenLambda: option(-1, 'RL token reweighting λ in [0, 1] (-1: off)', {
    value: 'l',
    check: (v) => (v === -1 || (typeof v === 'number' && v >= 0 && v <= 1) ? undefined : 'must be -1 (off) or a number in [0, 1]'),
  }),
  steps: option(50, 'GRPO steps', { value: 'n', check: checks.positiveInt }),
  prompts: option(16, 'prompts per step', { value: 'p', check: checks.positiveInt }),
  group: option(8, 'rollouts per prompt (G)', { value: 'g', check: checks.positiveInt }),
  lr: option(1e-4, 'learning rate', { value: 'lr', check: checks.positive }),
  warmup: option(0, 'lr warmup steps', { value: 'n', check: checks.nonNegativeInt }),
  kl: option(0.01, 'β of the k3 KL to the reference', { value: 'beta', check: checks.inRange(0, 1e6) }),
  clip: option(0.2, 'clip ε (low)', { value: 'eps', check: unit }),
  clipHigh: option(0.2, 'clip ε (high)', { value: 'eps', check: checks.inRange(0, 1e6) }),
  dualClip: option(3, 'dual clip c for negative advantages', {
    value: 'c',
    check: (v) => (typeof v === 'number' && v > 1 ? undefined : 'must be a number > 1'),
  }),
  aggregation: option<LossAggregation>('token-mean', 'token-mean or seq-mean-token-mean', {
    value: 'how',
    check: checks.oneOf(['token-mean', 'seq-mean-token-mean']),
  }),
  gspo: option(false, 'GSPO sequence-level ratio (true/false)', { value: 'bool', check: checks.boolean }),
  epochs: option(1, "PPO epochs over one step's rollouts", { value: 'n', check: checks.positiveInt }),
  miniBatches: option(1, 'optimizer steps per epoch', { value: 'n', check: checks.positiveInt }),
  microBatch: option(0, 'rows per forward/backward pass (0: whole mini-batch); bounds GPU memory', { value: 'n', check: checks.nonNegativeInt }),
  epsilon: option(1e-6, 'advantage std ε', { value: 'e', check: checks.positive }),
  temperature: option(1, 'rollout temperature', {
    value: 't',
    check: (v) => (typeof v === 'number' && v > 0 && v <= 2 ? undefined : 'must be a number in (0, 2] (GRPO needs sampling)'),
  }),
  topP: option(1, 'rollout nucleus mass', { value: 'p', check: checks.aboveZeroToOne }),
  maxTokens: option(512, 'longest rollout', { value: 'm', check: checks.positiveInt }),
  rolloutBatch: option(64, 'rows per sampling call', { value: 'b', check: checks.positiveInt }),
  bucket: option(64, 'prompt/response lengths are padded to multiples of this (few distinct shapes)', { value: 'b', check: checks.positiveInt }),
  selfMaxTokens: option(512, 'self-reward second hop / teacher transcription length', { value: 'm', check: checks.positiveInt }),
  evalN: option(100, 'held-out samples for the before/after evaluation (0: skip)', { value: 'n', check: checks.nonNegativeInt }),
  evalSplit: evalSplitOption,
  evalTemperature: option(0.7, 'before/after evaluation temperature', { value: 't', check: checks.inRange(0, 2) }),
  evalMaxTokens: option(512, 'before/after evaluation max tokens', { value: 'm', check: checks.positiveInt }),
  scoreThreads: option(1, 'verification worker threads (0: in-process)', { value: 'k', check: checks.nonNegativeInt }),
  checkpointEvery: option(10, 'steps between checkpoints', { value: 'n', check: checks.positiveInt }),
  seed: option(0, 'data and sampling seed', { value: 's', check: checks.seed }),
  backend: option('', 'tensorflow, webgpu, wasm or cpu (default: ASYMFLOW_BACKEND or auto)', { value: 'name' }),
  out: option('', 'the run directory', { value: 'dir' }),
  resume: option(false, 'continue from DIR/checkpoints/latest', { check: checks.boolean }),
  overwrite: option(false, 'replace an existing rl run in --out (and --record FILE) instead of refusing', { check: checks.boolean }),
  stopAfter: option(0, 'stop (checkpointed) after K steps of this invocation (0: run to --steps)', { value: 'k', check: checks.nonNegativeInt }),
  record: option('', 'also record the rollout stream to FILE (DIR/rollouts.msgpack is always written)', {
    value: 'file',
    check: (v) => (typeof v === 'string' ? undefined : 'must be a file path'),
  }),
};

export type RlConfig = ConfigOf<typeof RL_OPTIONS>;
export const RL_DEFAULTS: RlConfig = defaultsOf(RL_OPTIONS);

/** What one run sets that an α sweep sets per α or for itself; the other options are the ones both take. */
export const RL_RUN_ONLY_KEYS: readonly (keyof RlConfig)[] = ['alpha', 'out', 'resume', 'overwrite', 'stopAfter', 'record'];

export function resolveRlConfig(flags: Readonly<Record<string, unknown>>): RlConfig {
  const config = resolveOptions('rl', RL_OPTIONS, flags); // the reward spec typed here, once
  if (config.out === '') throw new ConfigError('rl.out is required: the run directory (--out DIR)');
  if (config.init === '') throw new ConfigError('rl.init is required: the checkpoint to start from (--init DIR)');
  const alpha = alphaProblem(config.reward, config.alpha);
  if (alpha) throw new ConfigError(`rl.alpha ${alpha}, got ${config.alpha}`);
  if (config.reward.kind === 'embed' && config.embed === '')
    throw new ConfigError('rl.embed is required with rl.reward embed: the encoder directory (--embed DIR)');
  if (config.miniBatches > config.prompts * config.group) {
    throw new ConfigError(`rl.miniBatches (${config.miniBatches}) must not exceed the rollouts per step (prompts·group = ${config.prompts * config.group})`);
  }
  return config;
}

/**
 * One α's run of a sweep, SWEEP/alpha-α, resolved and checked like any run (the sweep's placeholder is no
 * run): an α the reward cannot weigh fails here, before any work. Resumes what a killed sweep left there.
 */
export function alphaRunConfig(base: Readonly<Record<string, unknown>>, alpha: number, sweepOut: string): RlConfig {
  return resolveRlConfig({ ...base, alpha, out: path.join(sweepOut, `alpha-${alpha}`), resume: true });
}

// How a run computes or reports, not what it trains: a resumed run may change these (as SFT's RESUMABLE_CHANGES).
export const RL_RESUMABLE_CHANGES: readonly (keyof RlConfig)[] = ['stopAfter', 'resume', 'overwrite', 'record', 'backend', 'out', 'scoreThreads'];

/**
 * What differs between an RL checkpoint's saved config and the given one (`key (saved → given)`). A reward saved
 * as text (before the spec was typed) compares as its spec; a checkpoint that saved no config compares nothing.
 */
export function rlConfigChanges(saved: Readonly<Record<string, unknown>>, given: RlConfig): string[] {
  if (Object.keys(saved).length === 0) return [];
  const normal = 'reward' in saved ? { ...saved, reward: toRewardSpec(saved.reward) } : saved;
  return settingChanges(normal, given, RL_RESUMABLE_CHANGES, RL_DEFAULTS);
}
