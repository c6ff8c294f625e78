/**
 * `asymflow replay FILE|DIR [--jsonl] [--dashboard] [--speed X]`: reads a recording back.
 *   (no flag)    a summary: the header and the number of records
 *   --jsonl      one JSON object per record on stdout (typed arrays as plain arrays)
 *   --dashboard  re-plays a metrics recording on the dashboard (plain log lines when stdout is not a TTY)
 *   --speed X    paces records by their `time` field at X× (default: as fast as possible)
 * A run directory stands for its metrics.msgpack.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Writable } from 'node:stream';
import type { Command } from 'commander';
import { share, type Observable } from 'rxjs';
import type { Metric } from '../../src/records.ts';
import type { RecordingHeader } from '../../src/recording/index.ts';

// Loaded on use (msgpackr, ink), so `replay --help` stays fast.
const readRecording = async (file: string) => (await import('../../src/recording/index.ts')).readRecording(file);

export interface ReplayCommandOptions {
  readonly jsonl?: boolean;
  readonly dashboard?: boolean;
  readonly speed?: string | number;
}

/** A file, or a run directory's metrics.msgpack. */
export function resolveRecordingPath(target: string): string {
  if (fs.existsSync(target) && fs.statSync(target).isDirectory()) {
    const metrics = path.join(target, 'metrics.msgpack');
    if (!fs.existsSync(metrics)) throw new Error(`replay: ${target} is a directory without metrics.msgpack`);
    return metrics;
  }
  return target;
}

export function parseSpeed(raw: string | number | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const speed = Number(raw);
  if (!(Number.isFinite(speed) && speed > 0)) throw new Error(`replay: --speed must be a positive number, got '${raw}'`);
  return speed;
}

/** JSON for one record: typed arrays become plain arrays, bigints numbers (or strings when unsafe). */
export function recordToJson(record: unknown): string {
  return JSON.stringify(record, (_key, value: unknown) => {
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
  const { replay } = await import('../../operators/replay.ts');
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

export function runInfo(file: string, header: RecordingHeader): { run: string; task: string; backend: string; device?: string; totalSteps?: number } {
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

export async function replayDashboard(file: string, speed?: number): Promise<void> {
  const { header } = await readRecording(file);
  if (header.kind !== 'metrics') {
    throw new Error(`replay: --dashboard needs a metrics recording, ${file} holds '${header.kind}' records`);
  }
  const [{ replay }, { attachMonitor }] = await Promise.all([import('../../operators/replay.ts'), import('../monitor.ts')]);
  const metrics$: Observable<Metric> = replay<Metric>(file, speed === undefined ? {} : { pace: { speed } }).pipe(share());
  let stop = () => {};
  const stopped = new Promise<void>((resolve) => (stop = resolve));
  const monitor = attachMonitor({ metrics$, info: runInfo(file, header), onQuit: () => (monitor.detach(), stop()) });
  await Promise.race([monitor.done, stopped]);
}

export function registerReplay(program: Command): void {
  program
    .command('replay')
    .description('read a recording back: summary, JSON lines, or re-played on the dashboard')
    .argument('<file>', 'a recording (.msgpack) or a run directory (its metrics.msgpack)')
    .option('--jsonl', 'print one JSON object per record (typed arrays as arrays)')
    .option('--dashboard', 're-play a metrics recording on the dashboard')
    .option('--speed <x>', 'pace records by their time field at this many times real speed')
    .action(async (target: string, options: ReplayCommandOptions) => {
      const file = resolveRecordingPath(target);
      const speed = parseSpeed(options.speed);
      if (options.jsonl && options.dashboard) throw new Error('replay: choose one of --jsonl and --dashboard');
      if (options.jsonl) {
        process.stdout.on('error', (error: NodeJS.ErrnoException) => {
          if (error.code === 'EPIPE') process.exit(0); // `| head` closed the pipe: not an error
          throw error;
        });
        await replayJsonl(file, process.stdout, speed);
      } else if (options.dashboard) {
        await replayDashboard(file, speed);
      } else {
        process.stdout.write(`${await summarize(file)}\n`);
      }
    });
}
