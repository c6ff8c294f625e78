/**
 * `asymflow sft` configuration (DESIGN §8): one defaults object, merged once with the command's flags and
 * validated with exact messages. The training defaults (lr, steps, batch, warmup) depend on the model size
 * and were chosen by measurement (README "SFT defaults"); the paper's lr 1e-6 is for a pretrained 2B model,
 * our models start from scratch.
 */
import { PRECISIONS, type Precision } from '../model/tensor-cores.ts';
import { checks, ConfigError, resolveConfig, type Check, type Checks } from '../config.ts';
import { EVAL_SPLITS, SCOUTING_SPLIT, type EvalSplit } from '../data/held-out.ts';
import { EVAL_MODES, type EvalModes } from '../eval/eval-record.ts';
import { MODEL_SIZES, type ModelSize } from '../model/config.ts';
import { TASK_NAMES } from '../tasks/registry.ts';
import { toObjective, type SftObjective } from './objective-spec.ts';

export interface SftConfig {
  readonly task: string;
  readonly objective: SftObjective; // flags and old checkpoints say standard | lambda:X | ngdiff
  readonly model: string; // tiny | small | base
  readonly steps: number; // main-stage optimizer steps
  readonly batch: number; // samples per step
  readonly lr: number; // peak learning rate (AdamW, warmup then cosine to minLrRatio·lr over all steps)
  readonly warmupSteps: number;
  readonly minLrRatio: number;
  readonly weightDecay: number;
  readonly clipNorm: number; // global-norm clip of the update (the NGDiff norms are taken before it)
  readonly prePerceptionSteps: number; // steps of SFT on `<caption>p*</caption>` alone before the main stage
  readonly imageDropout: number; // share of training samples trained without the image, caption given (src/model/no-image.ts)
  readonly trainN: number; // training samples (the train_sft split), cycled in seeded epoch orders
  readonly evalEvery: number; // evaluate every E steps (0: only at the end)
  readonly evalN: number; // held-out samples per evaluation
  readonly evalSplit: EvalSplit; // the held-out split evaluated: val (scouting, the default) or test (the reported tables)
  readonly evalMode: EvalModes;
  readonly evalTemperature: number; // 0 = greedy
  readonly evalTopP: number;
  readonly evalMaxTokens: number; // 0 = the longest training target (the model cannot need more)
  readonly evalBatch: number; // samples per sampling call
  readonly checkpointEvery: number; // 0: only at the end
  readonly seed: number; // data, initial weights and evaluation sampling
  readonly bucket: number; // prompt/response columns are padded to multiples of this (few distinct shapes)
  readonly backend: string; // '' = ASYMFLOW_BACKEND, else auto
  readonly precision: Precision; // mixed: f16 tensor-core matmuls where the device has them (model/tensor-cores.ts)
  readonly out: string; // the run directory
  readonly data: string; // a dataset directory from `asymflow gen` ('' = generate the splits on the fly)
  readonly record: string; // an extra recording of the per-step records ('' = none)
  readonly stopAfter: number; // stop after this many steps as if killed (0 = off); for resume tests
  readonly resume: boolean; // continue DIR/checkpoints exactly
  readonly overwrite: boolean; // replace an existing sft run in DIR (and --record FILE)
  readonly plots: boolean; // write DIR/plots/*.png at the end
}


/** Per-size training defaults, measured (README "SFT defaults"). */
export interface SizeDefaults {
  readonly lr: number;
  readonly steps: number;
  readonly batch: number;
  readonly warmupSteps: number;
}

/**
 * tiny: measured on CPU (bench/sft-lr.ts, README "SFT defaults"): after 40 steps of 8 the training loss is
 * 2.89 / 1.40 / 0.84 at lr 1e-3 / 3e-3 / 1e-2; batch 8 costs ~2.1 CPU-s a step (batch 4: ~1.1 s, the same per
 * sample), so 300 steps are ~10 CPU-minutes. small/base: lr scaled by 1/width from tiny's (d 64 → 256 → 512),
 * steps sized to the GPU (an sftStep of 32 is ~5 s on the H100 with tfjs-webgpu); not yet measured.
 */
export const SIZE_DEFAULTS: Readonly<Record<ModelSize, SizeDefaults>> = {
  tiny: { lr: 1e-2, steps: 300, batch: 8, warmupSteps: 20 },
  small: { lr: 2.5e-3, steps: 300, batch: 32, warmupSteps: 30 },
  base: { lr: 1.25e-3, steps: 300, batch: 32, warmupSteps: 30 },
};

export const SFT_DEFAULTS: SftConfig = {
  task: 'gc',
  objective: { kind: 'standard' },
  model: 'tiny',
  ...SIZE_DEFAULTS.tiny,
  minLrRatio: 0.1,
  weightDecay: 0.01,
  clipNorm: 1,
  prePerceptionSteps: 0,
  imageDropout: 0,
  trainN: 2000, // the paper's train_sft size
  evalEvery: 0,
  evalN: 100,
  evalSplit: SCOUTING_SPLIT,
  evalMode: 'both',
  evalTemperature: 0,
  evalTopP: 1,
  evalMaxTokens: 0,
  evalBatch: 16,
  checkpointEvery: 100,
  seed: 0,
  bucket: 64,
  backend: '',
  precision: 'fp32',
  out: '',
  data: '',
  record: '',
  stopAfter: 0,
  resume: false,
  overwrite: false,
  plots: true,
};

