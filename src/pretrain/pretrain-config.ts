/**
 * `asymflow pretrain` configuration: one option table (src/options.ts). The training settings are SFT's own
 * (the stage runs on the SFT machinery, flows/sft-run.ts), minus what only post-training has (the objective,
 * the perception pre-stage, image dropout, --init); the stage adds its two kinds of rows and how they are
 * scheduled (docs/pretrain.md).
 */
import { checks, ConfigError } from '../config.ts';
import { MODEL_SIZES, type ModelSize } from '../model/config.ts';
import { defaultsOf, option, resolveOptions, type ConfigOf } from '../options.ts';
import { SFT_DEFAULTS, SFT_OPTIONS, SIZE_DEFAULTS, type SftConfig } from '../sft/sft-config.ts';
import type { TaskOptions } from '../tasks/task.ts';

export const SCHEDULES = ['mix', 'sequence'] as const;
export type Schedule = (typeof SCHEDULES)[number];

/** SFT settings that post-training alone has: the stage fixes them (sftShape). */
const POST_TRAINING_ONLY = ['objective', 'prePerceptionSteps', 'imageDropout', 'steps', 'trainN', 'init', 'data'] as const;
type Shared = Omit<typeof SFT_OPTIONS, (typeof POST_TRAINING_ONLY)[number]>;
const shared = Object.fromEntries(Object.entries(SFT_OPTIONS).filter(([key]) => !(POST_TRAINING_ONLY as readonly string[]).includes(key))) as Shared;

const readCaptionOptions = (v: unknown): TaskOptions => {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error('must be an object of task options');
  return v as TaskOptions;
};

export const PRETRAIN_OPTIONS = {
  ...shared,
  schedule: option<Schedule>(
    'mix',
    'mix: caption-steps + reasoning-steps steps on both kinds of rows shuffled together (in proportion caption-n : reasoning-n); sequence: the caption steps, then the reasoning steps',
    {
      value: 'name',
      check: checks.oneOf(SCHEDULES),
    },
  ),
  captionSteps: option(150, 'captioning steps (mix: added to the mixed stage)', { value: 'n', check: checks.nonNegativeInt }),
  reasoningSteps: option(150, 'caption-given reasoning steps (mix: added to the mixed stage)', {
    value: 'n',
    check: checks.nonNegativeInt,
  }),
  captionN: option(2000, 'captioning samples: renders of another distribution (--caption-option), cycled in seeded epochs', {
    value: 'n',
    check: checks.countUpTo(10_000_000),
  }),
  reasoningN: option(2000, "reasoning samples: the task's puzzles as text, the caption given, no image", { value: 'n', check: checks.countUpTo(10_000_000) }),
  /** The caption renders' task options over the default other distribution (src/pretrain/caption-distribution.ts). */
  captionOptions: option<TaskOptions>({}, 'task options of the captioning renders', { flag: false, read: readCaptionOptions }),
};

export type PretrainConfig = ConfigOf<typeof PRETRAIN_OPTIONS>;
export const PRETRAIN_DEFAULTS: PretrainConfig = defaultsOf(PRETRAIN_OPTIONS);

/** Keys a resumed run may change (as sft's: how it computes and where it logs, not what it trains). */
export const PRETRAIN_RUN_ONLY_KEYS: readonly (keyof PretrainConfig)[] = ['out', 'stopAfter', 'resume', 'record', 'overwrite'];

export const pretrainSteps = (c: Pick<PretrainConfig, 'captionSteps' | 'reasoningSteps'>): number => c.captionSteps + c.reasoningSteps;

export function resolvePretrainConfig(flags: Readonly<Record<string, unknown>>): PretrainConfig {
  const model = flags.model ?? PRETRAIN_DEFAULTS.model;
  if (typeof model !== 'string' || !(MODEL_SIZES as readonly string[]).includes(model)) {
    throw new ConfigError(`pretrain.model must be one of ${MODEL_SIZES.join(', ')}, got ${JSON.stringify(model)}`);
  }
  const { lr, batch, warmupSteps } = SIZE_DEFAULTS[model as ModelSize];
  const config = resolveOptions('pretrain', PRETRAIN_OPTIONS, flags, { ...PRETRAIN_DEFAULTS, lr, batch, warmupSteps, model });
  if (config.out === '') throw new ConfigError('pretrain.out is required: the run directory (--out DIR)');
  if (pretrainSteps(config) === 0) throw new ConfigError('pretrain.captionSteps and pretrain.reasoningSteps are both 0: nothing to train');
  if (config.stopAfter >= pretrainSteps(config)) {
    throw new ConfigError(`pretrain.stopAfter must be below the run's ${pretrainSteps(config)} steps (0 = off), got ${config.stopAfter}`);
  }
  return config;
}

/**
 * The stage as a run of the SFT machinery: token-mean cross-entropy (standard) on every row; with `sequence`
 * the caption rows are the perception pre-stage and the reasoning rows the main stage, with `mix` one main
 * stage on both (src/pretrain/pretrain-data.ts).
 */
export function sftShape(c: PretrainConfig): SftConfig {
  const sequence = c.schedule === 'sequence';
  const { schedule, captionSteps, reasoningSteps, captionN, reasoningN, captionOptions, ...rest } = c;
  void [schedule, captionN, captionOptions];
  return {
    ...SFT_DEFAULTS,
    ...rest,
    objective: { kind: 'standard' },
    prePerceptionSteps: sequence ? captionSteps : 0,
    steps: sequence ? reasoningSteps : captionSteps + reasoningSteps,
    trainN: reasoningN,
    imageDropout: 0,
    init: '',
    data: '',
  };
}
