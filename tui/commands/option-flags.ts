/**
 * CLI flags from an option table (src/options.ts): `evalN` → `--eval-n <m>` with the table's help and
 * "(default: X)". No commander defaults: the config's resolver owns them (and `sft --resume` must tell a
 * flag given from one left out). A boolean without a value name is a switch: `--resume`, or `--no-plots`
 * when it defaults to on.
 */
import type { Command } from 'commander';
import type { OptionSpec, OptionTable } from '../../src/options.ts';

/** A default as help shows it; undefined for none, auto or off. */
export function shownDefault(value: unknown): string | undefined {
  if (value === undefined || value === '' || value === false || value === null) return undefined; // none, auto or off
  if (value === true) return 'on';
  return String(value);
}

const kebab = (key: string) => key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

export interface FlagChoice {
  /** Only these keys (in this order); default: every key with a flag, in table order. */
  readonly keys?: readonly string[];
  readonly omit?: readonly string[];
  /** Keys whose flag must be given (commander refuses the command without it). */
  readonly required?: readonly string[];
  /** Help text for this command in place of the table's. */
  readonly help?: Readonly<Record<string, string>>;
}

function flagOf(key: string, spec: OptionSpec<unknown>): string {
  if (typeof spec.default === 'boolean' && spec.value === undefined) return spec.default ? `--no-${kebab(key)}` : `--${kebab(key)}`;
  return `--${kebab(key)} <${spec.value ?? 'value'}>`;
}

function describe(spec: OptionSpec<unknown>, help: string): string {
  const shown = spec.shownDefault ?? shownDefault(spec.default);
  return shown === undefined || shown === '' || spec.default === true ? help : `${help} (default: ${shown})`;
}

/** Adds the table's flags to `command`. */
export function addOptionFlags(command: Command, table: OptionTable, choice: FlagChoice = {}): Command {
  const keys = choice.keys ?? Object.keys(table);
  for (const key of keys) {
    const spec = table[key];
    if (!spec) throw new Error(`addOptionFlags: no option '${key}' in the table`);
    if (spec.flag === false || choice.omit?.includes(key)) continue;
    const text = describe(spec, choice.help?.[key] ?? spec.help);
    if (choice.required?.includes(key)) command.requiredOption(flagOf(key, spec), text);
    else command.option(flagOf(key, spec), text);
  }
  return command;
}
