/**
 * `asymflow diagnose --rollouts FILE [--rewards outcome,self:1,self:4,teacher:…,embed] --out DIR`
 * `asymflow diagnose --checkpoint DIR --task T [--n 2500] [--rewards …] --out DIR`
 * The correlation diagnostic (flows/diagnose.ts): Pearson r of the outcome reward with a_p and ã_r, and of
 * each surrogate reward with a_p, with 95% intervals → DIR/summary.json and DIR/table.md.
 */
import type { Command } from 'commander';
import type { DiagnoseResult } from '../../flows/diagnose.ts';
import { DIAGNOSE_OPTIONS, resolveDiagnoseConfig } from '../../src/rl/diagnose-config.ts';
import { addOptionFlags } from './option-flags.ts';
import { readTaskOptions, TASK_OPTION_HELP } from './task-flags.ts';

export { DIAGNOSE_DEFAULTS, resolveDiagnoseConfig, type DiagnoseConfig } from '../../src/rl/diagnose-config.ts';

export async function diagnoseCommand(flags: Readonly<Record<string, unknown>>, log?: (line: string) => void): Promise<DiagnoseResult> {
  const { taskOption, ...rest } = flags as { taskOption?: string[] };
  const c = resolveDiagnoseConfig(rest);
  const taskOptions = await readTaskOptions('diagnose', c.task, taskOption ?? []);
  if (c.checkpoint !== '') await (await import('../../src/backend/index.ts')).resolveBackend(c.backend || undefined, { log });
  const { runDiagnose } = await import('../../flows/diagnose.ts'); // loaded on use: `diagnose --help` stays fast
  return runDiagnose({
    rollouts: c.rollouts || undefined,
    checkpoint: c.checkpoint || undefined,
    task: c.task || undefined,
    n: c.n,
    rewards: c.rewards,
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
    .description('correlation of the outcome reward with perception and reasoning, and of surrogate rewards with a_p (Table 3)');
  addOptionFlags(command, DIAGNOSE_OPTIONS, { required: ['out'] })
    .option('--task-option <key=value...>', 'task rendering knob (repeatable)')
    .addHelpText('after', TASK_OPTION_HELP)
    .action(async (opts: Record<string, unknown>) => {
      await diagnoseCommand(opts);
    });
}
