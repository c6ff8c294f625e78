/** What an RL run reports (DIR/summary.json, flows/rl.ts) and the line that prints one evaluation of it. */
import type { EvalFigures } from './rl-eval.ts';
import type { RewardTotals } from './reward-totals.ts';

export interface RlSummary {
  readonly task: string;
  readonly reward: string;
  readonly alpha: number;
  readonly tokenLambda: number;
  readonly steps: number; // steps done (all invocations)
  readonly completed: boolean; // reached --steps
  readonly before: EvalFigures | null;
  readonly after: EvalFigures | null;
  readonly rewards: ReturnType<RewardTotals['summary']>;
  readonly rollouts: number;
  readonly rolloutsPerSec: number;
  readonly phaseMs: { readonly rollout: number; readonly scoring: number; readonly update: number };
  readonly splits: string; // prompts and evaluation splits, their handwriting (Sudoku) and measured content overlap
}

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
export const figuresLine = (label: string, f: EvalFigures) =>
  `rl ${label}: a ${pct(f.a.value)}  a_p ${pct(f.ap.value)}  a_r ${pct(f.ar.value)}  ã_r ${pct(f.arCond.value)}  (n ${f.n})`;
