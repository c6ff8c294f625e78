/**
 * `asymflow diagnose` configuration (docs/architecture.md §5, §8): one option table (src/options.ts) from which the
 * config type, defaults, checks and flags derive; `--rewards` is read once here into typed reward specs.
 */
import { checks, ConfigError } from '../config.ts';
import { defaultsOf, option, resolveOptions, type ConfigOf } from '../options.ts';
import { readRewardOption, rewardSpecText, toRewardSpecs, type RewardSpec } from './reward-spec.ts';

/** Every `asymflow diagnose` setting once: default, check, help and flag (src/options.ts). */
export const DIAGNOSE_OPTIONS = {
  rollouts: option('', 'a rollouts.msgpack to re-score (no GPU needed)', { value: 'file' }),
  overwrite: option(false, 'replace an existing diagnose run in --out instead of refusing', { check: checks.boolean }),
  checkpoint: option('', 'sample fresh rollouts from this checkpoint or run directory (also the policy for self:N)', { value: 'dir' }),
  task: option('', 'task of the fresh rollouts', { value: 'name' }),
  n: option(2500, 'fresh rollouts (paper: 2500)', { value: 'count', check: checks.positiveInt }),
  rewards: option<readonly RewardSpec[]>([{ kind: 'outcome' }], 'comma-separated: outcome, self:N, teacher:POLICY, embed', {
    value: 'list',
    read: readRewardOption(toRewardSpecs),
    shownDefault: 'outcome',
  }),
  embed: option('', 'encoder for the embed reward', { value: 'dir' }),
  temperature: option(1, 'sampling temperature (fresh rollouts, self:N)', { value: 't', check: checks.inRange(0, 2) }),
  maxTokens: option(512, 'longest rollout / second hop', { value: 'm', check: checks.positiveInt }),
  batch: option(64, 'rollouts per batch', { value: 'b', check: checks.positiveInt }),
  bucket: option(64, 'length padding bucket', { value: 'b', check: checks.positiveInt }),
  seed: option(0, 'data and sampling seed', { value: 's', check: checks.seed }),
  scoreThreads: option(1, 'verification worker threads (0: in-process)', { value: 'k', check: checks.nonNegativeInt }),
  backend: option('', 'tensorflow, webgpu, wasm or cpu', { value: 'name' }),
  out: option('', 'output directory', { value: 'dir' }),
};

export type DiagnoseConfig = ConfigOf<typeof DIAGNOSE_OPTIONS>;
export const DIAGNOSE_DEFAULTS: DiagnoseConfig = defaultsOf(DIAGNOSE_OPTIONS);

export function resolveDiagnoseConfig(flags: Readonly<Record<string, unknown>>): DiagnoseConfig {
  const c = resolveOptions('diagnose', DIAGNOSE_OPTIONS, flags);
  if (c.out === '') throw new ConfigError('diagnose.out is required: the output directory (--out DIR)');
  if (c.rollouts === '' && c.checkpoint === '') throw new ConfigError('diagnose needs --rollouts FILE or --checkpoint DIR --task T');
  if (c.rollouts === '' && c.task === '') throw new ConfigError('diagnose.task is required with --checkpoint (fresh rollouts): --task gc|sudoku');
  return c;
}

/** The config as config.json keeps it: the rewards as the flag's text (`outcome,self:1`), as before they were typed. */
export function savedDiagnoseConfig(c: DiagnoseConfig): Record<string, unknown> {
  return { ...c, rewards: c.rewards.map(rewardSpecText).join(',') };
}
