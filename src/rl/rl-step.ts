/** What one GRPO step carries from stage to stage of flows/rl.ts (prompts → rollouts → scored → advantaged → updated). */
import type { Sample } from '../records.ts';
import type { AdvantagedStep } from './groups.ts';
import type { UpdateStats } from './grpo-update.ts';
import type { Unadvantaged } from './rewards/combine.ts';
import type { RlRollout } from './rl-records.ts';

export interface StepPrompts {
  readonly step: number; // 1-based
  readonly samples: readonly Sample[];
}

export interface StepRollouts extends StepPrompts {
  readonly rollouts: readonly RlRollout[];
  readonly rolloutMs: number;
}

export interface StepScored extends StepRollouts {
  readonly unadvantaged: readonly Unadvantaged[];
  readonly scoringMs: number;
}

export interface StepAdvantaged extends StepScored {
  readonly advantaged: AdvantagedStep;
}

export interface StepUpdated extends StepAdvantaged {
  readonly update: UpdateStats;
  readonly updateMs: number;
}
