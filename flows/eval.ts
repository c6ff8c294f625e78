/**
 * Flow: `asymflow eval` end to end — the policy, the samples, the split and its views:
 *
 *   policy: our checkpoint (backend, tfjs, rendered at its input size) | an OpenAI-compatible endpoint
 *     ─ per split (the asked one, then Sudoku's test_seen_glyphs view on test): a line with its handwriting
 *       and measured content overlap ─ samples (gen's shards with --data, else generated) ─ runEvaluate
 *       (flows/evaluate.ts: generate, score, record, tally → DIR/summary.json) ─ refuse "all requests failed"
 *     ─ close the policy
 */
import path from 'node:path';
import { isTrainSplit } from '../src/data/held-out.ts';
import { handwritingOf, heldOutAudit, overlapLine, splitKeys, trainingAudit } from '../src/data/split-audit.ts';
import { datasetSamples } from '../src/data/dataset-samples.ts';
import type { EvalConfig } from '../src/eval/eval-config.ts';
import { generatedSamples } from '../src/data/generated-samples.ts';
import type { EvalSummary } from '../src/eval/eval-summary.ts';
import type { OpenAIPolicy } from '../src/policy/openai-policy.ts';
import type { Policy } from '../src/policy/policy.ts';
import { outputLines, type LineSink } from '../src/output-lines.ts';
import { getTask } from '../src/tasks/registry.ts';
import type { Task, TaskOptions } from '../src/tasks/task.ts';
import { runEvaluate, throwIfAllFailed } from './evaluate.ts';

export interface EvalRunIo {
  readonly log?: LineSink; // progress, the split's header, backend: default stderr (src/output-lines.ts)
  readonly result?: LineSink; // each split's summary; default: the log given, else stdout
  /** A progress callback for one split's evaluation of at most `total` records (the command draws a bar). */
  readonly progress?: (split: string, total: number) => (records: number) => void;
}

/** The opened policy, the task options its samples are rendered with, and the backend it runs on (tfjs). */
interface OpenedPolicy {
  readonly policy: Policy;
  readonly sampleOptions: TaskOptions;
  readonly backend?: string;
}

/** Evaluates the split (and its extra test views) into config.out; returns the asked split's summary. */
export async function runEval(config: EvalConfig, taskOptions: TaskOptions, io: EvalRunIo = {}): Promise<EvalSummary> {
  const task = await getTask(config.task);
  const { log: say, result } = outputLines(io);
  const { policy, sampleOptions, backend } = await openPolicy(config, taskOptions, say);
  const evaluate = async (split: string, out: string, record: string | undefined) => {
    say(
      `eval: ${split}${handwritingOf(task, split)}; ${config.data !== '' ? 'content overlap measured by gen when it wrote the shard' : auditLine(task, split, config.n, config.seed, sampleOptions)}`,
    );
    const summary = await runEvaluate({
      policy,
      task,
      samples: samplesOf(config, task, split, sampleOptions, say),
      mode: config.mode,
      sampling: { temperature: config.temperature, topP: config.topP, maxTokens: config.maxTokens, seed: config.seed, n: config.completions },
      batchSize: config.batchSize,
      concurrency: config.policy === 'openai' ? config.concurrency : 1, // one in-process sampling call at a time
      out,
      record,
      overwrite: config.overwrite,
      config: { eval: { ...config, split }, taskOptions: sampleOptions, backend: backend ?? null },
      log: say,
      result,
      // The total is an upper bound with --data (a dataset may hold fewer samples than --n).
      onProgress: io.progress?.(split, config.n * config.completions * (config.mode === 'both' ? 2 : 1)),
    });
    throwIfAllFailed(summary, out);
    return summary;
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

/** Our checkpoint on a backend, or an endpoint (for `--image pixels`, rendered at the size it serves). */
async function openPolicy(config: EvalConfig, taskOptions: TaskOptions, log: LineSink): Promise<OpenedPolicy> {
  // Loaded on use, so a command's `--help` loads no tfjs or sharp.
  if (config.policy === 'openai') {
    const { OpenAIPolicy } = await import('../src/policy/openai-policy.ts');
    const openai = new OpenAIPolicy({
      baseUrl: config.baseUrl,
      model: config.model || undefined,
      apiKeyEnv: config.apiKeyEnv,
      image: config.image as 'png' | 'pixels',
      concurrency: config.concurrency,
      timeoutMs: config.timeoutMs,
      retries: config.retries,
    });
    const sampleOptions = config.image === 'pixels' ? await servedRenderOptions(openai, taskOptions, config.baseUrl, log) : taskOptions;
    return { policy: openai, sampleOptions };
  }
  const [{ resolveBackend }, { loadTfjsPolicy }] = await Promise.all([import('../src/backend/index.ts'), import('../src/policy/tfjs-policy.ts')]);
  const resolved = await resolveBackend(config.backend || undefined, { log });
  const tfjs = await loadTfjsPolicy(config.checkpoint, { seeding: config.seeding, maxBatch: config.batchSize * config.completions });
  return { policy: tfjs, sampleOptions: { ...taskOptions, inputSize: tfjs.inputSize }, backend: `${resolved.name} (${resolved.device})` }; // render the model's input size
}

/**
 * Task options for `--image pixels`: render at the input size the server lists for its model, so the pixels
 * it decodes are exactly those an in-process eval of the same checkpoint feeds the model (resizing another
 * size there is close, not equal, and flips near-tied greedy tokens).
 */
async function servedRenderOptions(policy: OpenAIPolicy, taskOptions: TaskOptions, baseUrl: string, log: LineSink): Promise<TaskOptions> {
  const served = await policy.servedInputSize();
  const asked = taskOptions.inputSize;
  if (served === undefined) {
    if (asked === undefined) log(`eval: ${baseUrl} lists no input_size for its model; sending pixels at the task's default input size`);
    return taskOptions;
  }
  if (asked !== undefined && asked !== served) {
    throw new Error(
      `eval: --task-option inputSize=${asked} differs from the served model's input size ${served} (${baseUrl}); --image pixels sends the model input`,
    );
  }
  return { ...taskOptions, inputSize: served };
}

/** gen's shards with --data (fewer than asked: said once), else the split generated on the fly. */
function samplesOf(config: EvalConfig, task: Task, split: string, options: TaskOptions, say: (line: string) => void) {
  if (config.data === '') return generatedSamples(task, { split, n: config.n, seed: config.seed, options });
  const inputSize = config.policy === 'tfjs' ? Number(options.inputSize) : undefined;
  return datasetSamples({ data: config.data, task: config.task, split, n: config.n, inputSize }, (have) =>
    say(`eval: the dataset holds only ${have} ${config.task} ${split} samples; evaluated all of them`),
  );
}

/** The measured content overlap of the split's first n generated puzzles with the splits it must not share. */
function auditLine(task: Task, split: string, n: number, seed: number, options: TaskOptions): string {
  const { keys, skipped } = splitKeys(task, split, seed, options, n);
  const label = `${split}[0,${n})`;
  return overlapLine(
    isTrainSplit(split) ? trainingAudit(task, label, [...keys], seed, options) : heldOutAudit(task, split, label, [...keys], seed, options),
    isTrainSplit(split) ? skipped : undefined,
  );
}
