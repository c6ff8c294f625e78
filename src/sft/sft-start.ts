/**
 * Where an SFT run starts: a fresh model and AdamW from --seed; the weights of another run's checkpoint with
 * --init (e.g. `asymflow pretrain`'s) and a fresh AdamW; or the checkpoint's own state with --resume —
 * weights, optimizer state, data RNG and progress — refused when the run's settings differ from those it was
 * saved with.
 */
import { AdamW } from '../model/adamw.ts';
import { loadCheckpoint } from '../model/checkpoint.ts';
import { resolveCheckpointDir } from '../model/checkpoint-dir.ts';
import { modelConfig, type ModelConfig, type ModelSize } from '../model/config.ts';
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

/** Which verb runs on the SFT machinery (sft, pretrain) and the defaults its saved settings compare under. */
export interface StartOf {
  readonly verb: string;
  readonly defaults: object;
}

/** The checkpoint's state in `checkpoints` (config.resume), else a fresh one: weights from --init or the seed. */
export async function startSft(
  config: SftConfig,
  identity: SftIdentity,
  checkpoints: string,
  of: StartOf = { verb: 'sft', defaults: SFT_DEFAULTS },
): Promise<SftStart> {
  if (config.resume) {
    const saved = await loadSftCheckpoint(checkpoints);
    const changed = [
      ...configChanges(saved.identity.config, identity.config, of.defaults),
      ...configChanges(saved.identity.taskOptions, identity.taskOptions).map((c) => `task option ${c}`),
      ...configChanges(saved.identity.modelOptions, identity.modelOptions).map((c) => `model option ${c}`),
    ];
    if (changed.length > 0) {
      saved.optimizer.dispose();
      disposeVlm(saved.model);
      throw new Error(`${of.verb} --resume: settings differ from the checkpoint's: ${changed.join(', ')}`);
    }
    return { model: saved.model, optimizer: saved.optimizer, dataRng: saved.dataRng, progress: saved.progress };
  }
  const wanted = modelConfig(config.model as ModelSize, identity.modelOptions);
  const model = config.init === '' ? createVlm(wanted, config.seed) : await initialWeights(config.init, wanted, of.verb);
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

/** The weights of the checkpoint in `init` (a checkpoint or run directory), refused unless its model is `wanted`. */
async function initialWeights(init: string, wanted: ModelConfig, verb: string): Promise<Vlm> {
  const loaded = await loadCheckpoint(resolveCheckpointDir(init));
  loaded.optimizer?.dispose(); // a new run: its own AdamW moments and schedule
  const differ = (Object.keys(wanted) as (keyof ModelConfig)[]).filter((k) => loaded.model.config[k] !== wanted[k]);
  if (differ.length > 0) {
    disposeVlm(loaded.model);
    const shown = differ.map((k) => `${k} (checkpoint ${JSON.stringify(loaded.model.config[k])}, run ${JSON.stringify(wanted[k])})`);
    throw new Error(`${verb} --init ${init}: its model differs from the run's: ${shown.join(', ')}; give the --model and --model-option it was trained with`);
  }
  return loaded.model;
}
