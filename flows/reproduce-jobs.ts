/**
 * One `reproduce` part of one seed run and recorded (SEEDDIR/<task>/<part>/summary.json), and the parts as
 * jobs for an executor (`--parallel K`, `--queue URL`) with what each part needs first, within its seed
 * (src/reproduce/part-needs.ts).
 *
 * A dependency outside the parts being run (finished earlier, or not in --only) is not waited for: the
 * part's own check names what is missing.
 */
import { writeJsonAtomic } from '../src/io/atomic-write.ts';
import type { ReproducePreset, ReproduceTask } from '../src/reproduce/presets.ts';
import { jobSpec, type JobSpec } from '../src/queue/job-spec.ts';
import { runPaperPart } from './reproduce-paper-parts.ts';
import { PART_KINDS, runPart, type PartContext, type PartKind } from './reproduce-parts.ts';
import { isNeeded, partNeeds } from '../src/reproduce/part-needs.ts';
import { withSeed, type SeedRun } from './reproduce-seeds.ts';
import { summaryFile, type PartSummary, type Versions } from './reproduce-summary.ts';

/**
 * One part of one seed, start to summary: runPart (flows/reproduce-parts.ts; its runs continue their own
 * checkpoints), timed, then DIR/<task>/<part>/summary.json. The unit a scheduler (a queue, K in parallel)
 * runs on its own: the local run, a `--parallel` child and a queue worker all come through here.
 */
export async function runOnePart(
  run: SeedRun,
  part: string,
  o: { preset: ReproducePreset; backend: { name: string; device: string }; versions: Versions; log: (line: string) => void; name?: string },
): Promise<PartSummary> {
  const preset = withSeed(o.preset, run.seed);
  const name = o.name ?? part;
  const [task, kind] = part.split('/') as [ReproduceTask, string];
  const ctx: PartContext = { out: run.dir, task, preset, backend: { name: o.backend.name, device: o.backend.device }, log: o.log };
  o.log(`reproduce: ${name}: running`);
  const started = Date.now();
  const output = (PART_KINDS as readonly string[]).includes(kind) ? await runPart(kind as PartKind, ctx) : await runPaperPart(kind, ctx);
  const summary: PartSummary = {
    part,
    task,
    kind,
    preset: preset.name,
    seed: preset.seed,
    backend: o.backend.name,
    device: o.backend.device,
    wallMs: Date.now() - started,
    finished: new Date().toISOString(),
    versions: o.versions,
    ...output,
  };
  writeJsonAtomic(summaryFile(run.dir, part), summary); // the part counts as done only once this is whole
  o.log(`reproduce: ${name}: done in ${(summary.wallMs / 1000).toFixed(1)} s`);
  return summary;
}

/** The config a reproduce-part job carries (validated again where it runs: flows/job-run.ts). */
export interface ReproducePartConfig {
  readonly out: string; // the seed's directory, absolute (DIR, or DIR/seed-S)
  readonly part: string; // task/kind
  readonly preset: string;
  readonly seed: number;
  readonly backend: string; // the coordinator's request; a worker's --backend wins
}

/** A part to run: which seed (and its directory), which part, and its name in logs (`seed-1/gc/sft`). */
export interface PartItem {
  readonly run: SeedRun;
  readonly part: string;
  readonly name: string;
}

/** One job per item, each depending on the jobs of the parts it needs in the same seed. */
export function partJobs(items: readonly PartItem[], o: { readonly preset: string; readonly backend: string; readonly paper?: boolean }): JobSpec[] {
  const jobs = new Map<string, JobSpec>();
  const key = (dir: string, part: string) => `${dir}\n${part}`;
  for (const { run, part, name } of items) {
    const [task, kind] = part.split('/');
    // a paper preset's grid kinds (`rl@0.5`) wait for every part of the kinds they need
    const needs = partNeeds(kind, o.paper === true);
    const deps = [...jobs.entries()]
      .filter(([k]) => k.startsWith(key(run.dir, `${task}/`)) && isNeeded(needs, k.slice(key(run.dir, `${task}/`).length)))
      .map(([, j]) => j);
    const config: ReproducePartConfig = { out: run.dir, part, preset: o.preset, seed: run.seed, backend: o.backend };
    jobs.set(
      key(run.dir, part),
      jobSpec(
        'reproduce-part',
        name,
        { ...config },
        deps.map((j) => j.id),
      ),
    );
  }
  return [...jobs.values()];
}
