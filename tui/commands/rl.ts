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
import { resolveRlConfig, RL_DEFAULTS } from '../../src/rl/rl-config.ts';
import type { Monitor } from '../monitor.ts';
import { describeDefaults } from './help-defaults.ts';
import { parseTaskOptions, TASK_OPTION_HELP } from './task-flags.ts';

/** Runs `asymflow rl` with command-line style flags; `monitor: false` skips the dashboard/log (tests). */
export async function rlCommand(flags: Readonly<Record<string, unknown>>, options: { log?: (line: string) => void; monitor?: boolean } = {}): Promise<RlSummary> {
  const { taskOption, ...rest } = flags as { taskOption?: string[] };
  const config = resolveRlConfig(rest);
  const taskOptions = parseTaskOptions(taskOption ?? [], 'rl', config.task);
  // Loaded on use, so `rl --help` loads no tfjs or ink.
  const [{ runRl }, { resolveBackend }, { attachMonitor }] = await Promise.all([import('../../flows/rl.ts'), import('../../src/model/backend.ts'), import('../monitor.ts')]);
  const backend = await resolveBackend(config.backend || undefined, { log: options.log });
  let monitor: Monitor | undefined;
  try {
    return await runRl({
      config,
      taskOptions,
      backend,
      log: options.log,
      onRun: (run, stop) => {
        if (options.monitor === false) return;
        monitor = attachMonitor({ metrics$: run.metrics$, info: { run: run.run, task: config.task, backend: backend.name, device: backend.device, totalSteps: config.steps }, onQuit: stop });
      },
    });
  } finally {
    await monitor?.done;
  }
}

export function registerRl(program: Command): void {
  const command = program
    .command('rl')
    .description('GRPO with reward augmentation (α), RL token reweighting and surrogate perception rewards')
    .option('--task <name>', 'task: gc or sudoku')
    .requiredOption('--init <dir>', 'checkpoint or run directory to start from (policy and frozen reference), e.g. an SFT run')
    .option('--alpha <a>', 'R = α·perception + (1−α)·a (default 0)')
    .option('--reward <spec>', 'perception term: outcome, perception (a_p), self:N, teacher:POLICY (dir or URL), embed')
    .option('--embed <dir>', 'encoder for --reward embed (asymflow train-embed)')
    .option('--token-lambda <l>', 'RL token reweighting λ in [0, 1] (-1: off)')
    .option('--steps <n>', 'GRPO steps')
    .option('--prompts <p>', 'prompts per step')
    .option('--group <g>', 'rollouts per prompt (G)')
    .option('--lr <lr>', 'learning rate')
    .option('--warmup <n>', 'lr warmup steps')
    .option('--kl <beta>', 'k3 KL coefficient to the reference')
    .option('--clip <eps>', 'clip ε (low)')
    .option('--clip-high <eps>', 'clip ε (high)')
    .option('--dual-clip <c>', 'dual clip c for negative advantages')
    .option('--aggregation <how>', 'token-mean or seq-mean-token-mean')
    .option('--gspo <bool>', 'GSPO sequence-level ratio (true/false)')
    .option('--epochs <n>', 'PPO epochs per step')
    .option('--mini-batches <n>', 'optimizer steps per epoch')
    .option('--micro-batch <n>', 'rows per forward/backward pass (0: whole mini-batch); bounds GPU memory')
    .option('--epsilon <e>', 'advantage std ε')
    .option('--temperature <t>', 'rollout temperature')
    .option('--top-p <p>', 'rollout nucleus mass')
    .option('--max-tokens <m>', 'longest rollout')
    .option('--rollout-batch <b>', 'rows per sampling call')
    .option('--bucket <b>', 'length padding bucket')
    .option('--self-max-tokens <m>', 'self-reward second hop / teacher transcription length')
    .option('--eval-n <n>', 'held-out samples for the before/after evaluation (0: skip)')
    .option('--eval-split <split>', 'held-out split evaluated: val (for choosing settings) or test (for reported tables)')
    .option('--eval-temperature <t>', 'before/after evaluation temperature')
    .option('--eval-max-tokens <m>', 'before/after evaluation max tokens')
    .option('--score-threads <k>', 'verification worker threads (0: in-process)')
    .option('--checkpoint-every <n>', 'steps between checkpoints')
    .option('--seed <s>', 'data and sampling seed')
    .option('--backend <name>', 'tensorflow, webgpu, wasm or cpu (default: ASYMFLOW_BACKEND or auto)')
    .requiredOption('--out <dir>', 'the run directory')
    .option('--resume', 'continue from DIR/checkpoints/latest')
    .option('--stop-after <k>', 'stop (checkpointed) after K steps of this invocation')
    .option('--record <file>', 'also record the rollout stream to FILE (DIR/rollouts.msgpack is always written)')
    .option('--overwrite', 'replace an existing rl run in --out (and --record FILE) instead of refusing')
    .option('--task-option <key=value...>', 'task generation/rendering knob (repeatable)')
    .addHelpText('after', TASK_OPTION_HELP);
  describeDefaults(command, RL_DEFAULTS)
    .action(async (opts: Record<string, unknown>) => {
      await rlCommand(opts);
    });
}
