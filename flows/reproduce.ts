/**
 * Flow: the paper's whole diagnosis at small scale — `asymflow reproduce --preset smoke|full --tasks gc,sudoku`.
 *
 *   parts (task × sft, lambda, ngdiff, prestage, rl, diagnose, surrogate-rl; or --only's)
 *   (--seeds 0,1,2: every part of every seed, each seed in DIR/seed-S/)
 *   ─ DIR/<task>/<part>/summary.json exists ─ skipped (--resume)
 *   ─ the others: resolve the backend once ─ concatMap, one at a time ─ runOnePart (flows/reproduce-jobs.ts):
 *       runPart (flows/reproduce-parts.ts; its runs continue their own checkpoints) ─ timed
 *       ─ DIR/<task>/<part>/summary.json {commands, seed, backend, device, wall time, versions, result}
 *     or, with an executor (--parallel K, --queue URL), the same parts as jobs with their dependencies
 *   ─ DIR/report.md with every table, the plots and the six verdicts, seeds pooled (flows/reproduce-report.ts)
 *
 * A killed run resumes where it stopped: finished parts are skipped, the part it was in continues from its
 * runs' checkpoints. With `--preset full` every part fits one 10-minute device call (`--only gc/sft`).
 */
import { ensureDir, writeJsonAtomic } from '../src/io/atomic-write.ts';
import fs from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { concatMap, defer, from, lastValueFrom, toArray } from 'rxjs';
import { ConfigError } from '../src/config.ts';
import { buildInfo } from '../src/build-info.ts';
import { resolveBackend } from '../src/backend/index.ts';
import { parseTasks, presetOf } from '../src/reproduce/preset-lookup.ts';
import { estimatePartSeconds, type ReproducePreset, type ReproduceTask } from '../src/reproduce/presets.ts';
import type { JobExecutor } from '../src/queue/job-spec.ts';
import { partJobs, runOnePart, type PartItem } from './reproduce-jobs.ts';
import { PART_KINDS } from './reproduce-parts.ts';
import { writeReport } from './reproduce-report.ts';
import { seedRuns, type SeedRun } from './reproduce-seeds.ts';
import { readPartSummary, type Versions } from './reproduce-summary.ts';
import { outputLines, type LineSink } from '../src/output-lines.ts';

export { parseTasks, presetOf };

export interface ReproduceOptions {
  readonly preset: string;
  readonly tasks: readonly string[];
  readonly backend: string; // auto | tensorflow | webgpu | wasm | cpu
  readonly out: string;
  readonly resume: boolean;
  readonly only?: readonly string[]; // part names (task/kind, or seed-S/task/kind for one seed of --seeds); default all
  readonly seeds?: readonly number[]; // training seeds; default the preset's one seed, in DIR itself
  readonly log?: LineSink; // progress; default: stderr (src/output-lines.ts)
  readonly result?: LineSink; // the report's path; default: the log given, else stdout
  /** Run the parts as jobs elsewhere (`--parallel K` child processes, the queue); default: one after another here. */
  readonly executor?: JobExecutor;
}

export interface ReproduceResult {
  readonly report: string; // DIR/report.md
  readonly ran: readonly string[];
  readonly skipped: readonly string[];
}

/**
 * Every part name of the given tasks, in run order (each task's parts depend only on its own earlier ones);
 * a paper preset's parts are its estimate's, one grid setting each (`gc/lambda@0.1`).
 */
export const partNames = (tasks: readonly string[], preset?: ReproducePreset): string[] =>
  tasks.flatMap((t) => (preset?.paper ? Object.keys(estimatePartSeconds(preset, t as ReproduceTask)) : PART_KINDS).map((k) => `${t}/${k}`));

/**
 * What `reproduce --list` prints: the part names, and for a paper preset each with its estimated H200
 * seconds (src/reproduce/presets.ts estimatePartSeconds) and the total per seed.
 */
export function listLines(tasks: readonly ReproduceTask[], preset: ReproducePreset): string[] {
  if (!preset.paper) return partNames(tasks, preset);
  const rows = tasks.flatMap((t) => Object.entries(estimatePartSeconds(preset, t)).map(([k, s]) => [`${t}/${k}`, s] as const));
  const width = Math.max(...rows.map(([n]) => n.length));
  const total = rows.reduce((t, [, s]) => t + s, 0);
  return [
    ...rows.map(([n, s]) => `${n.padEnd(width)}  ≈ ${Math.round(s)} s`),
    `(estimated H200 seconds a part; ${Math.round(total)} s = ${(total / 3600).toFixed(1)} h per seed for ${tasks.join(',')})`,
  ];
}

export function versions(): Versions {
  const { version: asymflow, commit } = buildInfo();
  return { asymflow, commit, node: process.version, tfjs: tf.version_core, platform: `${process.platform}-${process.arch}` };
}

