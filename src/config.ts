/**
 * Configuration (docs/architecture.md §8): one typed defaults object per component, merged once with overrides and
 * validated with exact messages. CLI flags map onto it by name (`--eval-n 64` → `evalN`); task knobs come as
 * `--task-option KEY=VALUE` (tui/commands/task-flags.ts). The training components declare each setting once in
 * an option table (src/options.ts) from which their type, defaults, checks and flags derive.
 */
import { clip, show } from './clip.ts';

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** A check returns undefined when the value is fine, else the reason (without the key or value). */
export type Check = (value: unknown) => string | undefined;
export type Checks<T> = { readonly [K in keyof T]?: Check };

/** The largest count any option takes: beyond it a typo (--steps 1e10) fails here, not as a crash hours in. */
export const MAX_COUNT = 1_000_000_000;

const atMost = (v: number, max: number) => (v <= max ? undefined : `must be at most ${max.toLocaleString('en-US')}`);

export const checks = {
  positiveInt: ((v) => (Number.isInteger(v) && (v as number) > 0 ? atMost(v as number, MAX_COUNT) : 'must be a positive integer')) as Check,
  nonNegativeInt: ((v) => (Number.isInteger(v) && (v as number) >= 0 ? atMost(v as number, MAX_COUNT) : 'must be a non-negative integer')) as Check,
  /** A count that lives in memory at once (samples held for training, a batch): a smaller ceiling. */
  countUpTo(max: number): Check {
    return (v) => (Number.isInteger(v) && (v as number) > 0 ? atMost(v as number, max) : 'must be a positive integer');
  },
  seed: ((v) => (Number.isSafeInteger(v) && (v as number) >= 0 ? undefined : 'must be a non-negative integer up to 2^53 − 1')) as Check,
  finite: ((v) => (typeof v === 'number' && Number.isFinite(v) ? undefined : 'must be a finite number')) as Check,
  positive: ((v) => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? undefined : 'must be a positive number')) as Check,
  inRange(lo: number, hi: number): Check {
    return (v) => (typeof v === 'number' && v >= lo && v <= hi ? undefined : `must be a number in [${lo}, ${hi}]`);
  },
  oneOf(options: readonly string[]): Check {
    return (v) => (typeof v === 'string' && options.includes(v) ? undefined : `must be one of ${options.join(', ')}`);
  },
  /** (0, 1]: a nucleus mass. */
  aboveZeroToOne: ((v) => (typeof v === 'number' && v > 0 && v <= 1 ? undefined : 'must be a number in (0, 1]')) as Check,
  boolean: ((v) => (typeof v === 'boolean' ? undefined : 'must be true or false')) as Check,
  string: ((v) => (typeof v === 'string' ? undefined : 'must be a string')) as Check,
};

/** Turns a CLI string into the type of the default it overrides. */
function coerce(component: string, key: string, value: unknown, like: unknown): unknown {
  if (typeof value !== 'string') return value;
  if (typeof like === 'number') {
    const n = Number(value);
    if (value.trim() === '' || Number.isNaN(n)) throw new ConfigError(`${component}.${key} must be a number, got '${clip(value)}'`);
    return n;
  }
  if (typeof like === 'boolean') {
    if (value === 'true') return true;
    if (value === 'false') return false;
    throw new ConfigError(`${component}.${key} must be true or false, got '${clip(value)}'`);
  }
  return value;
}

/**
 * Merges `overrides` onto `defaults` and validates every key. Unknown keys, values of the wrong type and
 * failed checks throw a ConfigError naming `component.key` and the offending value.
 */
export function resolveConfig<T extends object>(component: string, defaults: T, overrides: Readonly<Record<string, unknown>> = {}, rules: Checks<T> = {}): T {
  const merged: Record<string, unknown> = { ...(defaults as Record<string, unknown>) };
  for (const [key, raw] of Object.entries(overrides)) {
    if (raw === undefined) continue;
    if (!(key in merged)) {
      throw new ConfigError(`unknown option '${component}.${key}'; known: ${Object.keys(merged).join(', ')}`);
    }
    merged[key] = coerce(component, key, raw, merged[key]);
  }
  for (const [key, check] of Object.entries(rules) as [string, Check | undefined][]) {
    const problem = check?.(merged[key]);
    if (problem) throw new ConfigError(`${component}.${key} ${problem}, got ${show(merged[key])}`);
  }
  return merged as T;
}

/**
 * The keys (other than `resumable`: how a run computes, not what it trains) whose values differ between a
 * checkpoint's saved config and the given one, as `key (saved → given)`. `defaults`: a key the saved config lacks
 * (a setting added after its checkpoint was written) counts as its default there, so a checkpoint from before the
 * setting existed still resumes when the setting is left alone. One rule for every training flow's --resume.
 */
export function settingChanges(
  saved: Readonly<Record<string, unknown>>,
  given: Readonly<Record<string, unknown>>,
  resumable: readonly string[],
  defaults: object = {},
): string[] {
  const changed: string[] = [];
  for (const key of new Set([...Object.keys(saved), ...Object.keys(given)])) {
    if (resumable.includes(key)) continue;
    const before = key in saved ? saved[key] : (defaults as Record<string, unknown>)[key];
    if (JSON.stringify(before) !== JSON.stringify(given[key])) changed.push(`${key} (${JSON.stringify(before)} → ${JSON.stringify(given[key])})`);
  }
  return changed;
}
