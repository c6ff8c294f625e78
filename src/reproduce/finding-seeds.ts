/**
 * Which seeds a finding's checks pool (flows/reproduce-task-section.ts): the seeds that finished every part
 * the finding reads, so a seed run part-way (a session that got to seed 0's parts, not yet seed 1's) does not
 * hold back the checks seed 0 can already decide; failing that, the seeds with its first part (its checks that
 * need more then say "not run"), else every seed. The report says when the pooled seeds are not all of them.
 */
import type { SeedParts } from './verdicts.ts';

/** The SeedParts fields each finding (1…6, src/reproduce/verdicts.ts FINDINGS) reads, its main one first. */
const FIELDS: readonly (readonly (keyof SeedParts)[])[] = [
  ['sft', 'shares'],
  ['sft', 'lambdas'],
  ['sft', 'ngdiff', 'lambdas'],
  ['rl'],
  ['diagnose'],
  ['diagnose', 'surrogates', 'rl'],
];

/** Indices into `seeds` of the seeds finding `f` (0-based) pools. */
export function findingSeeds(seeds: readonly SeedParts[], f: number): number[] {
  const all = seeds.map((_, i) => i);
  const having = (fields: readonly (keyof SeedParts)[]) => all.filter((i) => fields.every((k) => seeds[i][k] !== undefined));
  const complete = having(FIELDS[f]);
  if (complete.length > 0) return complete;
  const main = having(FIELDS[f].slice(0, 1));
  return main.length > 0 ? main : all;
}
