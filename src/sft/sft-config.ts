/**
 * `asymflow sft` configuration (docs/architecture.md §8): one option table (src/options.ts) from which the config type, the
 * defaults, the checks and the flags derive; resolved once from the command's flags into typed values. The training defaults (lr, steps, batch, warmup) depend on the model size
 * and were chosen by measurement (docs/sft.md "SFT defaults"); the paper's lr 1e-6 is for a pretrained 2B model,
 * our models start from scratch.
 */
import { PRECISIONS, type Precision } from '../backend/precision.ts';
import { checks, ConfigError, settingChanges } from '../config.ts';
import { defaultsOf, option, resolveOptions, type ConfigOf } from '../options.ts';
import { evalSplitOption } from '../data/held-out.ts';
import { EVAL_MODES, type EvalModes } from '../eval/eval-record.ts';
import { MODEL_SIZES, type ModelSize } from '../model/config.ts';
import { TASK_NAMES } from '../tasks/registry.ts';
import { OBJECTIVE_RULE, toObjective, type SftObjective } from './objective-spec.ts';

/** Per-size training defaults, measured (docs/sft.md "SFT defaults"). */
export interface SizeDefaults {
  readonly lr: number;
  readonly steps: number;
  readonly batch: number;
  readonly warmupSteps: number;
}

/**
 * tiny: measured on CPU (bench/sft-lr.ts, docs/sft.md "SFT defaults"): after 40 steps of 8 the training loss is
 * 2.89 / 1.40 / 0.84 at lr 1e-3 / 3e-3 / 1e-2; batch 8 costs ~2.1 CPU-s a step (batch 4: ~1.1 s, the same per
 * sample), so 300 steps are ~10 CPU-minutes. small/base: lr scaled by 1/width from tiny's (d 64 → 256 → 512),
 * steps sized to the GPU (an sftStep of 32 is ~5 s on the H100 with tfjs-webgpu); not yet measured.
 */
export const SIZE_DEFAULTS: Readonly<Record<ModelSize, SizeDefaults>> = {
  tiny: { lr: 1e-2, steps: 300, batch: 8, warmupSteps: 20 },
  small: { lr: 2.5e-3, steps: 300, batch: 32, warmupSteps: 30 },
  base: { lr: 1.25e-3, steps: 300, batch: 32, warmupSteps: 30 },
};

/** `tiny 0.01, small 0.0025, base 0.00125`: a default that depends on --model. */
const perSize = (key: keyof SizeDefaults) =>
  Object.entries(SIZE_DEFAULTS)
    .map(([size, d]) => `${size} ${d[key]}`)
    .join(', ');

const readObjective = (v: unknown): SftObjective => {
  try {
    return toObjective(v);
  } catch {
    throw new Error(OBJECTIVE_RULE);
  }
};

