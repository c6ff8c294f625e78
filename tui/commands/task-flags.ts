/**
 * Task knobs on the command line, one syntax for every verb: `--task-option KEY=VALUE` (repeatable, e.g.
 * `--task-option verbosity=1 --task-option layout=spring`). `--<task>.<key>=<value>` (e.g. `--gc.layout=spring`,
 * `--sudoku.blanks 30`) is an alias: the CLI rewrites it to `--task-option <task>.<key>=<value>` before parsing,
 * and a `<task>.` prefix must name the run's task. Keys may be camelCase or kebab-case; the task validates keys
 * and values (an unknown key names the known ones).
 */
import { DEFAULT_HELD_OUT } from '../../src/data/held-out.ts';
import { ConfigError, resolveConfig } from '../../src/config.ts';
import { TASK_NAMES } from '../../src/tasks/registry.ts';
import type { Task, TaskOptions } from '../../src/tasks/task.ts';

const camel = (key: string) => key.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
const ALIAS = /^--([a-z][a-z0-9_]*)\.([A-Za-z][A-Za-z0-9-]*)(?:=(.*))?$/s;

/** Types a command-line value: numbers and booleans become such, the rest stays a string. */
function typed(raw: string): string | number | boolean {
  return raw === 'true' ? true : raw === 'false' ? false : raw.trim() !== '' && !Number.isNaN(Number(raw)) ? Number(raw) : raw;
}

/** `KEY=VALUE` pairs; numbers and booleans are typed (the task or model config validates them). */
export function parseOptionPairs(verb: string, flag: string, pairs: readonly string[]): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new ConfigError(`${verb}: ${flag} must be KEY=VALUE, got '${pair}'`);
    out[camel(pair.slice(0, eq))] = typed(pair.slice(eq + 1));
  }
  return out;
}

/**
 * `--task-option` pairs → task options. A `<task>.` prefix (what the `--gc.key=value` alias becomes) is
 * dropped after checking it names `task` (when known): an option for another task would silently do nothing.
 */
export function parseTaskOptions(pairs: readonly string[], verb = 'eval', task?: string): TaskOptions {
  const bare = pairs.map((pair) => {
    const dot = /^([a-z][a-z0-9_]*)\.(.*)$/s.exec(pair);
    if (!dot || !(TASK_NAMES as readonly string[]).includes(dot[1])) return pair;
    if (task !== undefined && task !== '' && dot[1] !== task) throw new ConfigError(`${verb}: --${dot[1]}.* options given but --task is ${task}`);
    return dot[2];
  });
  return parseOptionPairs(verb, '--task-option', bare) as TaskOptions;
}

/**
 * The alias at `words[i]` as a `<task>.<key>=<value>` pair and the index after it, or undefined when the word
 * is no alias; a malformed alias (unknown task, missing value) is an error.
 */
function aliasAt(words: readonly string[], i: number): { pair: string; next: number } | undefined {
  const match = ALIAS.exec(words[i]);
  if (!match) return undefined;
  const [word, task, key, inline] = match;
  if (!(TASK_NAMES as readonly string[]).includes(task)) throw new ConfigError(`'${word}' names no task; known tasks: ${TASK_NAMES.join(', ')}`);
  if (inline !== undefined) return { pair: `${task}.${camel(key)}=${inline}`, next: i + 1 };
  const value = words[i + 1];
  if (value === undefined || value.startsWith('--')) throw new ConfigError(`${word} needs a value (--${task}.${key}=VALUE)`);
  return { pair: `${task}.${camel(key)}=${value}`, next: i + 2 };
}

/**
 * Rewrites the alias `--<task>.<key>=<value>` / `--<task>.<key> <value>` in argv to `--task-option
 * <task>.<key>=<value>`; every other word passes through (commander reports unknown options itself).
 */
export function expandTaskOptionAliases(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length;) {
    if (argv[i] === '--') return [...out, ...argv.slice(i)]; // operands after `--` are never options
    const alias = aliasAt(argv, i);
    if (alias) out.push('--task-option', alias.pair);
    else out.push(argv[i]);
    i = alias ? alias.next : i + 1;
  }
  return out;
}

/** Alias words (`--gc.layout=spring`, …) as `--task-option` pairs; any other word is an error. */
export function aliasPairs(verb: string, words: readonly string[]): string[] {
  const pairs: string[] = [];
  for (let i = 0; i < words.length;) {
    const alias = aliasAt(words, i);
    if (!alias) throw new ConfigError(`${verb}: unexpected argument '${words[i]}' (task options look like --task-option layout=spring or --gc.layout=spring)`);
    pairs.push(alias.pair);
    i = alias.next;
  }
  return pairs;
}

/**
 * The options for `task` from `--task-option` pairs and `--input-size`, typed by the task's defaults (gen
 * writes them into the shard header, so `8` must be the number the task's default is).
 */
export function taskOptionsFor(verb: string, task: Task, pairs: readonly string[], inputSize?: string): TaskOptions {
  const given: Record<string, string> = {};
  for (const [key, value] of Object.entries(parseTaskOptions(pairs, verb, task.name))) given[key] = String(value);
  if (inputSize !== undefined) {
    if ('inputSize' in given) throw new ConfigError(`${verb}: give the input size once (--input-size or --task-option inputSize=N)`);
    given.inputSize = inputSize;
  }
  // types and unknown keys; heldOut is the split layer's knob every task takes (src/data/held-out.ts)
  const resolved: Record<string, unknown> = resolveConfig(task.name, { ...(task.defaults as Record<string, unknown>), heldOut: DEFAULT_HELD_OUT }, given);
  return Object.fromEntries(Object.keys(given).map((key) => [key, resolved[key]])) as TaskOptions;
}

/**
 * The task knobs and their defaults for `--help` (a static text so help loads no task module; a test holds
 * it to the tasks' `defaults`).
 */
export const TASK_OPTION_HELP = `
Task options (--task-option KEY=VALUE, repeatable; alias --<task>.KEY=VALUE, e.g. --gc.layout=spring):
  gc      minNodes=7 maxNodes=9 edgeProb=0.35 layout=circle|spring (circle) verbosity=0..4 (2) inputSize=144 pngSize=448
  sudoku  blanks=20 verbosity=0..3 (2) inputSize=72 pngSize=448
  either  heldOut=500 (puzzles of each of test, val… that training avoids by content; 0: splits not kept apart)`;
