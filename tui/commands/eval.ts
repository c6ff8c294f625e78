/**
 * `asymflow eval --task T (--checkpoint DIR | --policy openai --base-url URL [--model NAME]) [--split test]
 *   [--n N] [--mode e2e|counterfactual|both] [--temperature 0.7] [--top-p 1.0] [--max-tokens 10000]
 *   [--seed S] --out DIR [--data DIR] [--record FILE] [--concurrency K]`
 * Disentangled evaluation (DESIGN §6) of our checkpoint or of any OpenAI-compatible endpoint: per-sample
 * records in DIR/scored.msgpack and DIR/records.jsonl, figures in DIR/summary.json (flows/eval.ts, flows/evaluate.ts).
 */
import type { Command } from 'commander';
import { EVAL_DEFAULTS, resolveEvalConfig, type EvalConfig } from '../../src/eval/eval-config.ts';
import type { EvalSummary } from '../../src/eval/eval-summary.ts';
import { describeDefaults } from './help-defaults.ts';
import { progressReporter } from '../progress.ts';
import { parseTaskOptions, TASK_OPTION_HELP } from './task-flags.ts';

export { parseTaskOptions };

/** Runs `asymflow eval` with command-line style flags (strings or typed values); `progress` draws a bar/lines with an ETA on stderr. */
export async function evalCommand(flags: Readonly<Record<string, unknown>>, log?: (line: string) => void, progress = false): Promise<EvalSummary> {
  const { taskOption, ...rest } = flags as { taskOption?: string[] };
  const config: EvalConfig = resolveEvalConfig(rest);
  const taskOptions = parseTaskOptions(taskOption ?? [], 'eval', config.task);
  const { runEval } = await import('../../flows/eval.ts'); // loaded on use: `eval --help` loads no tfjs or sharp
  return runEval(config, taskOptions, {
    log,
    progress: progress ? (split, total) => progressReporter({ label: `eval ${config.task} ${split}`, total }) : undefined,
  });
}

export function registerEval(program: Command): void {
  const command = program
    .command('eval')
    .description('disentangled evaluation (a, a_p, ã_r, counterfactual a_r) of a checkpoint or an OpenAI-compatible endpoint')
    .option('--task <name>', 'task: gc or sudoku', 'gc')
    .option('--checkpoint <dir>', 'our model: a checkpoint or a run directory')
    .option('--policy <kind>', 'tfjs (our checkpoint) or openai (an OpenAI-compatible endpoint)')
    .option('--base-url <url>', 'openai: the endpoint, e.g. http://127.0.0.1:8000/v1')
    .option('--model <name>', 'openai: the model name (default: the first of GET /v1/models)')
    .option('--api-key-env <var>', 'openai: environment variable holding the API key', 'OPENAI_API_KEY')
    .option('--image <source>', 'openai: png (the dataset image) or pixels (the model input, for asymflow serve)')
    .option('--split <name>', 'test, val, test_seen_glyphs (sudoku: new puzzles in the training handwriting), train_sft or train_rl', 'val')
    .option('--no-views', 'sudoku, --split test: skip the test_seen_glyphs view (evaluated by default into DIR/test_seen_glyphs)')
    .option('--n <count>', 'samples to evaluate')
    .option('--mode <mode>', 'e2e, counterfactual or both', 'both')
    .option('--temperature <t>', 'sampling temperature (paper: 0.7)')
    .option('--top-p <p>', 'nucleus mass (paper: 1.0)')
    .option('--max-tokens <m>', 'longest response (paper: 10000; our models cap it at their context)')
    .option('--completions <k>', 'completions per sample and mode')
    .option('--seed <s>', 'data and sampling seed')
    .requiredOption('--out <dir>', 'the run directory')
    .option('--data <dir>', 'a dataset directory (default: generate the split on the fly)')
    .option('--record <file>', 'also record the scored records to FILE')
    .option('--overwrite', 'replace an existing eval run in --out (and --record FILE)')
    .option('--concurrency <k>', 'openai: requests in flight')
    .option('--batch-size <b>', 'samples per policy call')
    .option('--timeout-ms <ms>', 'openai: per-request timeout')
    .option('--retries <r>', 'openai: retries per request')
    .option('--backend <name>', 'tfjs: tensorflow, webgpu, wasm or cpu (default: ASYMFLOW_BACKEND or auto)')
    .option('--seeding <mode>', 'tfjs at temperature > 0: per-batch (fast, default) or per-sample (same sample whatever the batch)')
    .option('--task-option <key=value...>', 'task generation/rendering knob, e.g. layout=spring (repeatable)')
    .addHelpText('after', TASK_OPTION_HELP);
  describeDefaults(command, EVAL_DEFAULTS, { policy: 'tfjs with --checkpoint, openai with --base-url' })
    .action(async (opts: Record<string, unknown>) => {
      const flags = { ...opts, policy: opts.policy ?? (opts.checkpoint ? 'tfjs' : opts.baseUrl ? 'openai' : undefined) };
      await evalCommand(flags, undefined, true);
    });
}