/** DIR/reproduce.json pins the preset: resuming a directory under another preset would mix sizes. */
function pinPreset(out: string, preset: string): void {
  const file = path.join(out, 'reproduce.json');
  if (fs.existsSync(file)) {
    const saved = (JSON.parse(fs.readFileSync(file, 'utf8')) as { preset: string }).preset;
    if (saved !== preset) throw new ConfigError(`reproduce: ${out} holds a --preset ${saved} run; use --preset ${saved} or another --out`);
    return;
  }
  writeJsonAtomic(file, { preset });
}

export async function runReproduce(o: ReproduceOptions): Promise<ReproduceResult> {
  const { log, result } = outputLines(o);
  const preset = presetOf(o.preset);
  const tasks = parseTasks(o.tasks.join(','));
  const all = partNames(tasks, preset);
  const only = o.only && o.only.length > 0 ? o.only : all;
  // `seed-S/gc/sft` names one seed's part (one 10-minute call of a three-seed run); `gc/sft` every seed's
  const ofSeed = (p: string) => /^seed-(\d+)\/(.+)$/.exec(p);
  const unknown = only.filter((p) => !all.includes(ofSeed(p)?.[2] ?? p));
  if (unknown.length > 0) throw new ConfigError(`reproduce: unknown part ${unknown.map((p) => `'${p}'`).join(', ')}; the parts are ${all.join(', ')}`);
  const out = path.resolve(o.out);
  ensureDir(out);
  const seeds = seedRuns(out, preset, o.seeds);
  const forRun = (run: SeedRun) =>
    only.flatMap((p) => {
      const m = ofSeed(p);
      return !m ? [p] : Number(m[1]) === run.seed && run.dir !== out ? [m[2]] : [];
    });
  const jobs: PartItem[] = seeds.flatMap((run) => forRun(run).map((part) => ({ run, part, name: partLabel(out, run, part) })));
  const done = jobs.filter((j) => readPartSummary(j.run.dir, j.part)).map((j) => j.name);
  if (!o.resume && done.length > 0)
    throw new ConfigError(`reproduce: ${out} already holds finished parts (${done.join(', ')}); pass --resume to skip them, or choose another --out`);
  pinPreset(out, preset.name);

  log(
    `reproduce: preset ${preset.name}, tasks ${tasks.join(',')}, seeds ${seeds.map((s) => s.seed).join(',')}, ${jobs.length} parts: ${jobs.map((j) => j.name).join(', ')}`,
  );
  const v = versions();
  const skipped = jobs.filter((j) => readPartSummary(j.run.dir, j.part)).map((j) => j.name);
  for (const name of skipped) log(`reproduce: ${name}: finished earlier, skipped`);
  const todo = jobs.filter((j) => !skipped.includes(j.name));
  const ran = o.executor ? await executeParts(todo, o.executor, preset, o.backend, log) : await runHere(todo, o.backend, preset, v, log);
  const report = await writeReport({ out, preset, tasks, parts: all, seeds, backendRequest: o.backend, versions: v });
  result(`reproduce: wrote ${report}`);
  return { report, ran, skipped };
}

/** A part's name in logs and results: `gc/sft`, or `seed-1/gc/sft` when the seed has its own directory. */
const partLabel = (out: string, run: SeedRun, part: string) => (run.dir === out ? part : `${path.relative(out, run.dir)}/${part}`);

/** The parts one after another in this process, on one backend resolved once. */
async function runHere(
  items: readonly PartItem[],
  backendRequest: string,
  preset: ReproducePreset,
  v: Versions,
  log: (line: string) => void,
): Promise<string[]> {
  const backend = await resolveBackend(backendRequest, { log });
  log(`reproduce: backend ${backend.name} (${backend.device}), ${items.length} part(s) to run: ${items.map((j) => j.name).join(', ')}`);
  const ran: string[] = [];
  const run$ = from(items).pipe(
    concatMap((item) =>
      defer(async () => {
        await runOnePart(item.run, item.part, { preset, backend, versions: v, log, name: item.name });
        ran.push(item.name);
      }),
    ),
    toArray(),
  );
  await lastValueFrom(run$);
  return ran;
}

/**
 * The parts as jobs (flows/reproduce-jobs.ts: dependencies within a seed; flows/job-run.ts runs each through
 * runOnePart), each resolving the backend where it runs: a coordinator may have no GPU.
 */
async function executeParts(
  items: readonly PartItem[],
  executor: JobExecutor,
  preset: ReproducePreset,
  backendRequest: string,
  log: (line: string) => void,
): Promise<string[]> {
  log(`reproduce: ${items.length} part(s) as jobs (backend ${backendRequest}, resolved where each runs): ${items.map((j) => j.name).join(', ')}`);
  if (items.length > 0) await executor(partJobs(items, { preset: preset.name, backend: backendRequest, paper: preset.paper !== undefined }));
  return items.map((j) => j.name);
}
