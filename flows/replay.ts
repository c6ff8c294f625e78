/**
 * Flow: a recording read back — `asymflow replay`.
 *
 *   FILE (or a run directory's metrics.msgpack) ─ readRecording
 *     ─ summary: header + record count  |  JSON lines (typed arrays as arrays)  |  a metric stream, paced by
 *       the records' `time` at X× (operators/replay.ts), offered to a monitor as a run is (flows/watch.ts)
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Writable } from 'node:stream';
import { share, Subject, takeUntil, type Observable } from 'rxjs';
import type { Metric } from '../src/records.ts';
import type { RecordingHeader } from '../src/recording/index.ts';
import type { RunInfo, RunWatch } from './watch.ts';

// Loaded on use (msgpackr), so `replay --help` stays fast.
const readRecording = async (file: string) => (await import('../src/recording/index.ts')).readRecording(file);

/** A file, or a run directory's metrics.msgpack. */
export function resolveRecordingPath(target: string): string {
  if (fs.existsSync(target) && fs.statSync(target).isDirectory()) {
    const metrics = path.join(target, 'metrics.msgpack');
    if (!fs.existsSync(metrics)) throw new Error(`replay: ${target} is a directory without metrics.msgpack`);
    return metrics;
  }
  return target;
}

/** JSON for one record: typed arrays become plain arrays, bigints numbers (or strings when unsafe). */
export function recordToJson(record: unknown): string {
  return JSON.stringify(record, (_key, value: unknown) => {
    // cast: isView narrows to ArrayBufferView, which TypeScript does not know to be array-like once DataView is out
    if (ArrayBuffer.isView(value) && !(value instanceof DataView)) return Array.from(value as unknown as ArrayLike<number>);
    if (typeof value === 'bigint') return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
    return value;
  });
}

async function write(out: Writable, text: string): Promise<void> {
  if (!out.write(text)) await new Promise<void>((resolve) => out.once('drain', resolve));
}

/** Prints every record as a JSON line; waits for the stream to drain so memory stays flat. */
export async function replayJsonl(file: string, out: Writable, speed?: number): Promise<number> {
  let count = 0;
  if (speed === undefined) {
    for await (const record of await readRecording(file)) {
      await write(out, `${recordToJson(record)}\n`);
      count++;
    }
    return count;
  }
  const { replay } = await import('../operators/replay.ts');
  await new Promise<void>((resolve, reject) =>
    replay(file, { pace: { speed } }).subscribe({
      next: (record) => {
        out.write(`${recordToJson(record)}\n`); // paced output is slow enough not to need back-pressure
        count++;
      },
      error: reject,
      complete: resolve,
    }),
  );
  return count;
}

export async function summarize(file: string): Promise<string> {
  const recording = await readRecording(file);
  let count = 0;
  for await (const batch of recording.batches()) count += batch.length;
  const { header } = recording;
  return [
    `file     ${file}`,
    `kind     ${header.kind} (schema ${header.schema})`,
    `created  ${header.created}`,
    `asymflow ${header.version ?? 'unknown'} (commit ${header.commit ?? 'unknown'})`,
    `records  ${count}`,
    `config   ${JSON.stringify(header.config)}`,
  ].join('\n');
}

/**
 * The task and planned steps of a recorded run, from its config: a verb's config sits at the top (gen) or
 * under one key — `config` (sft), `rl`, `eval`, `diagnose` — so the first object with a `task` names it.
 */
export function runFacts(config: unknown): { task?: string; totalSteps?: number } {
  if (config === null || typeof config !== 'object') return {};
  const record = config as Record<string, unknown>;
  const holder = [record, ...Object.values(record)].find(
    (v): v is Record<string, unknown> => v !== null && typeof v === 'object' && typeof (v as Record<string, unknown>).task === 'string',
  );
  if (!holder) return {};
  const steps = typeof holder.steps === 'number' ? holder.steps + (typeof holder.prePerceptionSteps === 'number' ? holder.prePerceptionSteps : 0) : undefined;
  return { task: holder.task as string, totalSteps: steps };
}

export function runInfo(file: string, header: RecordingHeader): RunInfo {
  let described: { run?: string; backend?: string | null; device?: string | null; config?: unknown } = {};
  try {
    described = JSON.parse(fs.readFileSync(path.join(path.dirname(file), 'config.json'), 'utf8'));
  } catch {
    // a bare recording without its run directory: the header alone names it
  }
  const facts = { ...runFacts(described.config), ...runFacts(header.config) };
  return {
    run: String(header.meta?.run ?? described.run ?? path.basename(file)),
    task: facts.task ?? 'unknown task',
    backend: `replay of ${described.backend ?? 'recording'}`,
    device: described.device ?? undefined,
    totalSteps: facts.totalSteps, // gives the header its progress bar and ETA
  };
}

/** A metrics recording re-played as a run to watch; a stop request ends the replayed stream. */
export async function replayWatch(file: string, speed?: number): Promise<RunWatch> {
  const { header } = await readRecording(file);
  if (header.kind !== 'metrics') {
    throw new Error(`replay: --dashboard needs a metrics recording, ${file} holds '${header.kind}' records`);
  }
  const { replay } = await import('../operators/replay.ts');
  const stop$ = new Subject<void>();
  const metrics$: Observable<Metric> = replay<Metric>(file, speed === undefined ? {} : { pace: { speed } }).pipe(takeUntil(stop$), share());
  return { metrics$, info: runInfo(file, header), requestStop: () => stop$.next() };
}
