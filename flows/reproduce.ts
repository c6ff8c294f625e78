/**
 * Flow: the paper's whole diagnosis at small scale — `asymflow reproduce --preset smoke|full --tasks gc,sudoku`.
 *
 *   resolve the backend once ─ parts (task × sft, lambda, ngdiff, prestage, rl, diagnose, surrogate-rl;
 *   or --only's) ─ concatMap, one at a time:
 *       DIR/<task>/<part>/summary.json exists ─ skipped (--resume)
 *       else runPart (flows/reproduce-parts.ts; its runs continue their own checkpoints) ─ timed
 *            ─ DIR/<task>/<part>/summary.json {commands, seed, backend, device, wall time, versions, result}
 *   (--seeds 0,1,2: every part of every seed, each seed in DIR/seed-S/)
 *   ─ toArray ─ DIR/report.md with every table, the plots and the six verdicts, seeds pooled (flows/reproduce-report.ts)
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
import { PRESETS, REPRODUCE_TASKS, type ReproducePreset, type ReproduceTask } from '../src/reproduce/presets.ts';
import { PART_KINDS, partDir, runPart, type PartContext, type PartKind } from './reproduce-parts.ts';
import { writeReport } from './reproduce-report.ts';
import { seedRuns, withSeed, type SeedRun } from './reproduce-seeds.ts';
import { readPartSummary, summaryFile, type PartSummary, type Versions } from './reproduce-summary.ts';

export interface ReproduceOptions {
  readonly preset: string;
  readonly tasks: readonly string[];
  readonly backend: string; // auto | tensorflow | webgpu | wasm | cpu
  readonly out: string;
  readonly resume: boolean;
  readonly only?: readonly string[]; // part names (task/kind); default all
  readonly seeds?: readonly number[]; // training seeds; default the preset's one seed, in DIR itself
  readonly log?: (line: string) => void;
}

export interface ReproduceResult {
  readonly report: string; // DIR/report.md
  readonly ran: readonly string[];
  readonly skipped: readonly string[];
}

/** Every part name of the given tasks, in run order (each task's parts depend only on its own earlier ones). */
export const partNames = (tasks: readonly string[]): string[] => tasks.flatMap((t) => PART_KINDS.map((k) => `${t}/${k}`));

export function parseTasks(text: string): ReproduceTask[] {
  const tasks = text.split(',').map((t) => t.trim());
  const bad = tasks.find((t) => !(REPRODUCE_TASKS as readonly string[]).includes(t));
  if (text.trim() === '' || bad !== undefined) throw new ConfigError(`reproduce: --tasks must list ${REPRODUCE_TASKS.join(' and/or ')}, got '${text}'`);
  return [...new Set(tasks)] as ReproduceTask[];
}

export function presetOf(name: string): ReproducePreset {
  const preset = PRESETS[name];
  if (!preset) throw new ConfigError(`reproduce: --preset must be smoke or full, got '${name}'`);
  return preset;
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
  const log = o.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  const preset = presetOf(o.preset);
  const tasks = parseTasks(o.tasks.join(','));
  const all = partNames(tasks);
  const only = o.only && o.only.length > 0 ? o.only : all;
  const unknown = only.filter((p) => !all.includes(p));
  if (unknown.length > 0) throw new ConfigError(`reproduce: unknown part ${unknown.map((p) => `'${p}'`).join(', ')}; the parts are ${all.join(', ')}`);
  const out = path.resolve(o.out);
  ensureDir(out);
  const seeds = seedRuns(out, preset, o.seeds);
  const jobs = seeds.flatMap((run) => only.map((part) => ({ run, part, name: partLabel(out, run, part) })));
  const done = jobs.filter((j) => readPartSummary(j.run.dir, j.part)).map((j) => j.name);
  if (!o.resume && done.length > 0) throw new ConfigError(`reproduce: ${out} already holds finished parts (${done.join(', ')}); pass --resume to skip them, or choose another --out`);
  pinPreset(out, preset.name);

  const backend = await resolveBackend(o.backend, { log });
  log(`reproduce: preset ${preset.name}, tasks ${tasks.join(',')}, seeds ${seeds.map((s) => s.seed).join(',')}, backend ${backend.name} (${backend.device}), ${jobs.length} parts: ${jobs.map((j) => j.name).join(', ')}`);
  const v = versions();
  const ran: string[] = [];
  const skipped: string[] = [];
  const run$ = from(jobs).pipe(
    concatMap((job) =>
      defer(async () => {
        if (readPartSummary(job.run.dir, job.part)) {
          log(`reproduce: ${job.name}: finished earlier, skipped`);
          skipped.push(job.name);
          return;
        }
        await runOnePart(job.run, job.part, { preset, backend, versions: v, log, name: job.name });
        ran.push(job.name);
      }),
    ),
    toArray(),
  );
  await lastValueFrom(run$);
  const report = await writeReport({ out, preset, tasks, parts: all, seeds, backendRequest: o.backend, versions: v });
  log(`reproduce: wrote ${report}`);
  return { report, ran, skipped };
}

/** A part's name in logs and results: `gc/sft`, or `seed-1/gc/sft` when the seed has its own directory. */
const partLabel = (out: string, run: SeedRun, part: string) => (run.dir === out ? part : `${path.relative(out, run.dir)}/${part}`);

/**
 * One part of one seed, start to summary: runPart (flows/reproduce-parts.ts; its runs continue their own
 * checkpoints), timed, then DIR/<task>/<part>/summary.json. The unit a scheduler (a queue, K in parallel)
 * can run on its own: parts of one task and seed still depend on that seed's sft part.
 */
export async function runOnePart(
  run: SeedRun,
  part: string,
  o: { preset: ReproducePreset; backend: { name: string; device: string }; versions: Versions; log: (line: string) => void; name?: string },
): Promise<PartSummary> {
  const preset = withSeed(o.preset, run.seed);
  const name = o.name ?? part;
  const [task, kind] = part.split('/') as [ReproduceTask, PartKind];
  const ctx: PartContext = { out: run.dir, task, preset, backend: { name: o.backend.name, device: o.backend.device }, log: o.log };
  o.log(`reproduce: ${name}: running`);
  const started = Date.now();
  const output = await runPart(kind, ctx);
  const summary: PartSummary = {
    part, task, kind, preset: preset.name, seed: preset.seed, backend: o.backend.name, device: o.backend.device,
    wallMs: Date.now() - started, finished: new Date().toISOString(), versions: o.versions, ...output,
  };
  writeJsonAtomic(summaryFile(run.dir, part), summary); // the part counts as done only once this is whole
  o.log(`reproduce: ${name}: done in ${(summary.wallMs / 1000).toFixed(1)} s`);
  return summary;
}
