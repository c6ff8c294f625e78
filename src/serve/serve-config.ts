/**
 * `asymflow serve` configuration (docs/architecture.md §8): one option table (src/options.ts) from which the config
 * type, defaults, checks and flags derive. Light on purpose: `serve --help` loads no tfjs.
 */
import { checks, ConfigError } from '../config.ts';
import { option, resolveOptions, type ConfigOf } from '../options.ts';
import { SEEDINGS, type Seeding } from '../policy/seeds.ts';

/** Every `asymflow serve` setting once: default, check, help and flag (src/options.ts). */
export const SERVE_OPTIONS = {
  checkpoint: option('', 'a checkpoint or a run directory', { value: 'dir' }),
  port: option(8000, 'TCP port (0 = any free one)', {
    value: 'port',
    check: (v) => (Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 65535 ? undefined : 'must be an integer in [0, 65535]'),
  }),
  host: option('127.0.0.1', 'interface to listen on', { value: 'host' }),
  name: option('', 'the model id clients ask for (default: the run directory name)', { value: 'model' }),
  maxBatch: option(16, 'rows per sampling call', { value: 'b', check: checks.positiveInt }),
  batchWindowMs: option(5, 'how long to collect concurrent requests into one call', { value: 'ms', check: checks.nonNegativeInt }),
  backend: option('', 'tensorflow, webgpu, wasm or cpu (default: ASYMFLOW_BACKEND or auto)', { value: 'name' }),
  seeding: option<Seeding>(
    'per-sample',
    'temperature > 0: per-sample (a request samples the same from its seed whatever shares its batch, as vLLM) or per-batch (the batch draws from one stream)',
    { value: 'mode', check: checks.oneOf(SEEDINGS) },
  ),
};

export type ServeConfig = ConfigOf<typeof SERVE_OPTIONS>;

export function resolveServeConfig(flags: Readonly<Record<string, unknown>>): ServeConfig {
  const config = resolveOptions('serve', SERVE_OPTIONS, flags);
  if (config.checkpoint === '') throw new ConfigError('serve.checkpoint is required: a checkpoint or a run directory (--checkpoint DIR)');
  return config;
}
