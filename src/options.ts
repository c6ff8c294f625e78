/**
 * Option tables: a component's settings declared once — default, help, the flag's value name, its check and,
 * for a value richer than a number, string or boolean, how to read it — from which the component's type
 * (`ConfigOf`), defaults (`defaultsOf`), validation (`resolveOptions`, with messages naming `component.key` and
 * the bad value) and CLI flags with their help defaults (tui/commands/option-flags.ts) all derive.
 * Our own small table rather than a schema library: the flags, help text and per-size defaults need metadata
 * a validator does not carry, and the checks and their exact messages already exist (config.ts).
 */
import { clip, show } from './clip.ts';
import { ConfigError, resolveConfig, type Check } from './config.ts';

export interface OptionSpec<T> {
  readonly default: T;
  readonly help: string;
  /** The flag's value name (`n` → `--steps <n>`); without one a boolean is a switch (`--resume`, `--no-plots`). */
  readonly value?: string;
  /** The reason a value (already typed) is bad, or undefined. */
  readonly check?: Check;
  /**
   * The typed value from what a flag, a JSON config or an old checkpoint holds (e.g. `lambda:0.2` → an
   * objective); throws the reason (`must be …`). Without it a CLI string takes the default's type.
   */
  readonly read?: (raw: unknown) => T;
  /** false: set in code only, no flag. */
  readonly flag?: boolean;
  /** Help's default when it is not the value itself (e.g. one per model size); '' shows none. */
  readonly shownDefault?: string;
}

export type OptionTable = { readonly [key: string]: OptionSpec<unknown> };
export type ConfigOf<T extends OptionTable> = { readonly [K in keyof T]: T[K]['default'] };

/** One table entry; T is the default's type unless given (`option<Precision>('fp32', …)`). */
export function option<T>(value: T, help: string, more: Omit<Partial<OptionSpec<T>>, 'default' | 'help'> = {}): OptionSpec<T> {
  return { default: value, help, ...more };
}

export function defaultsOf<T extends OptionTable>(table: T): ConfigOf<T> {
  return Object.fromEntries(Object.entries(table).map(([key, spec]) => [key, spec.default])) as ConfigOf<T>;
}

/** Reads `raw` with the option's `read`, naming the option and the value when it cannot. */
function readOption(component: string, key: string, spec: OptionSpec<unknown>, raw: unknown): unknown {
  try {
    return spec.read!(raw);
  } catch (error) {
    throw new ConfigError(`${component}.${key} ${(error as Error).message}, got ${typeof raw === 'string' ? JSON.stringify(clip(raw)) : show(raw)}`);
  }
}

/**
 * Overrides (CLI strings or typed values) merged onto `defaults` (the table's unless given, e.g. per-size
 * ones), each read and checked; unknown keys, bad types and failed checks throw a ConfigError.
 */
export function resolveOptions<T extends OptionTable>(
  component: string,
  table: T,
  overrides: Readonly<Record<string, unknown>> = {},
  defaults: ConfigOf<T> = defaultsOf(table),
): ConfigOf<T> {
  const read: Record<string, unknown> = {};
  for (const [key, raw] of Object.entries(overrides)) {
    const spec = table[key];
    read[key] = spec?.read && raw !== undefined ? readOption(component, key, spec, raw) : raw;
  }
  const checks = Object.fromEntries(
    Object.entries(table)
      .filter(([, spec]) => spec.check)
      .map(([key, spec]) => [key, spec.check]),
  );
  return resolveConfig(component, defaults as Record<string, unknown>, read, checks) as ConfigOf<T>;
}
