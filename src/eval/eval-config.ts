/**
 * `asymflow eval` configuration (docs/architecture.md §8): one option table (src/options.ts) from which the config type,
 * defaults, checks and flags derive; resolved once from the command's flags. Sampling defaults are the paper's (temperature 0.7, top-p 1.0, 10,000 tokens).
 */
import { SCOUTING_SPLIT } from '../data/held-out.ts';
import { SPLITS } from '../data/split-sample.ts';
import { checks, ConfigError } from '../config.ts';
import { defaultsOf, option, resolveOptions, type ConfigOf } from '../options.ts';
import { PAPER_SAMPLING } from '../policy/policy.ts';
import { SEEDINGS, type Seeding } from '../policy/seeds.ts';
import { TASK_NAMES } from '../tasks/registry.ts';
import { EVAL_MODES, type EvalModes } from './eval-record.ts';

/** Every `asymflow eval` setting once: default, check, help and flag (src/options.ts). */
export const EVAL_OPTIONS = {
  task: option('gc', 'task: gc or sudoku', { value: 'name', check: checks.oneOf(TASK_NAMES) }),
  checkpoint: option('', 'our model: a checkpoint or a run directory', { value: 'dir' }),
  policy: option('tfjs', 'tfjs (our checkpoint) or openai (an OpenAI-compatible endpoint)', {
    value: 'kind',
    check: checks.oneOf(['tfjs', 'openai']),
    shownDefault: 'tfjs with --checkpoint, openai with --base-url',
  }),
  baseUrl: option('', 'openai: the endpoint, e.g. http://127.0.0.1:8000/v1', { value: 'url' }),
  model: option('', 'openai: the model name (default: the first of GET /v1/models)', { value: 'name' }),
  apiKeyEnv: option('OPENAI_API_KEY', 'openai: environment variable holding the API key', { value: 'var' }),
  image: option('png', 'openai: png (the dataset image) or pixels (the model input, for asymflow serve)', {
    value: 'source',
    check: checks.oneOf(['png', 'pixels']),
  }),
  split: option<string>(
    SCOUTING_SPLIT,
    'test, val, test_seen_glyphs (sudoku: new puzzles in the training handwriting), train_sft or train_rl; scouting evaluates on val, a reported table on test',
    { value: 'name', check: checks.oneOf(SPLITS) },
  ),
  views: option(true, "evaluate the task's extra test views on --split test (sudoku: test_seen_glyphs into DIR/test_seen_glyphs); --no-views: skip them", {
    check: checks.boolean,
  }),
  n: option(500, 'samples to evaluate', { value: 'count', check: checks.positiveInt }),
  mode: option<EvalModes>('both', 'e2e, counterfactual or both', { value: 'mode', check: checks.oneOf(EVAL_MODES) }),
  temperature: option(PAPER_SAMPLING.temperature, 'sampling temperature (paper: 0.7)', { value: 't', check: checks.inRange(0, 2) }),
  topP: option(PAPER_SAMPLING.topP, 'nucleus mass (paper: 1.0)', { value: 'p', check: checks.aboveZeroToOne }),
  maxTokens: option(PAPER_SAMPLING.maxTokens, 'longest response (paper: 10000; our models cap it at their context)', { value: 'm', check: checks.positiveInt }),
  completions: option(1, 'completions per sample and mode', { value: 'k', check: checks.positiveInt }),
  seed: option(0, 'data and sampling seed', { value: 's', check: checks.seed }),
  out: option('', 'the run directory', { value: 'dir' }),
  data: option('', 'a dataset directory (default: generate the split on the fly)', { value: 'dir' }),
  record: option('', 'also record the scored records to FILE', { value: 'file' }),
  overwrite: option(false, 'replace an existing eval run in --out (and --record FILE)', { check: checks.boolean }),
  concurrency: option(8, 'policy calls in flight (openai: requests in flight)', { value: 'k', check: checks.positiveInt }),
  batchSize: option(8, 'samples per policy call', { value: 'b', check: checks.positiveInt }),
  timeoutMs: option(600_000, 'openai: per-request timeout', { value: 'ms', check: checks.positive }),
  retries: option(4, 'openai: retries per request', { value: 'r', check: checks.nonNegativeInt }),
  backend: option('', 'tfjs: tensorflow, webgpu, wasm or cpu (default: ASYMFLOW_BACKEND or auto)', { value: 'name' }),
  seeding: option<Seeding>('per-batch', 'tfjs at temperature > 0: per-batch (fast) or per-sample (same sample whatever the batch)', {
    value: 'mode',
    check: checks.oneOf(SEEDINGS),
  }),
};

export type EvalConfig = ConfigOf<typeof EVAL_OPTIONS>;
export const EVAL_DEFAULTS: EvalConfig = defaultsOf(EVAL_OPTIONS);

export function resolveEvalConfig(flags: Readonly<Record<string, unknown>>): EvalConfig {
  const config = resolveOptions('eval', EVAL_OPTIONS, flags);
  if (config.out === '') throw new ConfigError('eval.out is required: the run directory (--out DIR)');
  if (config.policy === 'tfjs' && config.checkpoint === '') {
    throw new ConfigError('eval needs --checkpoint DIR (our model) or --policy openai --base-url URL (an endpoint)');
  }
  if (config.policy === 'openai' && config.baseUrl === '') throw new ConfigError('eval.baseUrl is required with --policy openai (--base-url URL)');
  if (config.policy === 'openai' && config.checkpoint !== '') throw new ConfigError('eval: --checkpoint and --policy openai exclude each other');
  return config;
}
