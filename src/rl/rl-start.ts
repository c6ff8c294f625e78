/**
 * Where an RL run starts: the frozen reference always from --init (a checkpoint or a run directory); the
 * policy, AdamW and both RNG streams fresh from --init and --seed, or from the run's checkpoint with --resume
 * (src/rl/rl-checkpoint.ts) along with the step it reached and its progress.
 */
import { AdamW } from '../model/adamw.ts';
import { loadCheckpoint } from '../model/checkpoint.ts';
import { resolveCheckpointDir } from '../model/checkpoint-dir.ts';
import { copyWeights, createVlm, disposeVlm, type Vlm } from '../model/vlm.ts';
import { Rng } from '../rng.ts';
import { loadRlCheckpoint, type RlProgress, type RlRngs } from './rl-checkpoint.ts';
import { rlConfigChanges, type RlConfig } from './rl-config.ts';

export interface RlStart {
  readonly reference: Vlm; // frozen: the KL anchor and the reference log-probs
  readonly policy: Vlm;
  readonly optimizer: AdamW;
  readonly rngs: RlRngs;
  readonly step: number; // GRPO steps done (0 when fresh)
  readonly progress?: RlProgress; // a resumed run's progress so far
}

export async function startRl(config: RlConfig, checkpoints: string, resume: boolean): Promise<RlStart> {
  const init = await loadCheckpoint(resolveCheckpointDir(config.init)); // a run directory will do
  init.optimizer?.dispose();
  const reference = init.model;
  if (resume) {
    try {
      const saved = await loadRlCheckpoint(checkpoints);
      const changed = rlConfigChanges(saved.config as Record<string, unknown>, config);
      if (changed.length > 0) {
        saved.optimizer.dispose();
        disposeVlm(saved.model);
        throw new Error(`rl --resume: settings differ from the checkpoint's: ${changed.join(', ')}`);
      }
      return { reference, policy: saved.model, optimizer: saved.optimizer, rngs: saved.rngs, step: saved.step, progress: saved.progress };
    } catch (error) {
      disposeVlm(reference);
      throw error;
    }
  }
  const policy = createVlm(reference.config);
  copyWeights(reference, policy);
  const optimizer = new AdamW(policy.params, { lr: config.lr, warmupSteps: config.warmup, weightDecay: 0 });
  const root = new Rng(config.seed);
  return { reference, policy, optimizer, rngs: { rollout: root.split('rollout'), update: root.split('update') }, step: 0 };
}
