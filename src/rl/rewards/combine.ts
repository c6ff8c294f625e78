/**
 * Reward combination, its one home (docs/architecture.md §5 "rewards" → "augmented reward"): rewards of a step's rollouts: the oracle verdicts a, a_p, ã_r
 * (from the score pool), the surrogate perception reward when one is configured, and the final
 * R = α·perception + (1−α)·a, where `perception` is a_p for `--reward perception`, the surrogate's value
 * for self/teacher/embed, and absent for `outcome` (α = 0).
 * Every component is kept in `rewards` so a recording can be re-analysed with any of them.
 */
import type { ResponseScore } from '../../eval/score.ts';
import type { Sample } from '../../records.ts';
import type { RlRollout, RlScored } from '../rl-records.ts';
import { alphaProblem, rewardName, type RewardSpec } from '../reward-spec.ts';
import { rewardInputs, type SurrogateReward } from './surrogate.ts';
import type { ScorePool } from '../score-pool.ts';

export interface RewardSetup {
  readonly task: string;
  readonly alpha: number;
  readonly spec: RewardSpec;
  readonly surrogate?: SurrogateReward; // required for self/teacher/embed
  readonly extra?: readonly SurrogateReward[]; // scored and recorded, not used in R (diagnostics)
}

export type Unadvantaged = Omit<RlScored, 'advantage'>;

/** Reward augmentation: R = α·perception + (1−α)·a, perception being a_p or a surrogate perception reward. */
export function augmentedReward(alpha: number, perception: number, outcome: number): number {
  return alpha * perception + (1 - alpha) * outcome;
}

/** Combines verdicts and surrogate values into the recorded rewards and the final reward. */
export function combineRewards(
  setup: Pick<RewardSetup, 'alpha' | 'spec' | 'surrogate'>,
  score: ResponseScore,
  surrogates: Readonly<Record<string, number>>,
): { rewards: Record<string, number>; reward: number } {
  const rewards: Record<string, number> = { outcome: score.a, perception: score.ap, arCond: score.arCond, ...surrogates };
  // A given surrogate (built from the spec, or a custom one passed in code) is the perception term.
  const name = setup.surrogate?.name ?? rewardName(setup.spec);
  const problem = alphaProblem(setup.spec, setup.alpha);
  if (problem) throw new Error(`combineRewards: α ${problem}, got ${setup.alpha}`);
  const perception = setup.spec.kind === 'outcome' ? 0 : rewards[name]; // outcome: α = 0, so R = a
  if (perception === undefined) throw new Error(`reward '${name}' has no value: its surrogate reward was not given`);
  const reward = augmentedReward(setup.alpha, perception, score.a);
  rewards.final = reward;
  return { rewards, reward };
}

/**
 * Scores and rewards `rollouts` (samples by id supply pixels for surrogates) into records without advantages:
 * what the scoreRollouts and rescoreRollouts operators do to each batch.
 */
export async function rewardRollouts(
  rollouts: readonly RlRollout[],
  samples: ReadonlyMap<string, Sample>,
  pool: ScorePool,
  setup: RewardSetup,
  step: number,
): Promise<Unadvantaged[]> {
  const verdicts = await pool.score(
    setup.task,
    rollouts.map((r) => ({ puzzle: r.puzzle, text: r.text })),
  );
  const sampleOf = (r: RlRollout) => {
    const s = samples.get(r.sampleId);
    if (!s) throw new Error(`rewardRollouts: no sample '${r.sampleId}' for rollout ${r.group}`);
    return s;
  };
  const surrogateValues: Record<string, number>[] = rollouts.map(() => ({}));
  const all = [...(setup.surrogate ? [setup.surrogate] : []), ...(setup.extra ?? [])];
  if (all.length > 0) {
    const inputs = rewardInputs(
      rollouts.map(sampleOf),
      rollouts.map((r) => r.text),
    );
    for (const surrogate of all) {
      const values = await surrogate.score(inputs, step);
      values.forEach((v, i) => (surrogateValues[i][surrogate.name] = v));
    }
  }
  return rollouts.map((r, i) => {
    const v = verdicts[i];
    const { rewards, reward } = combineRewards(setup, v, surrogateValues[i]);
    return { ...r, a: v.a, ap: v.ap, arCond: v.arCond, ...(v.parseFailure ? { parseFailure: v.parseFailure } : {}), rewards, reward };
  });
}
