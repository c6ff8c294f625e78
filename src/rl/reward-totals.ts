/**
 * Running totals of an RL run's rewards and phase times (summary.json's reward statistics), kept as plain
 * sums so they can be checkpointed and continued exactly on resume.
 */
import type { RlScored } from './rl-records.ts';

export interface RewardTotalsState {
  readonly rollouts: number;
  readonly sums: Record<string, number>;
  readonly squares: Record<string, number>;
  readonly phaseMs: { rollout: number; scoring: number; update: number };
}

export class RewardTotals {
  rollouts: number;
  private readonly sums: Record<string, number>;
  private readonly squares: Record<string, number>;
  private readonly phases: { rollout: number; scoring: number; update: number };

  constructor(state?: RewardTotalsState) {
    this.rollouts = state?.rollouts ?? 0;
    this.sums = { ...(state?.sums ?? {}) };
    this.squares = { ...(state?.squares ?? {}) };
    this.phases = { rollout: 0, scoring: 0, update: 0, ...(state?.phaseMs ?? {}) };
  }

  add(rows: readonly RlScored[], phaseMs: { rollout: number; scoring: number; update: number }): void {
    for (const r of rows) {
      this.rollouts++;
      for (const [name, v] of Object.entries(r.rewards)) {
        this.sums[name] = (this.sums[name] ?? 0) + v;
        this.squares[name] = (this.squares[name] ?? 0) + v * v;
      }
    }
    this.phases.rollout += phaseMs.rollout;
    this.phases.scoring += phaseMs.scoring;
    this.phases.update += phaseMs.update;
  }

  /** Mean and unbiased std of every reward component over all rollouts so far. */
  summary(): Record<string, { mean: number; std: number }> {
    const n = this.rollouts;
    return Object.fromEntries(
      Object.keys(this.sums).map((k) => {
        const mean = n ? this.sums[k] / n : 0;
        const variance = n > 1 ? Math.max(0, (this.squares[k] - n * mean * mean) / (n - 1)) : 0;
        return [k, { mean, std: Math.sqrt(variance) }];
      }),
    );
  }

  phaseMs(): { rollout: number; scoring: number; update: number } {
    return { ...this.phases };
  }

  rolloutsPerSec(): number {
    const ms = this.phases.rollout + this.phases.scoring + this.phases.update;
    return ms > 0 ? this.rollouts / (ms / 1000) : 0;
  }

  state(): RewardTotalsState {
    return { rollouts: this.rollouts, sums: { ...this.sums }, squares: { ...this.squares }, phaseMs: { ...this.phases } };
  }
}
