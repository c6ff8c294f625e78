/**
 * What each `asymflow reproduce` part needs finished first, within its task and seed — the jobs' dependencies
 * (flows/reproduce-jobs.ts) and the device planner's (src/reproduce/device-plan.ts):
 *
 *   rl, diagnose  ← sft (the SFT checkpoint is their --init)
 *   surrogate-rl  ← diagnose (the embed encoder), rl (its α run is reused for the oracle reward)
 *   sft, lambda, ngdiff, prestage: independent
 * and a paper preset's one-setting parts (flows/reproduce-paper-parts.ts), by their kind before the `@`:
 *   every SFT part ← pretrain;  rl@α, token-lambda@λ ← sft;  diagnose ← sft, prestage (the teacher);  surrogate-rl@R ← diagnose, prestage
 * A needed kind names every part of that kind (`rl` waits for each `rl@α`).
 */
const NEEDS: Partial<Record<string, readonly string[]>> = { rl: ['sft'], diagnose: ['sft'], 'surrogate-rl': ['diagnose', 'rl'] };
const PAPER_NEEDS: Partial<Record<string, readonly string[]>> = {
  ...Object.fromEntries(['sft', 'scratch', 'lambda', 'ngdiff', 'prestage', 'share'].map((k) => [k, ['pretrain']])),
  rl: ['sft'],
  'token-lambda': ['sft'],
  diagnose: ['sft', 'prestage'],
  'surrogate-rl': ['diagnose', 'prestage'],
};

/** The part kinds (before any `@`) that part kind `kind` needs finished first in its task and seed. */
export function partNeeds(kind: string, paper: boolean): readonly string[] {
  const base = kind.split('@')[0];
  return (paper ? PAPER_NEEDS[base] : NEEDS[base]) ?? [];
}

/** Whether part `other` (a kind, maybe `kind@x`) is of a kind in `needs`. */
export const isNeeded = (needs: readonly string[], other: string): boolean => needs.includes(other.split('@')[0]);

/**
 * Parts that continue from their runs' checkpoints when stopped part-way (SFT, pretrain and RL runs resume);
 * diagnose trains its encoder and samples its rollouts again from the start.
 */
export const resumable = (kind: string): boolean => kind.split('@')[0] !== 'diagnose';
