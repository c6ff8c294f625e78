/**
 * Groups a step's scored rollouts by prompt and attaches GRPO advantages (advantage.ts): rollouts of one
 * prompt share a group, whose rewards are normalised with the unbiased std and ε. Order is kept.
 */
import type { Group } from '../records.ts';
import { groupAdvantages } from './advantage.ts';
import type { Unadvantaged } from './rewards/combine.ts';
import type { RlScored } from './rl-records.ts';

export interface AdvantagedStep {
  readonly scored: readonly RlScored[]; // input order
  readonly groups: readonly Group[];
}

export function withAdvantages(rows: readonly Unadvantaged[], epsilon: number): AdvantagedStep {
  const byPrompt = new Map<string, number[]>();
  rows.forEach((r, i) => byPrompt.set(r.sampleId, [...(byPrompt.get(r.sampleId) ?? []), i]));
  const groups: Group[] = [];
  const scored: RlScored[] = rows.map((r) => ({ ...r, advantage: 0 }));
  for (const [sampleId, idx] of byPrompt) {
    const adv = groupAdvantages(
      idx.map((i) => rows[i].reward),
      epsilon,
    );
    idx.forEach((i, k) => {
      scored[i] = { ...rows[i], advantage: adv[k] };
    });
    groups.push({ sampleId, scored: idx.map((i) => scored[i]), advantages: adv });
  }
  return { scored, groups };
}
