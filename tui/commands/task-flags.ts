/**
 * Task knobs on the command line, one syntax for every verb: `--task-option KEY=VALUE` (repeatable, e.g.
 * `--task-option verbosity=1 --task-option layout=spring`). `--<task>.<key>=<value>` (e.g. `--gc.layout=spring`,
 * `--sudoku.blanks 30`) is an alias: the CLI rewrites it to `--task-option <task>.<key>=<value>` before parsing,
 * and a `<task>.` prefix must name the run's task. Keys may be camelCase or kebab-case.
 * One parse at the border (`readTaskOptions`): every verb turns its pairs into the task's typed options here,
 * each value typed by the task's own default (and unknown keys refused), so flows only ever see typed options.
 */
import { DEFAULT_HELD_OUT } from '../../src/data/held-out.ts';
import { ConfigError, resolveConfig } from '../../src/config.ts';
import { getTask, TASK_NAMES } from '../../src/tasks/registry.ts';
import type { TaskOptions } from '../../src/tasks/task.ts';

const camel = (key: string) => key.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
const ALIAS = /^--([a-z][a-z0-9_]*)\.([A-Za-z][A-Za-z0-9-]*)(?:=(.*))?$/s;
const TASK_PREFIX = /^([a-z][a-z0-9_]*)\.(.*)$/s;

/** Guesses a command-line value's type: numbers and booleans become such, the rest stays a string. */
function typed(raw: string): string | number | boolean {
  return raw === 'true' ? true : raw === 'false' ? false : raw.trim() !== '' && !Number.isNaN(Number(raw)) ? Number(raw) : raw;
}

/** `KEY=VALUE` strings split at the first `=`, keys camel-cased; a pair without a key is an error naming `flag`. */
function splitPairs(verb: string, flag: string, pairs: readonly string[]): [string, string][] {
  return pairs.map((pair) => {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new ConfigError(`${verb}: ${flag} must be KEY=VALUE, got '${pair}'`);
    return [camel(pair.slice(0, eq)), pair.slice(eq + 1)];
  });
}

/**
 * `--model-option KEY=VALUE` pairs; numbers and booleans are typed by their look (the model config then checks
 * each key and value against its own defaults: src/model/config.ts).
 */
export function parseOptionPairs(verb: string, flag: string, pairs: readonly string[]): Record<string, string | number | boolean> {
  return Object.fromEntries(splitPairs(verb, flag, pairs).map(([key, raw]) => [key, typed(raw)]));
}

/** The task a `<task>.` prefix names, or undefined for a bare pair (or a prefix that names no task). */
function prefixTask(pair: string): string | undefined {
  const dot = TASK_PREFIX.exec(pair);
  return dot && (TASK_NAMES as readonly string[]).includes(dot[1]) ? dot[1] : undefined;
}

/**
 * The one parse of task options: `--task-option` pairs (what the `--gc.key=value` alias becomes) and, for gen,
 * `--input-size` → the options for `taskName`, each typed by the task's default (heldOut: the split layer's
 * knob every task takes, src/data/held-out.ts). A `<task>.` prefix must name the run's task (an option for
 * another task would silently do nothing); with no task given (diagnose of a recording) the prefix names it.
 * Errors name the verb, or the task, the key and the value (`gc.maxNodes must be a number, got 'x'`).
 */
export async function readTaskOptions(verb: string, taskName: string | undefined, pairs: readonly string[], inputSize?: string): Promise<TaskOptions> {
  if (pairs.length === 0 && inputSize === undefined) return {};
  const named = pairs.map(prefixTask).find((t) => t !== undefined);
  const task = taskName || named;
  const bare = pairs.map((pair) => {
    const prefix = prefixTask(pair);
    if (prefix === undefined) return pair;
    if (prefix !== task) throw new ConfigError(`${verb}: --${prefix}.* options given but --task is ${task}`);
    return pair.slice(prefix.length + 1);
  });
  const given: Record<string, string> = Object.fromEntries(splitPairs(verb, '--task-option', bare));
  if (inputSize !== undefined) {
    if ('inputSize' in given) throw new ConfigError(`${verb}: give the input size once (--input-size or --task-option inputSize=N)`);
    given.inputSize = inputSize;
  }
  if (!task) throw new ConfigError(`${verb}: --task-option ${bare.join(' ')} needs --task (a task's options are typed by the task)`);
  const { name, defaults } = await getTask(task);
  // types and unknown keys, each error naming `<task>.<key>` and the value
  const resolved: Record<string, unknown> = resolveConfig(name, { ...defaults, heldOut: DEFAULT_HELD_OUT }, given);
  return Object.fromEntries(Object.keys(given).map((key) => [key, resolved[key]])) as TaskOptions;
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
 * The task knobs and their defaults for `--help` (a static text so help loads no task module; a test holds
 * it to the tasks' `defaults`).
 */
export const TASK_OPTION_HELP = `
Task options (--task-option KEY=VALUE, repeatable; alias --<task>.KEY=VALUE, e.g. --gc.layout=spring):
  gc      minNodes=7 maxNodes=9 edgeProb=0.35 layout=circle|spring (circle) verbosity=0..4 (2) inputSize=144 pngSize=448
  sudoku  blanks=20 verbosity=0..3 (2) inputSize=72 pngSize=448
  either  heldOut=500 (puzzles of each of test, val… that training avoids by content; 0: splits not kept apart)`;
