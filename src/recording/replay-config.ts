/**
 * `asymflow replay` configuration (docs/architecture.md §8): one option table (src/options.ts) from which the
 * config type, defaults, checks and flags derive. Light on purpose: `replay --help` loads no msgpackr or ink.
 */
import { ConfigError } from '../config.ts';
import { option, resolveOptions, type ConfigOf } from '../options.ts';

function readSpeed(raw: unknown): number {
  const speed = Number(raw);
  if (!(typeof raw === 'number' || (typeof raw === 'string' && raw.trim() !== '')) || !(Number.isFinite(speed) && speed > 0)) {
    throw new Error('must be a positive number');
  }
  return speed;
}

/** Every `asymflow replay` setting once: default, check, help and flag (src/options.ts). */
export const REPLAY_OPTIONS = {
  jsonl: option(false, 'print one JSON object per record (typed arrays as arrays)'),
  dashboard: option(false, 're-play a metrics recording on the dashboard'),
  speed: option<number | undefined>(undefined, 'pace records by their time field at this many times real speed', { value: 'x', read: readSpeed }),
};

export type ReplayConfig = ConfigOf<typeof REPLAY_OPTIONS>;

export function resolveReplayConfig(flags: Readonly<Record<string, unknown>>): ReplayConfig {
  const config = resolveOptions('replay', REPLAY_OPTIONS, flags);
  if (config.jsonl && config.dashboard) throw new ConfigError('replay: choose one of --jsonl and --dashboard');
  return config;
}
