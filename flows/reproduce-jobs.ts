/**
 * One `reproduce` part run and recorded (DIR/<task>/<part>/summary.json), and the parts as jobs for an
 * executor (`--parallel K`, `--queue URL`) with what each part needs first:
 *
 *   rl, diagnose  ← sft (the SFT checkpoint is their --init)
 *   surrogate-rl  ← diagnose (the embed encoder), rl (its α run is reused for the oracle reward)
 *   sft, lambda, ngdiff, prestage: independent
 *
 * A dependency outside the parts being run (finished earlier, or not in --only) is not waited for: the
 * part's own check names what is missing.
 */
import { ensureDir, writeJsonAtomic } from '../src/io/atomic-write.ts';
import type { ReproducePreset, ReproduceTask } from '../src/reproduce/presets.ts';
import { jobSpec, type JobSpec } from '../src/queue/job-spec.ts';
import { partDir, runPart, type PartContext, type PartKind } from './reproduce-parts.ts';
import { summaryFile, type PartSummary, type Versions } from './reproduce-summary.ts';

const NEEDS: Partial<Record<string, readonly string[]>> = { rl: ['sft'], diagnose: ['sft'], 'surrogate-rl': ['diagnose', 'rl'] };

export interface ReproducePartRun {
  readonly out: string; // absolute
  readonly part: string; // task/kind
  readonly preset: ReproducePreset;
  readonly backend: { readonly name: string; readonly device: string };
  readonly versions: Versions;
  readonly log: (line: string) => void;
}

export async function runReproducePart(r: ReproducePartRun): Promise<PartSummary> {
  const [task, kind] = r.part.split('/') as [ReproduceTask, PartKind];
  const ctx: PartContext = { out: r.out, task, preset: r.preset, backend: r.backend, log: r.log };
  r.log(`reproduce: ${r.part}: running`);
  const started = Date.now();
  const output = await runPart(kind, ctx);
  const summary: PartSummary = {
    part: r.part, task, kind, preset: r.preset.name, seed: r.preset.seed, backend: r.backend.name, device: r.backend.device,
    wallMs: Date.now() - started, finished: new Date().toISOString(), versions: r.versions, ...output,
  };
  ensureDir(partDir(ctx, kind));
  writeJsonAtomic(summaryFile(r.out, r.part), summary); // the part counts as done only once this is whole
  r.log(`reproduce: ${r.part}: done in ${(summary.wallMs / 1000).toFixed(1)} s`);
  return summary;
}

/** The config a reproduce-part job carries (validated again where it runs: flows/job-run.ts). */
export interface ReproducePartConfig {
  readonly out: string;
  readonly part: string;
  readonly preset: string;
  readonly backend: string; // the coordinator's request; a worker's --backend wins
}

export function partJobs(parts: readonly string[], o: Omit<ReproducePartConfig, 'part'>): JobSpec[] {
  const jobs = new Map<string, JobSpec>();
  for (const part of parts) {
    const [task, kind] = part.split('/');
    const deps = (NEEDS[kind] ?? []).map((k) => jobs.get(`${task}/${k}`)).filter((j): j is JobSpec => j !== undefined);
    jobs.set(part, jobSpec('reproduce-part', part, { ...o, part } satisfies ReproducePartConfig, deps.map((j) => j.id)));
  }
  return [...jobs.values()];
}
