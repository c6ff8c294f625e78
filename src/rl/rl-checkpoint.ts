/**
 * An RL run's checkpoint (DIR/checkpoints/latest), as src/sft/sft-checkpoint.ts is SFT's: weights, AdamW
 * state and both RNG streams (rollout, update) through src/model/checkpoint.ts, plus what the run needs to
 * continue exactly — the GRPO step done (the prompt cursor: step s samples prompts (s−1)·P …) and its progress
 * so far (the before-training figures and the running reward totals) so summary.json covers the whole run.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { AdamW } from '../model/adamw.ts';
import { loadCheckpoint, saveCheckpoint } from '../model/checkpoint.ts';
import { disposeVlm, type Vlm } from '../model/vlm.ts';
import type { Rng } from '../rng.ts';
import type { RewardTotalsState } from './reward-totals.ts';
import type { EvalFigures } from './rl-eval.ts';

export interface RlRngs {
  readonly rollout: Rng; // sampling
  readonly update: Rng; // mini-batch shuffles
}

export interface RlProgress {
  readonly before: EvalFigures | null; // the evaluation before training (null: --eval-n 0)
  readonly totals: RewardTotalsState;
}

export interface RlCheckpoint {
  readonly model: Vlm;
  readonly optimizer: AdamW;
  readonly rngs: RlRngs;
  readonly step: number; // GRPO steps done (an optimizer step count differs: epochs × mini-batches a step)
  readonly progress: RlProgress;
  readonly config: unknown; // the run's resolved RlConfig, kept for the record
}

/** The checkpoint directory of an RL run directory. */
export const rlCheckpointDir = (out: string): string => path.resolve(out, 'checkpoints', 'latest');

/** The GRPO step a saved checkpoint reached, read without loading tensors: a resumed run redoes every step after it. */
export function rlSavedStep(dir: string): number {
  const file = path.join(dir, 'checkpoint.json');
  const step = (JSON.parse(fs.readFileSync(file, 'utf8')) as { cursor?: { step?: unknown } }).cursor?.step;
  if (!Number.isInteger(step)) throw new Error(`${file}: no GRPO step to resume from; not an asymflow rl checkpoint`);
  return step as number;
}

export async function saveRlCheckpoint(dir: string, c: RlCheckpoint): Promise<void> {
  await saveCheckpoint(dir, {
    model: c.model,
    optimizer: c.optimizer,
    rngs: { rollout: c.rngs.rollout, update: c.rngs.update },
    cursor: { step: c.step },
    metadata: { before: c.progress.before, totals: c.progress.totals, config: c.config },
  });
}

/** Loads and validates an RL checkpoint; a missing or foreign one fails naming `dir`. */
export async function loadRlCheckpoint(dir: string): Promise<RlCheckpoint> {
  const where = path.join(dir, 'checkpoint.json');
  const loaded = await loadCheckpoint(dir);
  const fail = (what: string): never => {
    loaded.optimizer?.dispose();
    disposeVlm(loaded.model);
    throw new Error(`${where}: ${what}; not an asymflow rl checkpoint`);
  };
  const meta = loaded.metadata as { before?: EvalFigures | null; totals?: RewardTotalsState; config?: Record<string, unknown> };
  const step = (loaded.cursor as { step?: unknown } | null)?.step;
  if (!loaded.optimizer) fail('no optimizer state');
  if (!loaded.rngs.rollout || !loaded.rngs.update) fail('no rollout and update RNG streams');
  if (!Number.isInteger(step)) fail('no GRPO step');
  if (!meta.totals) fail('no reward totals in its metadata');
  return {
    model: loaded.model,
    optimizer: loaded.optimizer!,
    rngs: { rollout: loaded.rngs.rollout, update: loaded.rngs.update },
    step: step as number,
    progress: { before: meta.before ?? null, totals: meta.totals! },
    config: meta.config ?? {},
  };
}
