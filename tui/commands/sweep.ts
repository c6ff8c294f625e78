/**
 * `asymflow sweep <kind>`: one parent verb for sweeps, one subcommand per kind, each in its own file:
 *   sweep sft   tui/commands/sweep-sft.ts   SFT objectives (standard, λ list, NGDiff) → Table 1 + trade-off plot
 *   sweep rl    tui/commands/sweep-rl.ts    (to come: RL settings; register it below like sweep sft)
 */
import type { Command } from 'commander';
import { registerSweepRl } from './sweep-rl.ts';
import { registerSweepSft } from './sweep-sft.ts';

export function registerSweep(program: Command): void {
  const sweep = program.command('sweep').description('run a family of settings and tabulate them (sweep sft …)');
  registerSweepSft(sweep);
  registerSweepRl(sweep);
}
