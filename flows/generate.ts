/**
 * Flow: one dataset split — `asymflow gen` (docs/architecture.md §3 "Datasets").
 *
 *   puzzleSource(task, split, n, seed) ─ render(pool) ─ record DIR/<task>-<split>.msgpack
 *     ─ [--record FILE: the same stream, png/pixels dropped unless --with-pixels]
 *     ─ [--images: DIR/images/<id>.png] ─ [--parquet: DIR/<task>-<split>.parquet] ─ progress
 *
 * Puzzle i comes from its own seed (src/data/split-sample.ts), generation and rendering run on one Piscina
 * pool, and the stream keeps index order, so the same seed gives byte-identical files at any concurrency.
 * The shard is a recording of Samples with the dataset PNG and the model-input pixels (what eval --data and
 * SFT read); its header carries the config and commit but a fixed creation time, for the same reason.
 *
 * Outputs (docs/guarantees.md): the shard, the parquet file and --record FILE are written under temporary
 * names and renamed into place only when the split is complete, so a failure or a kill leaves the previous
 * files intact (or none); existing files are refused unless --overwrite; one gen per split at a time (lock).
 * At the end it measures the split's content overlap (src/data/split-audit.ts): a training split against the
 * held-out splits, a held-out split against the ones it avoids and the first training puzzles; it must be 0.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ensureDir, removeStaleTemps, writeFileAtomic } from '../src/io/atomic-write.ts';
import { ownerVerb, refuseExisting } from '../src/io/output-path.ts';
import { acquireRunLock } from '../src/io/run-lock.ts';
import { connect, finalize, ignoreElements, lastValueFrom, map, merge, tap, type MonoTypeOperatorFunction } from 'rxjs';
import { record } from '../operators/record.ts';
import { openSamplePool } from '../operators/pool/sample-pool.ts';
import { puzzleSource } from '../operators/puzzle-source.ts';
import { render } from '../operators/render.ts';
import type { GenConfig } from '../src/data/gen-config.ts';
import { groundTruthOf } from '../src/data/ground-truth.ts';
import { HfParquetWriter } from '../src/data/parquet-write.ts';
import { hasResponse } from '../src/data/split-sample.ts';
import { isTrainSplit } from '../src/data/held-out.ts';
import { heldOutAudit, overlapLine, trainingAudit, type Overlap } from '../src/data/split-audit.ts';
import { getTask } from '../src/tasks/registry.ts';
import type { Sample } from '../src/records.ts';
import { buildInfo } from '../src/build-info.ts';
import type { HeaderInit } from '../src/recording/index.ts';
import type { TaskName, TaskOptions } from '../src/tasks/task.ts';

export interface GenerateRunOptions {
  readonly config: GenConfig;
  readonly taskOptions: TaskOptions; // the task's knobs as given (the task validates them)
  readonly log?: (line: string) => void; // the summary lines (what was written, the measured overlap): the verb's result
  readonly onProgress?: (done: number, total: number) => void;
}

export interface GenerateSummary {
  readonly task: string;
  readonly split: string;
  readonly n: number;
  readonly files: readonly string[]; // what was written (images as one DIR/images/ entry)
  readonly seconds: number;
  readonly overlap: readonly Overlap[]; // measured content overlap with the other splits (0 when disjoint)
  readonly skipped: number; // held-out draws passed over (redrawn) while making this split
}

/** Files of a split inside a dataset directory. */
export const shardFile = (dir: string, task: string, split: string) => path.join(dir, `${task}-${split}.msgpack`);
export const parquetFile = (dir: string, task: string, split: string) => path.join(dir, `${task}-${split}.parquet`);
export const imageFile = (dir: string, id: string) => path.join(dir, 'images', `${id}.png`);

/** A sample without pixel data (for --record without --with-pixels). */
export function withoutPixels({ png: _png, pixels: _pixels, ...rest }: Sample): Sample {
  return rest;
}

/** Records `project(value)` to `file` beside the stream, which passes on unchanged (the file appears complete or not at all). */
function recordBeside<T>(file: string, header: HeaderInit, project: (value: T) => unknown): MonoTypeOperatorFunction<T> {
  return connect((shared) => merge(shared.pipe(map(project), record(file, header, { atomic: true }), ignoreElements()), shared));
}

/** Refuses a run directory of another verb and, unless --overwrite, files of this split that exist. */
function checkOutputs(config: GenConfig, files: readonly string[]): void {
  const owner = ownerVerb(config.out);
  if (owner !== undefined && owner !== 'unknown')
    throw new Error(`gen: --out ${path.resolve(config.out)} is an asymflow ${owner} run directory, not a dataset directory; choose another --out`);
  for (const file of files) refuseExisting(file, 'gen:', config.overwrite);
}

