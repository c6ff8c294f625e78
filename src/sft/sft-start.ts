/**
 * Where an SFT run starts: a fresh model and AdamW from --seed, or the checkpoint's — weights, optimizer
 * state, data RNG and progress — refused when the run's settings differ from those it was saved with.
 */
import { AdamW } from '../model/adamw.ts';
import { modelConfig, type ModelSize } from '../model/config.ts';
import { createVlm, disposeVlm, type Vlm } from '../model/vlm.ts';
import { Rng } from '../rng.ts';
import { loadSftCheckpoint, NO_PROGRESS, type SftIdentity, type SftProgress } from './sft-checkpoint.ts';
import { configChanges, SFT_DEFAULTS, totalSteps, type SftConfig } from './sft-config.ts';

export interface SftStart {
  readonly model: Vlm;
  readonly optimizer: AdamW;
  readonly dataRng: Rng;
  readonly progress: SftProgress;
}

/** The checkpoint's state in `checkpoints` (config.resume), else a fresh one from the seed. */
export async function startSft(config: SftConfig, identity: SftIdentity, checkpoints: string): Promise<SftStart> {
  if (config.resume) {
    const saved = await loadSftCheckpoint(checkpoints);
    const changed = [
      ...configChanges(saved.identity.config, identity.config, SFT_DEFAULTS),
      ...configChanges(saved.identity.taskOptions, identity.taskOptions).map((c) => `task option ${c}`),
      ...configChanges(saved.identity.modelOptions, identity.modelOptions).map((c) => `model option ${c}`),
    ];
    if (changed.length > 0) {
      saved.optimizer.dispose();
      disposeVlm(saved.model);
      throw new Error(`sft --resume: settings differ from the checkpoint's: ${changed.join(', ')}`);
    }
    return { model: saved.model, optimizer: saved.optimizer, dataRng: saved.dataRng, progress: saved.progress };
  }
  const model = createVlm(modelConfig(config.model as ModelSize, identity.modelOptions), config.seed);
  const optimizer = new AdamW(model.params, {
    lr: config.lr,
    warmupSteps: config.warmupSteps,
    totalSteps: totalSteps(config),
    minLrRatio: config.minLrRatio,
    weightDecay: config.weightDecay,
    clipNorm: config.clipNorm,
  });
  return { model, optimizer, dataRng: new Rng(config.seed).split('sft-data'), progress: NO_PROGRESS };
}