/** Every `asymflow sft` setting once: default, check, help and flag (src/options.ts). */
export const SFT_OPTIONS = {
  task: option('gc', 'task: gc or sudoku', { value: 'name', check: checks.oneOf(TASK_NAMES) }),
  objective: option<SftObjective>({ kind: 'standard' }, 'standard, lambda:X (X in [0, 1]) or ngdiff', {
    value: 'o',
    read: readObjective,
    shownDefault: 'standard',
  }),
  model: option('tiny', 'model size: tiny, small or base (sets the lr/steps/batch/warmup defaults)', { value: 'size', check: checks.oneOf(MODEL_SIZES) }),
  steps: option(SIZE_DEFAULTS.tiny.steps, 'main-stage optimizer steps', { value: 'n', check: checks.positiveInt, shownDefault: perSize('steps') }),
  batch: option(SIZE_DEFAULTS.tiny.batch, 'samples per step', { value: 'b', check: checks.countUpTo(100_000), shownDefault: perSize('batch') }),
  lr: option(SIZE_DEFAULTS.tiny.lr, 'peak learning rate (AdamW; warmup, then cosine)', { value: 'lr', check: checks.positive, shownDefault: perSize('lr') }),
  warmupSteps: option(SIZE_DEFAULTS.tiny.warmupSteps, 'linear warmup steps', {
    value: 'n',
    check: checks.nonNegativeInt,
    shownDefault: perSize('warmupSteps'),
  }),
  minLrRatio: option(0.1, 'the cosine ends at this share of the peak lr', { value: 'r', check: checks.inRange(0, 1) }),
  weightDecay: option(0.01, 'AdamW decoupled weight decay', { value: 'wd', check: checks.inRange(0, 1e9) }),
  clipNorm: option(1, 'global gradient-norm clip of the update (0 = off; the NGDiff norms are taken before it)', {
    value: 'c',
    check: checks.inRange(0, 1e12),
  }),
  prePerceptionSteps: option(0, 'first train on <caption>p*</caption> alone for K steps', { value: 'k', check: checks.nonNegativeInt }),
  imageDropout: option(0, "share of training samples trained with the image withheld and the caption given (the self-reward's input)", {
    value: 'p',
    check: checks.inRange(0, 1),
  }),
  trainN: option(2000, "training samples (train_sft split, the paper's size), cycled in seeded epochs", { value: 'n', check: checks.countUpTo(10_000_000) }), // held in memory
  evalEvery: option(0, 'evaluate every E steps (0 = only at the end)', { value: 'e', check: checks.nonNegativeInt }),
  evalN: option(100, 'held-out samples per evaluation', { value: 'm', check: checks.countUpTo(1_000_000) }),
  evalSplit: evalSplitOption,
  evalMode: option<EvalModes>('both', 'e2e, counterfactual or both', { value: 'mode', check: checks.oneOf(EVAL_MODES) }),
  evalTemperature: option(0, 'evaluation sampling temperature (0 = greedy)', { value: 't', check: checks.inRange(0, 2) }),
  evalTopP: option(1, 'evaluation nucleus mass', { value: 'p', check: checks.aboveZeroToOne }),
  evalMaxTokens: option(0, 'longest evaluation response (0 = the longest training target + 8)', { value: 'm', check: checks.nonNegativeInt }),
  evalBatch: option(16, 'samples per evaluation sampling call', { value: 'b', check: checks.positiveInt }),
  checkpointEvery: option(100, 'checkpoint every C steps (0 = only at the end)', { value: 'c', check: checks.nonNegativeInt }),
  seed: option(0, 'data, initial weights and evaluation sampling seed', { value: 's', check: checks.seed }),
  bucket: option(64, 'pad prompt and response columns to multiples of N (few distinct shapes)', { value: 'n', check: checks.positiveInt }),
  backend: option('', 'tensorflow, webgpu, wasm or cpu (default: ASYMFLOW_BACKEND or auto)', { value: 'name' }),
  precision: option<Precision>(
    'fp32',
    'fp32, or mixed: f16 tensor-core matmuls with f32 accumulation, fp32 master weights and dynamic loss scaling (webgpu with subgroup matrices; else fp32 with one line saying why)',
    { value: 'p', check: checks.oneOf(PRECISIONS) },
  ),
  out: option('', 'the run directory', { value: 'dir' }),
  data: option('', 'a dataset directory from `asymflow gen` (default: generate the splits on the fly)', { value: 'dir' }),
  init: option('', 'start from the weights of this checkpoint or run directory (e.g. `asymflow pretrain`), with a fresh AdamW; default: fresh from --seed', {
    value: 'dir',
  }),
  record: option('', 'also record the per-step records to FILE', { value: 'file' }),
  stopAfter: option(0, 'stop after step K as if killed (for resume tests)', { value: 'k', check: checks.nonNegativeInt }),
  resume: option(false, 'continue the run in --out exactly from its last checkpoint', { check: checks.boolean }),
  overwrite: option(false, 'replace an existing sft run in --out (and --record FILE) instead of refusing', { check: checks.boolean }),
  plots: option(true, 'write DIR/plots/*.png at the end', { check: checks.boolean }),
};

export type SftConfig = ConfigOf<typeof SFT_OPTIONS>;
export const SFT_DEFAULTS: SftConfig = defaultsOf(SFT_OPTIONS);

/** What one run sets that a sweep sets per setting or for itself; the other options are the training ones both take. */
export const RUN_ONLY_KEYS: readonly (keyof SftConfig)[] = ['objective', 'out', 'stopAfter', 'resume', 'record', 'overwrite'];

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
  const config = resolveOptions('sft', SFT_OPTIONS, flags, defaultsFor(flags)); // the objective typed here, once
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

/** SFT's settingChanges (src/config.ts): the keys other than RESUMABLE_CHANGES that differ, as `key (saved → given)`. */
export function configChanges(saved: Readonly<Record<string, unknown>>, given: Readonly<Record<string, unknown>>, defaults: object = {}): string[] {
  return settingChanges(saved, given, RESUMABLE_CHANGES, defaults);
}
