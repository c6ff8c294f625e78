/**
 * Disentangled evaluation of any Policy, in process (docs/architecture.md §6). `generateAndScore` is the one step every
 * evaluation runs — the `asymflow eval` flow (through operators/generate-with.ts) and SFT/RL's periodic
 * evaluation (through `evaluatePolicy`) — so generation options and scoring are written once.
 */
import { yieldIfDue } from '../event-loop.ts';
import type { Sample } from '../records.ts';
import type { Completion, GenerateOptions, Policy } from '../policy/policy.ts';
import type { Task } from '../tasks/task.ts';
import { modesOf, prefixForMode, scoreCompletion, type EvalMode, type EvalModes, type EvalRecord } from './eval-record.ts';
import { EvalTally, type EvalSampling, type EvalSummary } from './eval-summary.ts';

export interface EvaluateOptions {
  readonly mode: EvalModes;
  readonly temperature: number;
  readonly topP: number;
  readonly maxTokens: number;
  readonly seed: number;
  readonly n?: number; // completions per sample and mode (default 1)
  readonly batchSize?: number; // samples per generate call (default 8)
  readonly onRecord?: (record: EvalRecord) => void;
  /** After each batch in each mode, with the records so far: a batch's records arrive at once, so progress and its ETA count them together. */
  readonly onBatch?: (records: number) => void;
  /** Asked before each batch: true abandons the evaluation with EvaluationStopped (a training run's stop request). */
  readonly shouldStop?: () => boolean;
}

/**
 * An evaluation abandoned at a batch boundary because its run was asked to stop (`q`, Ctrl-C): a long CPU
 * evaluation must not hold a stop for minutes, and partial figures would pass for whole ones.
 */
export class EvaluationStopped extends Error {
  constructor(readonly records: number) {
    super(`evaluation stopped after ${records} records: the run was asked to stop`);
    this.name = 'EvaluationStopped';
  }
}

export interface Evaluation {
  readonly summary: EvalSummary;
  readonly records: readonly EvalRecord[];
}

export function samplingOf(options: EvaluateOptions): EvalSampling {
  return { temperature: options.temperature, topP: options.topP, maxTokens: options.maxTokens, seed: options.seed, n: options.n ?? 1 };
}

/** Generate options for one batch in one mode: counterfactual forces each sample's oracle caption. */
export function generateOptionsFor(batch: readonly Sample[], mode: EvalMode, sampling: EvalSampling): GenerateOptions {
  const base = { temperature: sampling.temperature, topP: sampling.topP, maxTokens: sampling.maxTokens, n: sampling.n, seed: sampling.seed };
  if (mode === 'e2e') return base;
  return { ...base, prefix: batch.map((sample) => prefixForMode(mode, sample.puzzle) as string) };
}

/** The completions of one sample in one mode, before scoring. */
export interface Generated {
  readonly sample: Sample;
  readonly mode: EvalMode;
  readonly completions: readonly Completion[]; // exactly n, failed ones included
}

/**
 * Completions for `batch` in `mode`: exactly `n` per sample, in input order. A policy that throws or returns
 * too few completions yields failed ones, so no sample is ever lost.
 */
export async function generateBatch(policy: Policy, batch: readonly Sample[], mode: EvalMode, sampling: EvalSampling): Promise<Generated[]> {
  let completions: Completion[][];
  try {
    completions = await policy.generate(batch, generateOptionsFor(batch, mode, sampling));
  } catch (error) {
    const reason = `policy error: ${error instanceof Error ? error.message : String(error)}`;
    completions = batch.map(() => Array.from({ length: sampling.n }, () => ({ text: '', failed: reason })));
  }
  return batch.map((sample, i) => ({
    sample,
    mode,
    completions: Array.from({ length: sampling.n }, (_, k) => completions[i]?.[k] ?? { text: '', failed: `policy ${policy.name} returned no completion ${k}` }),
  }));
}

/** One record per completion of `generated`. */
export function scoreGenerated(task: Task, generated: Generated): EvalRecord[] {
  return generated.completions.map((completion, k) => scoreCompletion(task, generated.sample.puzzle, generated.mode, completion, k));
}

/** `generateBatch` then `scoreGenerated`: the records of one batch in one mode. */
export async function generateAndScore(policy: Policy, task: Task, batch: readonly Sample[], mode: EvalMode, sampling: EvalSampling): Promise<EvalRecord[]> {
  return (await generateBatch(policy, batch, mode, sampling)).flatMap((g) => scoreGenerated(task, g));
}

async function* batches(samples: Iterable<Sample> | AsyncIterable<Sample>, size: number): AsyncGenerator<Sample[]> {
  let batch: Sample[] = [];
  for await (const sample of samples) {
    batch.push(sample);
    if (batch.length === size) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}

/** Evaluates `policy` on `samples` in every requested mode; returns the summary and all records. */
export async function evaluatePolicy(
  policy: Policy,
  task: Task,
  samples: Iterable<Sample> | AsyncIterable<Sample>,
  options: EvaluateOptions,
): Promise<Evaluation> {
  const started = Date.now();
  const sampling = samplingOf(options);
  const batchSize = options.batchSize ?? 8;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`evaluate batchSize must be a positive integer, got ${batchSize}`);
  const tally = new EvalTally();
  const records: EvalRecord[] = [];
  for await (const batch of batches(samples, batchSize)) {
    for (const mode of modesOf(options.mode)) {
      await yieldIfDue(); // scoring and the policy may not wait on anything: let timers and signals in
      if (options.shouldStop?.()) throw new EvaluationStopped(records.length);
      for (const record of await generateAndScore(policy, task, batch, mode, sampling)) {
        tally.add(record);
        records.push(record);
        options.onRecord?.(record);
      }
      options.onBatch?.(records.length);
    }
  }
  const summary = tally.summary({ task: task.name, policy: policy.name, mode: options.mode, sampling, wallTimeMs: Date.now() - started });
  return { summary, records };
}