export async function runGenerate({ config, taskOptions, log = () => {}, onProgress }: GenerateRunOptions): Promise<GenerateSummary> {
  const started = performance.now();
  const { task, split, n, seed, out } = config;
  const outputs = [shardFile(out, task, split), ...(config.parquet ? [parquetFile(out, task, split)] : []), ...(config.record ? [config.record] : [])];
  checkOutputs(config, outputs);
  ensureDir(out);
  const lock = acquireRunLock(out, 'gen', `.${task}-${split}.lock`);
  try {
    return await generateLocked(config, taskOptions, log, onProgress, started);
  } finally {
    lock.release();
  }
}

async function generateLocked(
  config: GenConfig,
  taskOptions: TaskOptions,
  log: (line: string) => void,
  onProgress: GenerateRunOptions['onProgress'],
  started: number,
): Promise<GenerateSummary> {
  const { task, split, n, seed, out } = config;
  if (config.images) {
    ensureDir(path.join(out, 'images'));
    removeStaleTemps(imageFile(out, 'any'), true);
  }
  // the header holds what determines the data, not where it went, so two runs with one seed match byte for byte
  const header: HeaderInit = {
    kind: 'samples',
    config: { task, split, n, seed, taskOptions },
    created: new Date(0).toISOString(),
    meta: { generator: 'asymflow gen' },
  };
  const files = [shardFile(out, task, split)];
  if (config.record) files.push(config.record);
  if (config.images) files.push(path.join(out, 'images') + path.sep);
  const parquet = config.parquet
    ? new HfParquetWriter(parquetFile(out, task, split), { asymflow: JSON.stringify({ ...(header.config as object), ...buildInfo() }) })
    : undefined;
  if (parquet) files.push(parquet.file);

  const pool = openSamplePool(config.concurrency);
  let done = 0;
  let skipped = 0;
  const keys: string[] = [];
  const taskImpl = await getTask(task);
  const onSkipped = (count: number) => (skipped += count);
  const samples$ = puzzleSource({ task: task as TaskName, split, n, seed, options: taskOptions, pool, concurrency: config.concurrency, onSkipped }).pipe(
    tap((puzzle) => keys.push(taskImpl.key(puzzle, taskOptions))),
    render({ task: task as TaskName, options: taskOptions, response: hasResponse(split), pool }),
    record<Sample>(files[0], header, { atomic: true }),
    config.record ? recordBeside<Sample>(config.record, header, config.withPixels ? (s) => s : withoutPixels) : (s) => s,
    tap((sample) => {
      if (config.images && sample.png) writeImage(imageFile(out, sample.puzzle.id), sample.png, config.overwrite);
      parquet?.write({
        query: sample.query,
        image: { bytes: sample.png ?? new Uint8Array(0), path: `${sample.puzzle.id}.png` },
        ground_truth: groundTruthOf(sample.puzzle),
        response: sample.response ?? null,
      });
      done++;
      onProgress?.(done, n);
    }),
    finalize(() => void pool.close()),
  );
  try {
    await lastValueFrom(samples$, { defaultValue: undefined }); // the shard and --record are renamed into place here
    parquet?.close();
  } catch (error) {
    parquet?.abort(); // the shard's and --record's temporaries went when the stream failed
    throw error;
  } finally {
    await pool.close();
  }
  const seconds = (performance.now() - started) / 1000;
  log(`gen ${task} ${split}: ${done} samples in ${seconds.toFixed(1)} s (${(done / seconds).toFixed(0)}/s) → ${files.join(', ')}`);
  const label = `${split}[0,${done})`;
  const overlap = isTrainSplit(split) ? trainingAudit(taskImpl, label, keys, seed, taskOptions) : heldOutAudit(taskImpl, split, label, keys, seed, taskOptions);
  log(`gen ${task} ${split}: ${overlapLine(overlap, skipped)}`);
  return { task, split, n: done, files, seconds, overlap, skipped };
}

/** One image, atomically; an existing one is refused without --overwrite (the shard stays unwritten then). */
function writeImage(file: string, png: Uint8Array, overwrite: boolean): void {
  if (!overwrite && fs.existsSync(file)) throw new Error(`gen: ${file} already exists; pass --overwrite to replace it, or choose another --out`);
  writeFileAtomic(file, png, { sync: false, sweep: false }); // a kill cannot tear it; gen sweeps images/ once at start
}
