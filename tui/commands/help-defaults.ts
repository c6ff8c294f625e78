/**
 * Option defaults in `--help`. Most verbs leave their options undefined in commander, so a config's
 * resolver owns the defaults (and `sft --resume` can tell a flag given from one left out); this appends
 * "(default: X)" from that same defaults object to each option's description instead.
 */
import type { Command } from 'commander';

/** A default as help shows it; undefined for none, auto or off. */
export function shownDefault(value: unknown): string | undefined {
  if (value === undefined || value === '' || value === false || value === null) return undefined; // none, auto or off
  if (value === true) return 'on';
  return String(value);
}

/** Appends each option's default from `defaults` (by its camelCase name); `text` overrides one key's text. */
export function describeDefaults(command: Command, defaults: object, text: Readonly<Record<string, string>> = {}): Command {
  for (const option of command.options) {
    if (option.defaultValue !== undefined || option.negate) continue; // commander prints its own defaults
    const key = option.attributeName();
    const value = text[key] ?? shownDefault((defaults as Record<string, unknown>)[key]);
    if (value !== undefined && !option.description.includes('(default')) option.description += ` (default: ${value})`;
  }
  return command;
}
