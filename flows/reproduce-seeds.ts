/**
 * The seeds of a reproduce directory: `--seeds` runs each seed into DIR/seed-S/ (an ordinary reproduce layout:
 * DIR/seed-S/<task>/<part>/summary.json); without it the one seed's parts live in DIR itself. The report
 * reads every seed's parts from here and pools them.
 */
import path from 'node:path';
import type { ReproducePreset } from '../src/reproduce/presets.ts';
import { ConfigError } from '../src/config.ts';
import { readPartSummary } from './reproduce-summary.ts';

export interface SeedRun {
  readonly seed: number;
  readonly dir: string; // the directory holding <task>/<part>/ for this seed
}

/** `0,1,2` → [0, 1, 2]: distinct non-negative integers. */
export function parseSeeds(text: string): number[] {
  const seeds = text.split(',').map((s) => s.trim());
  const bad = seeds.find((s) => !/^\d+$/.test(s));
  if (text.trim() === '' || bad !== undefined) throw new ConfigError(`--seeds must list non-negative integers like 0,1,2, got '${text}'`);
  const out = seeds.map(Number);
  if (new Set(out).size !== out.length) throw new ConfigError(`--seeds lists a seed twice: '${text}'`);
  return out;
}

/** Where each seed runs: DIR itself for the preset's own seed alone, else DIR/seed-S for each. */
export function seedRuns(out: string, preset: ReproducePreset, seeds: readonly number[] | undefined): SeedRun[] {
  if (!seeds || (seeds.length === 1 && seeds[0] === preset.seed)) return [{ seed: preset.seed, dir: out }];
  return seeds.map((seed) => ({ seed, dir: path.join(out, `seed-${seed}`) }));
}

/** The preset with its seed replaced (every part reads `preset.seed`). */
export const withSeed = (preset: ReproducePreset, seed: number): ReproducePreset => (seed === preset.seed ? preset : { ...preset, seed });

/** A part's result in every seed that finished it (in seed order), with the seeds it came from. */
export function partResults<T>(runs: readonly SeedRun[], part: string): { seed: number; result: T }[] {
  return runs.flatMap((r) => {
    const s = readPartSummary(r.dir, part);
    return s ? [{ seed: r.seed, result: s.result as T }] : [];
  });
}

/** A part's results: one per seed when every seed finished it, else undefined (reported as not run). */
export function allSeeds<T>(runs: readonly SeedRun[], part: string): T[] | undefined {
  const got = partResults<T>(runs, part);
  return got.length === runs.length && got.length > 0 ? got.map((g) => g.result) : undefined;
}

/**
 * A kind's results per seed: the part `task/kind` itself, or — a paper preset runs one grid setting a part —
 * its `task/kind@…` parts among `parts` merged in their order by `merge`; undefined unless every one finished.
 */
export function gridSeeds<T>(
  runs: readonly SeedRun[],
  parts: readonly string[],
  task: string,
  kind: string,
  merge: (each: readonly T[]) => T,
): T[] | undefined {
  const grid = parts.filter((p) => p.startsWith(`${task}/${kind}@`));
  if (grid.length === 0) return allSeeds<T>(runs, `${task}/${kind}`);
  const each = grid.map((p) => allSeeds<T>(runs, p));
  if (each.some((e) => e === undefined)) return undefined;
  return runs.map((_, i) => merge(each.map((e) => e![i])));
}

/** Per seed, aligned with `runs`: a part's result, or undefined where that seed has not finished it. */
export const perSeed = <T>(runs: readonly SeedRun[], part: string): (T | undefined)[] => runs.map((r) => readPartSummary(r.dir, part)?.result as T | undefined);

/** Per seed: a kind's grid parts (`kind@x`) merged in their order, or the part `task/kind` itself; undefined where one is missing. */
export function gridPerSeed<T>(
  runs: readonly SeedRun[],
  parts: readonly string[],
  task: string,
  kind: string,
  merge: (each: readonly T[]) => T,
): (T | undefined)[] {
  const grid = parts.filter((p) => p.startsWith(`${task}/${kind}@`));
  if (grid.length === 0) return perSeed<T>(runs, `${task}/${kind}`);
  const each = grid.map((p) => perSeed<T>(runs, p));
  return runs.map((_, i) => (each.every((e) => e[i] !== undefined) ? merge(each.map((e) => e[i]!)) : undefined));
}

/**
 * The parts of `kind` that some seed has not finished — a grid kind's `task/kind@x` parts, else `task/kind`
 * (`kind` may name one setting, `rl@0`) — each with the seeds lacking it when others have it.
 */
export function unfinished(runs: readonly SeedRun[], parts: readonly string[], task: string, kind: string): string[] {
  const grid = parts.filter((p) => p.startsWith(`${task}/${kind}@`));
  return (grid.length > 0 ? grid : [`${task}/${kind}`]).flatMap((name) => {
    const lacking = runs.filter((r) => !readPartSummary(r.dir, name)).map((r) => r.seed);
    if (lacking.length === 0) return [];
    return [lacking.length < runs.length ? `${name} (seed${lacking.length > 1 ? 's' : ''} ${lacking.join(', ')})` : name];
  });
}

/** "part gc/sft has not run", "parts gc/lambda@0.2, gc/lambda@0.8 (seed 1) have not run": for a check not run. */
export function unrunText(runs: readonly SeedRun[], parts: readonly string[], task: string, kind: string): string {
  const names = unfinished(runs, parts, task, kind);
  if (names.length === 0) return `part ${task}/${kind} has no usable record`;
  return names.length === 1 ? `part ${names[0]} has not run` : `parts ${names.join(', ')} have not run`;
}

/** The report's line for a table whose parts have not all run. */
export function notRunYet(runs: readonly SeedRun[], parts: readonly string[], task: string, kind: string): string {
  const names = unfinished(runs, parts, task, kind);
  const shown = names.length > 0 ? names : [`${task}/${kind}`];
  const first = shown[0].split(' ')[0];
  return `_Not run yet: ${shown.map((n) => `\`${n}\``).join(', ')} (run \`asymflow reproduce … --resume\`, or \`--only ${first}\` for one)._`;
}
