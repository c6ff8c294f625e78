/**
 * `sweep sft|rl --seeds 0,1,2`: the same sweep once per training seed, each in DIR/seed-S/ (an ordinary sweep
 * directory), then DIR/seeds.md: every setting's mean over the seeds and each seed's figure (the spread).
 */
import fs from 'node:fs';
import path from 'node:path';
import { concatMap, defer, from, lastValueFrom, toArray } from 'rxjs';
import type { Accuracy } from '../src/eval/accuracy.ts';

/** One setting's figures in one seed's sweep. */
export interface SeedRow extends Accuracy<number> {
  readonly setting: string;
}

/** Runs `sweep` for each seed in DIR/seed-S, one after another; returns each seed's rows and writes DIR/seeds.md. */
export async function runSeedSweeps(
  seeds: readonly number[],
  out: string,
  title: string,
  sweep: (seed: number, dir: string) => Promise<readonly SeedRow[]>,
): Promise<{ perSeed: SeedRow[][]; table: string }> {
  fs.mkdirSync(out, { recursive: true });
  const perSeed = await lastValueFrom(
    from(seeds).pipe(
      concatMap((seed) => defer(async () => [...(await sweep(seed, path.join(out, `seed-${seed}`)))])),
      toArray(),
    ),
  );
  const table = seedTable(title, seeds, perSeed);
  fs.writeFileSync(path.join(out, 'seeds.md'), table);
  return { perSeed, table };
}

const pct = (x: number) => (100 * x).toFixed(1);

/** Markdown: a row per setting (in the first seed's order), each cell the mean over seeds and the seeds' values. */
export function seedTable(title: string, seeds: readonly number[], perSeed: readonly (readonly SeedRow[])[]): string {
  const lines = [
    title,
    '',
    `Mean over seeds ${seeds.join(', ')} (each seed's value in brackets, in that order); accuracy %.`,
    '',
    '| setting | a | a_p | a_r | ã_r |',
    '|---|---|---|---|---|',
  ];
  for (const row of perSeed[0] ?? []) {
    const at = perSeed.map((rows) => rows.find((r) => r.setting === row.setting));
    if (at.some((r) => !r)) throw new Error(`sweep --seeds: setting ${row.setting} is missing from a seed's sweep`);
    const c = (k: 'a' | 'ap' | 'ar' | 'arCond') => {
      const v = at.map((r) => r![k]);
      return `${pct(v.reduce((s, x) => s + x, 0) / v.length)} (${v.map(pct).join(' / ')})`;
    };
    lines.push(`| ${row.setting} | ${c('a')} | ${c('ap')} | ${c('ar')} | ${c('arCond')} |`);
  }
  return `${lines.join('\n')}\n`;
}
