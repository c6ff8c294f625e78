/**
 * `asymflow rl` configuration (DESIGN §5, §8): one defaults object, merged once with the command's flags and
 * validated with exact messages. Small-model defaults (lr, group, max tokens) were chosen by measurement on
 * the CPU `tiny` model (README "RL"); the paper's are lr 1e-6, KL 0.01, 128 prompts, 100 steps.
 */
import { checks, ConfigError, resolveConfig, type Checks } from '../config.ts';
import { EVAL_SPLITS, SCOUTING_SPLIT, type EvalSplit } from '../data/held-out.ts';
import { TASK_NAMES } from '../tasks/registry.ts';
import { parseRewardSpec } from './reward-spec.ts';

export interface RlConfig {
  readonly task: string;
  readonly init: string; // checkpoint directory the policy and the frozen reference start from
  readonly alpha: number; // R = α·perception + (1−α)·a
  readonly reward: string; // see reward-spec.ts
  readonly embed: string; // encoder directory for --reward embed
  readonly tokenLambda: number; // RL token reweighting λ; −1 = off
  readonly steps: number;
  readonly prompts: number; // prompts per step
  readonly group: number; // G rollouts per prompt
  readonly lr: number;
  readonly warmup: number; // lr warmup steps
  readonly kl: number; // β of the k3 KL to the reference
  readonly clip: number; // ε_low
  readonly clipHigh: number; // ε_high
  readonly dualClip: number; // c
  readonly aggregation: string; // token-mean | seq-mean-token-mean
  readonly gspo: boolean;
  readonly epochs: number; // PPO epochs over one step's rollouts
  readonly miniBatches: number; // optimizer steps per epoch
  readonly microBatch: number; // rows per forward/backward pass (0 = whole mini-batch); bounds GPU memory
  readonly epsilon: number; // advantage std ε
  readonly temperature: number;
  readonly topP: number;
  readonly maxTokens: number;
  readonly rolloutBatch: number; // rows per sampling call
  readonly bucket: number; // prompt/response lengths are padded to multiples of this (few distinct shapes)
  readonly selfMaxTokens: number; // self-reward second hop
  readonly evalN: number; // held-out samples for the before/after evaluation (0 = skip)
  readonly evalSplit: EvalSplit; // val (scouting, the default) or test (the reported tables)
  readonly evalTemperature: number;
  readonly evalMaxTokens: number;
  readonly scoreThreads: number; // Piscina workers (0 = in-process)
  readonly checkpointEvery: number;
  readonly seed: number;
  readonly backend: string;
  readonly out: string;
  readonly resume: boolean;
  readonly overwrite: boolean; // replace an existing rl run in DIR (and --record FILE)
  readonly stopAfter: number; // stop (checkpointed) after this many steps of this invocation; 0 = run to --steps
  readonly record: string; // also record the rollout stream to this file ('' = only DIR/rollouts.msgpack)
}

export const RL_DEFAULTS: RlConfig = {
  task: 'gc',
  init: '',
  alpha: 0,
  reward: 'perception',
  embed: '',
  tokenLambda: -1,
  steps: 50,
  prompts: 16,
  group: 8,
  lr: 1e-4,
  warmup: 0,
  kl: 0.01,
  clip: 0.2,
  clipHigh: 0.2,
  dualClip: 3,
  aggregation: 'token-mean',
  gspo: false,
  epochs: 1,
  miniBatches: 1,
  microBatch: 0,
  epsilon: 1e-6,
  temperature: 1,
  topP: 1,
  maxTokens: 512,
  rolloutBatch: 64,
  bucket: 64,
  selfMaxTokens: 512,
  evalN: 100,
  evalSplit: SCOUTING_SPLIT,
  evalTemperature: 0.7,
  evalMaxTokens: 512,
  scoreThreads: 1,
  checkpointEvery: 10,
  seed: 0,
  backend: '',
  out: '',
  resume: false,
  overwrite: false,
  stopAfter: 0,
  record: '',
};

const unit = checks.inRange(0, 1);

const rules: Checks<RlConfig> = {
  task: checks.oneOf(TASK_NAMES),
  alpha: unit,
  reward: (v) => {
    try {
      parseRewardSpec(String(v));
      return undefined;
    } catch (e) {
      return `is invalid: ${(e as Error).message}`;
    }
  },
  tokenLambda: (v) => (v === -1 || (typeof v === 'number' && v >= 0 && v <= 1) ? undefined : 'must be -1 (off) or a number in [0, 1]'),
  steps: checks.positiveInt,
  prompts: checks.positiveInt,
  group: checks.positiveInt,
  lr: checks.positive,
  warmup: checks.nonNegativeInt,
  kl: checks.inRange(0, 1e6),
  clip: checks.inRange(0, 1),
  clipHigh: checks.inRange(0, 1e6),
  dualClip: (v) => (typeof v === 'number' && v > 1 ? undefined : 'must be a number > 1'),
  aggregation: checks.oneOf(['token-mean', 'seq-mean-token-mean']),
  gspo: checks.boolean,
  epochs: checks.positiveInt,
  miniBatches: checks.positiveInt,
  microBatch: checks.nonNegativeInt,
  epsilon: checks.positive,
  temperature: (v) => (typeof v === 'number' && v > 0 && v <= 2 ? undefined : 'must be a number in (0, 2] (GRPO needs sampling)'),
  topP: (v) => (typeof v === 'number' && v > 0 && v <= 1 ? undefined : 'must be a number in (0, 1]'),
  maxTokens: checks.positiveInt,
  rolloutBatch: checks.positiveInt,
  bucket: checks.positiveInt,
  selfMaxTokens: checks.positiveInt,
  evalN: checks.nonNegativeInt,
  evalSplit: checks.oneOf(EVAL_SPLITS),
  evalTemperature: checks.inRange(0, 2),
  evalMaxTokens: checks.positiveInt,
  scoreThreads: checks.nonNegativeInt,
  checkpointEvery: checks.positiveInt,
  seed: checks.seed,
  resume: checks.boolean,
  overwrite: checks.boolean,
  stopAfter: checks.nonNegativeInt,
  record: (v) => (typeof v === 'string' ? undefined : 'must be a file path'),
};

export function resolveRlConfig(flags: Readonly<Record<string, unknown>>): RlConfig {
  const config = resolveConfig('rl', RL_DEFAULTS, flags, rules);
  if (config.out === '') throw new ConfigError('rl.out is required: the run directory (--out DIR)');
  if (config.init === '') throw new ConfigError('rl.init is required: the checkpoint to start from (--init DIR)');
  const spec = parseRewardSpec(config.reward);
  if (spec.kind === 'outcome' && config.alpha !== 0) {
    throw new ConfigError(`rl.alpha must be 0 with rl.reward outcome (there is no perception term), got ${config.alpha}`);
  }
  if (spec.kind === 'embed' && config.embed === '') throw new ConfigError('rl.embed is required with rl.reward embed: the encoder directory (--embed DIR)');
  if (config.miniBatches > config.prompts * config.group) {
    throw new ConfigError(`rl.miniBatches (${config.miniBatches}) must not exceed the rollouts per step (prompts·group = ${config.prompts * config.group})`);
  }
  return config;
}
