/**
 * `asymflow diagnose --rollouts FILE [--rewards outcome,self:1,self:4,teacher:…,embed] --out DIR`
 * `asymflow diagnose --checkpoint DIR --task T [--n 2500] [--rewards …] --out DIR`
 * The correlation diagnostic (flows/diagnose.ts): Pearson r of the outcome reward with a_p and ã_r, and of
 * each surrogate reward with a_p, with 95% intervals → DIR/summary.json and DIR/table.md.
 */
import type { Command } from 'commander';
import type { DiagnoseResult } from '../../flows/diagnose.ts';
import { checks, ConfigError, resolveConfig } from '../../src/config.ts';
import { parseRewardSpec } from '../../src/rl/reward-spec.ts';
import { describeDefaults } from './help-defaults.ts';
import { parseTaskOptions, TASK_OPTION_HELP } from './task-flags.ts';

export const DIAGNOSE_DEFAULTS = {
  rollouts: '',
  checkpoint: '',
  task: '',
  n: 2500,
  rewards: 'outcome',
  embed: '',
  temperature: 1,
  maxTokens: 512,
  batch: 64,
  bucket: 64,
  seed: 0,
  scoreThreads: 1,
  backend: '',
  out: '',
  overwrite: false,
};

export type DiagnoseConfig = typeof DIAGNOSE_DEFAULTS;

export function resolveDiagnoseConfig(flags: Readonly<Record<string, unknown>>): DiagnoseConfig {
  const c = resolveConfig('diagnose', DIAGNOSE_DEFAULTS, flags, {
    n: checks.positiveInt,
    temperature: checks.inRange(0, 2),
    maxTokens: checks.positiveInt,
    batch: checks.positiveInt,
    bucket: checks.positiveInt,
    seed: checks.seed,
    scoreThreads: checks.nonNegativeInt,
  });
  if (c.out === '') throw new ConfigError('diagnose.out is required: the output directory (--out DIR)');
  if (c.rollouts === '' && c.checkpoint === '') throw new ConfigError('diagnose needs --rollouts FILE or --checkpoint DIR --task T');
  if (c.rollouts === '' && c.task === '') throw new ConfigError('diagnose.task is required with --checkpoint (fresh rollouts): --task gc|sudoku');
  for (const r of c.rewards.split(',')) {
    try {
      parseRewardSpec(r.trim());
    } catch (e) {
      throw new ConfigError(`diagnose.rewards: ${(e as Error).message}`);
    }
  }
  return c;
}

export async function diagnoseCommand(flags: Readonly<Record<string, unknown>>, log?: (line: string) => void): Promise<DiagnoseResult> {
  const { taskOption, ...rest } = flags as { taskOption?: string[] };
  const c = resolveDiagnoseConfig(rest);
  const taskOptions = parseTaskOptions(taskOption ?? [], 'diagnose', c.task);
  if (c.checkpoint !== '') await (await import('../../src/backend/index.ts')).resolveBackend(c.backend || undefined, { log });
  const { runDiagnose } = await import('../../flows/diagnose.ts'); // loaded on use: `diagnose --help` stays fast
  return runDiagnose({
    rollouts: c.rollouts || undefined,
    checkpoint: c.checkpoint || undefined,
    task: c.task || undefined,
    n: c.n,
    rewards: c.rewards.split(',').map((r) => r.trim()),
    embed: c.embed || undefined,
    temperature: c.temperature,
    maxTokens: c.maxTokens,
    batch: c.batch,
    bucket: c.bucket,
    seed: c.seed,
    scoreThreads: c.scoreThreads,
    taskOptions,
    out: c.out,
    overwrite: c.overwrite,
    config: c,
    log,
  });
}

export function registerDiagnose(program: Command): void {
  const command = program
    .command('diagnose')
    .description('correlation of the outcome reward with perception and reasoning, and of surrogate rewards with a_p (Table 3)')
    .option('--rollouts <file>', 'a rollouts.msgpack to re-score (no GPU needed)')
    .option('--overwrite', 'replace an existing diagnose run in --out instead of refusing')
    .option('--checkpoint <dir>', 'sample fresh rollouts from this checkpoint or run directory (also the policy for self:N)')
    .option('--task <name>', 'task of the fresh rollouts')
    .option('--n <count>', 'fresh rollouts (paper: 2500)')
    .option('--rewards <list>', 'comma-separated: outcome, self:N, teacher:POLICY, embed')
    .option('--embed <dir>', 'encoder for the embed reward')
    .option('--temperature <t>', 'sampling temperature (fresh rollouts, self:N)')
    .option('--max-tokens <m>', 'longest rollout / second hop')
    .option('--batch <b>', 'rollouts per batch')
    .option('--bucket <b>', 'length padding bucket')
    .option('--seed <s>', 'data and sampling seed')
    .option('--score-threads <k>', 'verification worker threads (0: in-process)')
    .option('--backend <name>', 'tensorflow, webgpu, wasm or cpu')
    .requiredOption('--out <dir>', 'output directory')
    .option('--task-option <key=value...>', 'task rendering knob (repeatable)')
    .addHelpText('after', TASK_OPTION_HELP);
  describeDefaults(command, DIAGNOSE_DEFAULTS).action(async (opts: Record<string, unknown>) => {
    await diagnoseCommand(opts);
  });
}
