/**
 * An SFT run's checkpoint (DIR/checkpoints/): weights, AdamW state and RNG through src/model/checkpoint.ts,
 * plus what this run needs to continue exactly — the data cursor of each stage, the run's identity (config,
 * task and model options) to refuse a resume under different settings, and its progress so far (evaluation
 * history, trained tokens and time) so summary.json covers the whole run.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { AdamW } from '../model/adamw.ts';
import { withCaptionGrid } from '../model/caption-grid.ts';
import type { ModelSize } from '../model/config.ts';
import { loadCheckpoint, saveCheckpoint } from '../model/checkpoint.ts';
import type { Vlm } from '../model/vlm.ts';
import type { Rng } from '../rng.ts';
import type { Task, TaskOptions } from '../tasks/task.ts';
import { parseCursor, type DataCursor } from './data-cursor.ts';
import { upgradeSftIdentity, type SftIdentity } from './sft-identity.ts';

// Reading a run's identity needs no tensors; it lives apart so the CLI can check --resume without tfjs.
export { hasCheckpoint, readSftIdentity, type SftIdentity } from './sft-identity.ts';
import type { SftConfig } from './sft-config.ts';
import type { EvalPoint } from './sft-eval.ts';
import type { SftStage } from './step-record.ts';

/**
 * What a run is, for resuming and for keeping a finished sweep setting: the config, the task options, and the
 * model options with the task's caption grid filled in (caption-grid.ts).
 */
export function sftIdentity(
  config: SftConfig,
  task: Task,
  taskOptions?: Readonly<Record<string, unknown>>,
  modelOptions?: Readonly<Record<string, unknown>>,
): SftIdentity {
  return {
    config: { ...config },
    taskOptions: { ...(taskOptions ?? {}) },
    modelOptions: withCaptionGrid(task.captionGrid?.((taskOptions ?? {}) as TaskOptions), config.model as ModelSize, modelOptions ?? {}),
  };
}

export interface SftProgress {
  readonly cursors: Readonly<Record<SftStage, DataCursor>>;
  readonly evaluations: readonly EvalPoint[];
  readonly trainTokens: number; // response tokens trained on
  readonly trainSamples: number;
  readonly trainMs: number; // update wall time
}

export const NO_PROGRESS: SftProgress = {
  cursors: { perception: { epoch: 0, index: 0 }, main: { epoch: 0, index: 0 } },
  evaluations: [],
  trainTokens: 0,
  trainSamples: 0,
  trainMs: 0,
};

export interface SftCheckpoint {
  readonly model: Vlm;
  readonly optimizer: AdamW;
  readonly dataRng: Rng;
  readonly identity: SftIdentity;
  readonly progress: SftProgress;
}

/** The optimizer step a saved checkpoint reached: a resumed run redoes every step after it. */
export function savedStep(dir: string): number {
  const file = path.join(dir, 'checkpoint.json');
  const step = (JSON.parse(fs.readFileSync(file, 'utf8')) as { optimizer?: { step?: unknown } }).optimizer?.step;
  if (!Number.isInteger(step)) throw new Error(`${file}: no optimizer step to resume from`);
  return step as number;
}

export async function saveSftCheckpoint(dir: string, c: SftCheckpoint): Promise<void> {
  await saveCheckpoint(dir, {
    model: c.model,
    optimizer: c.optimizer,
    rngs: { data: c.dataRng },
    cursor: c.progress.cursors,
    metadata: { identity: c.identity, progress: { ...c.progress, cursors: undefined } },
  });
}

/** Loads and validates an SFT checkpoint; a missing or foreign one fails naming `dir`. */
export async function loadSftCheckpoint(dir: string): Promise<SftCheckpoint> {
  const where = path.join(dir, 'checkpoint.json');
  const loaded = await loadCheckpoint(dir);
  const fail = (what: string) => {
    loaded.optimizer?.dispose();
    throw new Error(`${where}: ${what}; not an asymflow sft checkpoint`);
  };
  const meta = loaded.metadata as { identity?: SftIdentity; progress?: Omit<SftProgress, 'cursors'> };
  if (!loaded.optimizer) fail('no optimizer state');
  if (!loaded.rngs.data) fail('no data RNG');
  if (!meta.identity?.config || !meta.progress) fail('no run identity or progress in its metadata');
  const cursors = loaded.cursor as Partial<Record<SftStage, unknown>> | null;
  const progress: SftProgress = {
    cursors: { perception: parseCursor(cursors?.perception, where), main: parseCursor(cursors?.main, where) },
    evaluations: meta.progress!.evaluations ?? [],
    trainTokens: meta.progress!.trainTokens ?? 0,
    trainSamples: meta.progress!.trainSamples ?? 0,
    trainMs: meta.progress!.trainMs ?? 0,
  };
  return { model: loaded.model, optimizer: loaded.optimizer!, dataRng: loaded.rngs.data, identity: upgradeSftIdentity(meta.identity!, where), progress };
}
