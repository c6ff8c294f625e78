/**
 * A run's training samples and held-out evaluation samples, kept apart by content and audited. Generated
 * training splits avoid the held-out keys as they are drawn (src/data/held-out.ts); samples read from `--data`
 * shards (which may come from anywhere: another seed, `import`) are checked against the held-out shards in the
 * same directory — the first `heldOut` of each of test, val, … that is there — and against the run's own
 * evaluation samples: a keyed duplicate is skipped and counted, never trained on.
 */
import fs from 'node:fs';
import { datasetFile, datasetSamples } from './dataset-samples.ts';
import { generatedSamples } from './generated-samples.ts';
import type { Sample } from '../records.ts';
import type { Task, TaskOptions } from '../tasks/task.ts';
import { heldOutSize, heldOutSplits } from './held-out.ts';
import { keysOf, overlapOf, trainingAudit, type Overlap } from './split-audit.ts';

export interface SplitRequest {
  readonly task: Task;
  readonly split: string;
  readonly n: number;
  readonly seed: number;
  readonly options: TaskOptions; // render options included (inputSize)
  readonly data?: string; // a dataset directory or file; '' / undefined = generate
  readonly inputSize?: number; // checked on shard samples
  readonly log?: (line: string) => void;
}

/** The first `n` samples of a split, generated or read; `onSkipped` hears held-out draws passed over. */
export function splitSamples(r: SplitRequest, onSkipped?: (count: number) => void): AsyncGenerator<Sample> {
  if (!r.data) return generatedSamples(r.task, { split: r.split, n: r.n, seed: r.seed, options: r.options, onSkipped });
  return datasetSamples({ data: r.data, task: r.task.name, split: r.split, n: r.n, inputSize: r.inputSize }, (have) =>
    r.log?.(`the dataset holds only ${have} ${r.task.name} ${r.split} samples; using all of them`),
  );
}

export async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

/** Keys of the first `heldOut` samples of every held-out split shard present in `data` (none: empty). */
export async function heldOutShardKeys(task: Task, data: string, options: TaskOptions): Promise<Set<string>> {
  const keys = new Set<string>();
  const size = heldOutSize(options);
  for (const split of heldOutSplits(task)) {
    let file: string;
    try {
      file = datasetFile({ data, task: task.name, split });
    } catch {
      continue; // that split was not written to this directory
    }
    if (!fs.existsSync(file) || file === data) continue; // a single file given: it is the training shard itself
    for await (const sample of datasetSamples({ data, task: task.name, split, n: size })) keys.add(task.key(sample.puzzle, options));
  }
  return keys;
}

/** `samples` without those whose key is in `held`; how many were dropped. */
export function dropHeldOut(task: Task, samples: readonly Sample[], held: ReadonlySet<string>, options: TaskOptions): { kept: Sample[]; skipped: number } {
  const kept = samples.filter((s) => !held.has(task.key(s.puzzle, options)));
  return { kept, skipped: samples.length - kept.length };
}

export interface AuditedSamples {
  readonly train: readonly Sample[];
  readonly evaluation: readonly Sample[];
  readonly skipped: number; // held-out duplicates passed over (generated: redrawn; shards: dropped)
  readonly overlap: readonly Overlap[]; // measured after skipping: must be all 0
}

/**
 * Training samples of `train` and evaluation samples of `evaluation`, content-disjoint: generated training draws
 * avoid the held-out keys; shard training samples lose those in the held-out shards or among the evaluation
 * samples. The overlap is then measured (training × evaluation, and for generated data training × every
 * held-out split's first `heldOut`).
 */
export async function auditedSamples(train: SplitRequest, evaluation: SplitRequest): Promise<AuditedSamples> {
  const { task, options } = train;
  let skipped = 0;
  let trainSamples = await collect(splitSamples(train, (count) => (skipped += count)));
  const evalSamples = await collect(splitSamples(evaluation));
  const evalKeys = new Set(
    keysOf(
      task,
      evalSamples.map((s) => s.puzzle),
      options,
    ),
  );
  if (train.data && heldOutSize(options) > 0) {
    const held = await heldOutShardKeys(task, train.data, options);
    for (const key of evalKeys) held.add(key);
    const dropped = dropHeldOut(task, trainSamples, held, options);
    trainSamples = dropped.kept;
    skipped += dropped.skipped;
  }
  const trainKeys = keysOf(
    task,
    trainSamples.map((s) => s.puzzle),
    options,
  );
  const label = `${train.split} (${trainSamples.length})`;
  const overlap: Overlap[] = [
    { left: label, right: `${evaluation.split}[0,${evalSamples.length})`, checked: trainKeys.length, overlap: overlapOf(trainKeys, evalKeys) },
  ];
  // The audit's held-out ranges, less the one just measured (an evaluation of exactly the held-out puzzles).
  if (!train.data) overlap.push(...trainingAudit(task, label, trainKeys, train.seed, options).filter((o) => o.right !== overlap[0].right));
  return { train: trainSamples, evaluation: evalSamples, skipped, overlap };
}
