/**
 * `asymflow eval --task T (--checkpoint DIR | --policy openai --base-url URL [--model NAME]) [--split test]
 *   [--n N] [--mode e2e|counterfactual|both] [--temperature 0.7] [--top-p 1.0] [--max-tokens 10000]
 *   [--seed S] --out DIR [--data DIR] [--record FILE] [--concurrency K]`
 * Disentangled evaluation (docs/architecture.md §6) of our checkpoint or of any OpenAI-compatible endpoint: per-sample
 * records in DIR/scored.msgpack and DIR/records.jsonl, figures in DIR/summary.json (flows/eval.ts, flows/evaluate.ts).
 */
import type { Command } from 'commander';
import { EVAL_OPTIONS, resolveEvalConfig, type EvalConfig } from '../../src/eval/eval-config.ts';
import type { EvalSummary } from '../../src/eval/eval-summary.ts';
import { addOptionFlags } from './option-flags.ts';
import { progressReporter } from '../progress.ts';
import { readTaskOptions, TASK_OPTION_HELP } from './task-flags.ts';

/** Runs `asymflow eval` with command-line style flags (strings or typed values); `progress` draws a bar/lines with an ETA on stderr. */
export async function evalCommand(flags: Readonly<Record<string, unknown>>, log?: (line: string) => void, progress = false): Promise<EvalSummary> {
  const { taskOption, ...rest } = flags as { taskOption?: string[] };
  const config: EvalConfig = resolveEvalConfig(rest);
  const taskOptions = await readTaskOptions('eval', config.task, taskOption ?? []);
  const { runEval } = await import('../../flows/eval.ts'); // loaded on use: `eval --help` loads no tfjs or sharp
  return runEval(config, taskOptions, {
    log,
    progress: progress ? (split, total) => progressReporter({ label: `eval ${config.task} ${split}`, total }) : undefined,
  });
}

export function registerEval(program: Command): void {
  const command = program
    .command('eval')
    .description('disentangled evaluation (a, a_p, ã_r, counterfactual a_r) of a checkpoint or an OpenAI-compatible endpoint');
  addOptionFlags(command, EVAL_OPTIONS, { required: ['out'] })
    .option('--task-option <key=value...>', 'task generation/rendering knob, e.g. layout=spring (repeatable)')
    .addHelpText('after', TASK_OPTION_HELP)
    .action(async (opts: Record<string, unknown>) => {
      const flags = { ...opts, policy: opts.policy ?? (opts.checkpoint ? 'tfjs' : opts.baseUrl ? 'openai' : undefined) };
      await evalCommand(flags, undefined, true);
    });
}
