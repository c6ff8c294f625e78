/**
 * `asymflow eval --task T (--checkpoint DIR | --policy openai --base-url URL [--model NAME]) [--split test]
 *   [--n N] [--mode e2e|counterfactual|both] [--temperature 0.7] [--top-p 1.0] [--max-tokens 10000]
 *   [--seed S] --out DIR [--data DIR] [--record FILE] [--concurrency K]`
 * Disentangled evaluation (DESIGN §6) of our checkpoint or of any OpenAI-compatible endpoint: per-sample
 * records in DIR/scored.msgpack and DIR/records.jsonl, figures in DIR/summary.json (flows/evaluate.ts).
 */
import path from 'node:path';
import type { Command } from 'commander';
import { isTrainSplit } from '../../src/data/held-out.ts';
import { handwritingOf, heldOutAudit, overlapLine, splitKeys, trainingAudit } from '../../src/data/split-audit.ts';
import { EVAL_DEFAULTS, resolveEvalConfig, type EvalConfig } from '../../src/eval/eval-config.ts';
import type { EvalSummary } from '../../src/eval/eval-summary.ts';
import type { OpenAIPolicy } from '../../src/policy/openai-policy.ts';
import type { Policy } from '../../src/policy/policy.ts';
import type { Seeding } from '../../src/policy/tfjs-policy.ts';
import { getTask } from '../../src/tasks/registry.ts';
import type { Task, TaskOptions } from '../../src/tasks/task.ts';
import { describeDefaults } from './help-defaults.ts';
import { progressReporter } from '../progress.ts';
import { parseTaskOptions, TASK_OPTION_HELP } from './task-flags.ts';

export { parseTaskOptions };

/**
 * Task options for `--image pixels`: render at the input size the server lists for its model, so the pixels
 * it decodes are exactly those an in-process eval of the same checkpoint feeds the model (resizing another
 * size there is close, not equal, and flips near-tied greedy tokens).
 */
async function servedRenderOptions(policy: OpenAIPolicy, taskOptions: TaskOptions, baseUrl: string, log?: (line: string) => void): Promise<TaskOptions> {
  const served = await policy.servedInputSize();
  const asked = taskOptions.inputSize;
  if (served === undefined) {
    if (asked === undefined) (log ?? console.log)(`eval: ${baseUrl} lists no input_size for its model; sending pixels at the task's default input size`);
    return taskOptions;
  }
  if (asked !== undefined && asked !== served) {
    throw new Error(`eval: --task-option inputSize=${asked} differs from the served model's input size ${served} (${baseUrl}); --image pixels sends the model input`);
  }
  return { ...taskOptions, inputSize: served };
}

/** The measured content overlap of the split's first n generated puzzles with the splits it must not share. */
function auditLine(task: Task, split: string, n: number, seed: number, options: TaskOptions): string {
  const { keys, skipped } = splitKeys(task, split, seed, options, n);
  const label = `${split}[0,${n})`;
  return overlapLine(isTrainSplit(split) ? trainingAudit(task, label, [...keys], seed, options) : heldOutAudit(task, split, label, [...keys], seed, options), isTrainSplit(split) ? skipped : undefined);
}

/** Runs `asymflow eval` with command-line style flags (strings or typed values); `progress` draws a bar/lines with an ETA on stderr. */
export async function evalCommand(flags: Readonly<Record<string, unknown>>, log?: (line: string) => void, progress = false): Promise<EvalSummary> {
  const { taskOption, ...rest } = flags as { taskOption?: string[] };
  const config: EvalConfig = resolveEvalConfig(rest);
  const taskOptions = parseTaskOptions(taskOption ?? [], 'eval', config.task);
  const task = await getTask(config.task);
  // Loaded on use, so `asymflow eval --help` loads no tfjs or sharp.
  const [{ runEvaluate, throwIfAllFailed }, { datasetSamples }, { generatedSamples }] = await Promise.all([
    import('../../flows/evaluate.ts'),
    import('../../src/eval/dataset-samples.ts'),
    import('../../src/eval/eval-samples.ts'),
  ]);

  let policy: Policy;
  let backend: string | undefined;
  let sampleOptions = taskOptions;
  if (config.policy === 'openai') {
    const { OpenAIPolicy } = await import('../../src/policy/openai-policy.ts');
    const openai = new OpenAIPolicy({
      baseUrl: config.baseUrl,
      model: config.model || undefined,
      apiKeyEnv: config.apiKeyEnv,
      image: config.image as 'png' | 'pixels',
      concurrency: config.concurrency,
      timeoutMs: config.timeoutMs,
      retries: config.retries,
    });
    if (config.image === 'pixels') sampleOptions = await servedRenderOptions(openai, taskOptions, config.baseUrl, log);
    policy = openai;
  } else {
    const [{ resolveBackend }, { loadTfjsPolicy }] = await Promise.all([import('../../src/model/backend.ts'), import('../../src/policy/tfjs-policy.ts')]);
    const resolved = await resolveBackend(config.backend || undefined, { log });
    backend = `${resolved.name} (${resolved.device})`;
    const tfjs = await loadTfjsPolicy(config.checkpoint, { seeding: config.seeding as Seeding, maxBatch: config.batchSize * config.completions });
    sampleOptions = { ...taskOptions, inputSize: tfjs.inputSize }; // render the model's input size
    policy = tfjs;
  }
  const say = log ?? console.log;
  const evaluate = (split: string, out: string, record: string | undefined) => {
    say(`eval: ${split}${handwritingOf(task, split)}; ${config.data !== '' ? 'content overlap measured by gen when it wrote the shard' : auditLine(task, split, config.n, config.seed, sampleOptions)}`);
    return runEvaluate({
      policy,
      task,
      samples:
        config.data !== ''
          ? datasetSamples(
              { data: config.data, task: config.task, split, n: config.n, inputSize: config.policy === 'tfjs' ? Number(sampleOptions.inputSize) : undefined },
              (have) => say(`eval: the dataset holds only ${have} ${config.task} ${split} samples; evaluated all of them`),
            )
          : generatedSamples(task, { split, n: config.n, seed: config.seed, options: sampleOptions }),
      mode: config.mode,
      sampling: { temperature: config.temperature, topP: config.topP, maxTokens: config.maxTokens, seed: config.seed, n: config.completions },
      batchSize: config.batchSize,
      concurrency: config.policy === 'openai' ? config.concurrency : 1, // one in-process sampling call at a time
      out,
      record,
      overwrite: config.overwrite,
      config: { eval: { ...config, split }, taskOptions: sampleOptions, backend: backend ?? null },
      log,
      // The total is an upper bound with --data (a dataset may hold fewer samples than --n).
      onProgress: progress ? progressReporter({ label: `eval ${config.task} ${split}`, total: config.n * config.completions * (config.mode === 'both' ? 2 : 1) }) : undefined,
    }).then((summary) => {
      throwIfAllFailed(summary, out);
      return summary;
    });
  };
  try {
    const summary = await evaluate(config.split, config.out, config.record || undefined);
    // Sudoku's perception result on test mixes reading with a handwriting shift: the same checkpoint on new
    // puzzles in the training handwriting separates the two (DIR/<view>/summary.json).
    const views = config.views && config.split === 'test' && config.data === '' ? (task.extraTestViews ?? []) : [];
    for (const view of views) await evaluate(view, path.join(config.out, view), undefined);
    return summary;
  } finally {
    await policy.close?.();
  }
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
