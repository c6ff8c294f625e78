/**
 * A run directory and its one shared metric stream. Every flow opens one with `--out DIR`:
 *
 *   DIR/config.json       resolved config, git commit, package/node versions, backend + device once known
 *   DIR/metrics.msgpack   the metric stream, recorded once as it is emitted
 *   DIR/<kind>.msgpack    the flow's main stream (samples, rollouts, scored…) via `run.record(kind)`
 *   DIR/summary.json      final figures (`writeSummary`)
 *   DIR/plots/, DIR/checkpoints/
 *
 * The directory is claimed first (src/io/output-path.ts): locked for the run's life, refused when it holds
 * another verb's run, or this verb's without `append` (resume) or `overwrite`. JSON files are written
 * atomically; the recordings are append-only streams continued by `--resume`.
 *
 * `metrics$` is hot: the recorder, the dashboard, the plain log and user code all subscribe to the same
 * Subject, so each metric is computed and emitted once, and late subscribers see only later values.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ensureDir, writeJsonAtomic } from '../src/io/atomic-write.ts';
import { claimRunDir, type RunClaim } from '../src/io/output-path.ts';
import { Subject, type MonoTypeOperatorFunction, type Observable, type Subscription } from 'rxjs';
import { record } from '../operators/record.ts';
import type { Metric } from '../src/records.ts';
import { buildInfo } from '../src/build-info.ts';
import { trimRecording, type RecordingKind, type WriterOptions } from '../src/recording/index.ts';

export interface RunOptions {
  readonly out: string; // the run directory, created if absent
  readonly config: unknown; // the resolved config, saved in config.json and in every recording header
  readonly runName?: string; // default: the directory's base name
  readonly append?: boolean; // resuming: metrics.msgpack is continued, not truncated
  readonly verb?: string; // what writes the run (sft, rl, eval, …), saved in config.json; default 'run'
  readonly overwrite?: boolean; // replace an existing run of the same verb
  /** A directory the caller claimed already (to trim recordings before they are reopened); released on close(). */
  readonly claim?: RunClaim;
}

export interface RunContext {
  readonly dir: string;
  readonly run: string;
  /** Hot and shared; completes on close(). */
  readonly metrics$: Observable<Metric>;
  emit(step: number, name: string, value: number): void;
  emitMany(step: number, values: Readonly<Record<string, number>>): void;
  /** A tap that records a stream to DIR/<kind>.msgpack with this run's config in the header. */
  record<T>(kind: RecordingKind, options?: WriterOptions): MonoTypeOperatorFunction<T>;
  /** Completes config.json with what is known only once the model is up. */
  setBackend(backend: string, device?: string): void;
  writeSummary(summary: object): void;
  /** A path inside the run directory. */
  file(...parts: string[]): string;
  /** Completes metrics$ and closes metrics.msgpack; calling it again does nothing. */
  close(): void;
}

export function openRun({ out, config, runName, append, verb = 'run', overwrite, claim: given }: RunOptions): RunContext {
  const claim = given ?? claimRunDir(out, { verb, resume: append, overwrite });
  const dir = claim.dir;
  const run = runName ?? path.basename(dir);
  for (const sub of ['plots', 'checkpoints']) ensureDir(path.join(dir, sub));
  const file = (...parts: string[]) => path.join(dir, ...parts);

  const { commit, version } = buildInfo();
  const description: Record<string, unknown> = {
    run,
    verb,
    created: new Date().toISOString(),
    config,
    commit,
    version,
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    backend: null,
    device: null,
  };
  const writeDescription = () => writeJsonAtomic(file('config.json'), description);
  writeDescription();

  const subject = new Subject<Metric>();
  const header = (kind: RecordingKind) => ({ kind, config, commit, meta: { run } });
  const recorder: Subscription = subject.pipe(record(file('metrics.msgpack'), header('metrics'), { append })).subscribe({
    error: (error: unknown) => process.stderr.write(`asymflow: error: recording metrics of run ${run}: ${(error as Error).message}\n`),
  });
  let closed = false;

  const emit = (step: number, name: string, value: number) => {
    if (closed) throw new Error(`run ${run}: metric '${name}' emitted after close()`);
    subject.next({ run, step, name, value, time: Date.now() });
  };

  return {
    dir,
    run,
    metrics$: subject.asObservable(),
    emit,
    emitMany(step, values) {
      for (const [name, value] of Object.entries(values)) emit(step, name, value);
    },
    record: <T>(kind: RecordingKind, options?: WriterOptions) => record<T>(file(`${kind}.msgpack`), header(kind), options),
    setBackend(backend, device) {
      description.backend = backend;
      description.device = device ?? null;
      writeDescription();
    },
    writeSummary(summary) {
      writeJsonAtomic(file('summary.json'), summary);
    },
    file,
    close() {
      if (closed) return;
      closed = true;
      subject.complete(); // the recorder's finalize closes metrics.msgpack
      recorder.unsubscribe();
      claim.release();
    },
  };
}

/**
 * Resuming: drops the metric values of the steps after the checkpoint `step` from DIR/metrics.msgpack, since
 * those steps are redone and would otherwise be emitted twice (zigzag curves). Before openRun appends to it.
 */
export async function dropMetricsAfter(out: string, step: number): Promise<void> {
  await trimRecording<Metric>(path.join(path.resolve(out), 'metrics.msgpack'), (m) => m.step <= step);
}
