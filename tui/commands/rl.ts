/**
 * `asymflow rl --task T --init DIR [--alpha A] [--reward outcome|perception|self:N|teacher:POLICY|embed]
 *   [--token-lambda L] [--steps N] [--prompts P] [--group G] [--lr …] [--kl …] [--clip …] [--seed S]
 *   [--backend …] --out DIR [--resume] [--stop-after K] [--record FILE]`
 * GRPO from a checkpoint (flows/rl.ts): rollouts in DIR/rollouts.msgpack, metrics, checkpoints in
 * DIR/checkpoints/latest, before/after figures and reward statistics in DIR/summary.json. The dashboard
 * shows on a terminal, a plain log otherwise; q / Ctrl-C stops after the current step (checkpointed).
 */
import type { Command } from 'commander';
import type { RlSummary } from '../../flows/rl.ts';
import { resolveRlConfig, RL_OPTIONS } from '../../src/rl/rl-config.ts';
import { addOptionFlags } from './option-flags.ts';
import { readTaskOptions, TASK_OPTION_HELP } from './task-flags.ts';

/** Runs `asymflow rl` with command-line style flags; `monitor: false` skips the dashboard/log (tests). */
export async function rlCommand(
  flags: Readonly<Record<string, unknown>>,
  options: { log?: (line: string) => void; monitor?: boolean } = {},
): Promise<RlSummary> {
  const { taskOption, ...rest } = flags as { taskOption?: string[] };
  const config = resolveRlConfig(rest);
  const taskOptions = await readTaskOptions('rl', config.task, taskOption ?? []);
  // Loaded on use, so `rl --help` loads no tfjs or ink.
  const [{ runRl }, { resolveBackend }, { runMonitor }] = await Promise.all([
    import('../../flows/rl.ts'),
    import('../../src/backend/index.ts'),
    import('./run-monitor.ts'),
  ]);
  const monitor = runMonitor();
  const log = options.log ?? monitor.log;
  const backend = await resolveBackend(config.backend || undefined, { log });
  try {
    return await runRl({
      config,
      taskOptions,
      backend,
      log,
      result: options.log ?? monitor.result,
      watch: options.monitor === false ? undefined : (w) => monitor.watch(w),
    });
  } finally {
    monitor.close();
  }
}

export function registerRl(program: Command): void {
  const command = program.command('rl').description('GRPO with reward augmentation (α), RL token reweighting and surrogate perception rewards');
  addOptionFlags(command, RL_OPTIONS, { required: ['init', 'out'] })
    .option('--task-option <key=value...>', 'task generation/rendering knob (repeatable)')
    .addHelpText('after', TASK_OPTION_HELP)
    .action(async (opts: Record<string, unknown>) => {
      await rlCommand(opts);
    });
}
