/**
 * `asymflow eval` configuration (DESIGN §8): one defaults object, merged once with the command's flags and
 * validated with exact messages. Sampling defaults are the paper's (temperature 0.7, top-p 1.0, 10,000 tokens).
 */
import { SCOUTING_SPLIT } from '../data/held-out.ts';
import { SPLITS } from '../data/split-sample.ts';
import { checks, ConfigError, resolveConfig, type Checks } from '../config.ts';
import { PAPER_SAMPLING } from '../policy/policy.ts';
import { TASK_NAMES } from '../tasks/registry.ts';
import { EVAL_MODES, type EvalModes } from './eval-record.ts';

export interface EvalConfig {
  readonly task: string;
  readonly policy: string; // 'tfjs' (our checkpoint) or 'openai' (an OpenAI-compatible endpoint)
  readonly checkpoint: string; // tfjs: checkpoint directory
  readonly baseUrl: string; // openai: e.g. http://127.0.0.1:8000/v1
  readonly model: string; // openai: model name ('' = first of GET /v1/models)
  readonly apiKeyEnv: string; // openai: environment variable holding the API key
  readonly image: string; // openai: 'png' (dataset image) or 'pixels' (model input, for asymflow serve)
  readonly split: string;
  readonly n: number; // samples
  readonly mode: EvalModes;
  readonly temperature: number;
  readonly topP: number;
  readonly maxTokens: number;
  readonly completions: number; // completions per sample and mode
  readonly seed: number;
  readonly out: string;
  readonly data: string; // a dataset directory ('' = generate the split on the fly)
  readonly record: string; // an extra recording of the scored records ('' = none)
  readonly overwrite: boolean; // replace an existing eval run in DIR (and --record FILE)
  readonly concurrency: number; // policy calls in flight (openai: also requests in flight)
  readonly batchSize: number; // samples per policy call
  readonly timeoutMs: number; // openai: per request
  readonly retries: number; // openai: per request
  readonly backend: string; // tfjs: backend request ('' = --backend/ASYMFLOW_BACKEND/auto)
  readonly seeding: string; // tfjs at temperature > 0: 'per-batch' (fast) or 'per-sample' (batch-invariant)
  readonly views: boolean; // on test: also evaluate the task's extra test views (Sudoku: test_seen_glyphs) into DIR/<view>
}

export const EVAL_DEFAULTS: EvalConfig = {
  task: 'gc',
  policy: 'tfjs',
  checkpoint: '',
  baseUrl: '',
  model: '',
  apiKeyEnv: 'OPENAI_API_KEY',
  image: 'png',
  split: SCOUTING_SPLIT, // scouting evaluates on val; pass --split test for a reported table
  n: 500,
  mode: 'both',
  temperature: PAPER_SAMPLING.temperature,
  topP: PAPER_SAMPLING.topP,
  maxTokens: PAPER_SAMPLING.maxTokens,
  completions: 1,
  seed: 0,
  out: '',
  data: '',
  record: '',
  overwrite: false,
  concurrency: 8,
  batchSize: 8,
  timeoutMs: 600_000,
  retries: 4,
  backend: '',
  seeding: 'per-batch',
  views: true,
};

const rules: Checks<EvalConfig> = {
  task: checks.oneOf(TASK_NAMES),
  policy: checks.oneOf(['tfjs', 'openai']),
  image: checks.oneOf(['png', 'pixels']),
  split: checks.oneOf(SPLITS),
  views: checks.boolean,
  n: checks.positiveInt,
  mode: checks.oneOf(EVAL_MODES),
  temperature: checks.inRange(0, 2),
  topP: (v) => (typeof v === 'number' && v > 0 && v <= 1 ? undefined : 'must be a number in (0, 1]'),
  maxTokens: checks.positiveInt,
  completions: checks.positiveInt,
  seed: checks.seed,
  concurrency: checks.positiveInt,
  batchSize: checks.positiveInt,
  timeoutMs: checks.positive,
  retries: checks.nonNegativeInt,
  seeding: checks.oneOf(['per-sample', 'per-batch']),
};

export function resolveEvalConfig(flags: Readonly<Record<string, unknown>>): EvalConfig {
  const config = resolveConfig('eval', EVAL_DEFAULTS, flags, rules);
  if (config.out === '') throw new ConfigError('eval.out is required: the run directory (--out DIR)');
  if (config.policy === 'tfjs' && config.checkpoint === '') {
    throw new ConfigError('eval needs --checkpoint DIR (our model) or --policy openai --base-url URL (an endpoint)');
  }
  if (config.policy === 'openai' && config.baseUrl === '') throw new ConfigError('eval.baseUrl is required with --policy openai (--base-url URL)');
  if (config.policy === 'openai' && config.checkpoint !== '') throw new ConfigError('eval: --checkpoint and --policy openai exclude each other');
  return config;
}