const objectiveCheck: Check = (v) => {
  try {
    toObjective(v);
    return undefined;
  } catch {
    return 'must be standard, lambda:X with X in [0, 1], or ngdiff';
  }
};

const rules: Checks<SftConfig> = {
  task: checks.oneOf(TASK_NAMES),
  objective: objectiveCheck,
  model: checks.oneOf(MODEL_SIZES),
  steps: checks.positiveInt,
  batch: checks.countUpTo(100_000),
  lr: checks.positive,
  warmupSteps: checks.nonNegativeInt,
  minLrRatio: checks.inRange(0, 1),
  weightDecay: checks.inRange(0, 1e9),
  clipNorm: checks.inRange(0, 1e12),
  prePerceptionSteps: checks.nonNegativeInt,
  imageDropout: checks.inRange(0, 1),
  trainN: checks.countUpTo(10_000_000), // held in memory as training rows
  evalEvery: checks.nonNegativeInt,
  evalN: checks.countUpTo(1_000_000),
  evalSplit: checks.oneOf(EVAL_SPLITS),
  evalMode: checks.oneOf(EVAL_MODES),
  evalTemperature: checks.inRange(0, 2),
  evalTopP: (v) => (typeof v === 'number' && v > 0 && v <= 1 ? undefined : 'must be a number in (0, 1]'),
  evalMaxTokens: checks.nonNegativeInt,
  evalBatch: checks.positiveInt,
  checkpointEvery: checks.nonNegativeInt,
  seed: checks.seed,
  bucket: checks.positiveInt,
  precision: checks.oneOf(PRECISIONS),
  stopAfter: checks.nonNegativeInt,
  resume: checks.boolean,
  overwrite: checks.boolean,
  plots: checks.boolean,
};

/** The size's defaults under the common ones; the size itself is validated first (its defaults depend on it). */
function defaultsFor(flags: Readonly<Record<string, unknown>>): SftConfig {
  const model = flags.model ?? SFT_DEFAULTS.model;
  if (typeof model !== 'string' || !(MODEL_SIZES as readonly string[]).includes(model)) {
    throw new ConfigError(`sft.model must be one of ${MODEL_SIZES.join(', ')}, got ${JSON.stringify(model)}`);
  }
  return { ...SFT_DEFAULTS, ...SIZE_DEFAULTS[model as ModelSize], model };
}

/** Total optimizer steps of a run: the perception pre-stage, then the main stage. */
export const totalSteps = (c: Pick<SftConfig, 'steps' | 'prePerceptionSteps'>): number => c.prePerceptionSteps + c.steps;

export function resolveSftConfig(flags: Readonly<Record<string, unknown>>): SftConfig {
  const resolved = resolveConfig('sft', defaultsFor(flags), flags, rules);
  const config: SftConfig = { ...resolved, objective: toObjective(resolved.objective) }; // typed here, once
  if (config.out === '') throw new ConfigError('sft.out is required: the run directory (--out DIR)');
  if (config.stopAfter >= totalSteps(config)) {
    throw new ConfigError(`sft.stopAfter must be below the run's ${totalSteps(config)} steps (0 = off), got ${config.stopAfter}`);
  }
  return config;
}

/**
 * Keys a resumed run may change: they do not touch the weights. Anything else differing from the
 * checkpoint's config would make the continuation a different run, so `--resume` refuses it.
 */
// backend and precision are how a run computes (like the device), not what it trains: a run may move between them.
export const RESUMABLE_CHANGES: readonly (keyof SftConfig)[] = ['stopAfter', 'resume', 'overwrite', 'record', 'backend', 'precision', 'out', 'plots'];

/**
 * The keys (other than RESUMABLE_CHANGES) whose values differ between two configs, as `key (saved → given)`.
 * `defaults`: a key the saved config lacks (a setting added after its checkpoint was written) counts as its
 * default there, so a checkpoint from before the setting existed still resumes when the setting is left alone.
 */
export function configChanges(saved: Readonly<Record<string, unknown>>, given: Readonly<Record<string, unknown>>,
  defaults: object = {}): string[] {
  const changed: string[] = [];
  for (const key of new Set([...Object.keys(saved), ...Object.keys(given)])) {
    if ((RESUMABLE_CHANGES as readonly string[]).includes(key)) continue;
    const before = key in saved ? saved[key] : (defaults as Record<string, unknown>)[key];
    if (JSON.stringify(before) !== JSON.stringify(given[key])) changed.push(`${key} (${JSON.stringify(before)} → ${JSON.stringify(given[key])})`);
  }
  return changed;
}
