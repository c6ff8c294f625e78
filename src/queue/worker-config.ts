/**
 * `asymflow worker` configuration (docs/architecture.md §8): one option table (src/options.ts) from which the config
 * type, defaults, checks and flags derive.
 */
import { checks, ConfigError } from '../config.ts';
import { option, resolveOptions, type ConfigOf } from '../options.ts';

/** Every `asymflow worker` setting once: default, check, help and flag (src/options.ts). */
export const WORKER_OPTIONS = {
  queue: option('', 'the Redis URL the coordinator enqueued on, redis://[:PASSWORD@]HOST:PORT', { value: 'url' }),
  slots: option(1, 'jobs at once on this machine (several runs share one GPU)', { value: 'k', check: checks.positiveInt }),
  backend: option('', 'auto, tensorflow, webgpu, wasm or cpu (default: what each job asks for)', { value: 'name' }),
  lockMs: option(30_000, 'a job whose worker is silent this long is re-queued', { value: 'ms', check: checks.positiveInt }),
  stalledCheckMs: option(30_000, 'how often to look for such jobs', { value: 'ms', check: checks.positiveInt }),
};

export type WorkerConfig = ConfigOf<typeof WORKER_OPTIONS>;

export function resolveWorkerConfig(flags: Readonly<Record<string, unknown>>): WorkerConfig {
  const config = resolveOptions('worker', WORKER_OPTIONS, flags);
  if (config.queue === '') throw new ConfigError('worker: --queue redis://HOST:PORT is required');
  return config;
}
