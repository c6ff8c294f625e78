/**
 * Task knobs on the command line: `--<task>.<key>=<value>` (or `--<task>.<key> <value>`), e.g.
 * `--gc.layout=spring`, `--sudoku.blanks=30`, plus `--input-size N` for the model-input side. Keys may be
 * camelCase or kebab-case; values are typed by the task's defaults; an unknown key names the known ones.
 */
import { ConfigError, resolveConfig } from '../../src/config.ts';
import { TASK_NAMES } from '../../src/tasks/registry.ts';
import type { Task, TaskOptions } from '../../src/tasks/task.ts';

const camel = (key: string) => key.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

/** Splits the words commander left unparsed into `task.key` → raw value pairs; anything else is an error. */
export function parseTaskFlags(verb: string, words: readonly string[]): Map<string, Record<string, string>> {
  const byTask = new Map<string, Record<string, string>>();
  for (let i = 0; i < words.length; i++) {
    const word = words[i];
    const match = /^--([a-z][a-z0-9_]*)\.([A-Za-z][A-Za-z0-9-]*)(?:=(.*))?$/s.exec(word);
    if (!match) throw new ConfigError(`${verb}: unexpected argument '${word}' (task options look like --gc.layout=spring)`);
    const [, task, key, inline] = match;
    if (!(TASK_NAMES as readonly string[]).includes(task)) throw new ConfigError(`${verb}: '${word}' names no task; known tasks: ${TASK_NAMES.join(', ')}`);
    let value = inline;
    if (value === undefined) {
      value = words[i + 1];
      if (value === undefined || value.startsWith('--')) throw new ConfigError(`${verb}: ${word} needs a value (--${task}.${key}=VALUE)`);
      i++;
    }
    const options = byTask.get(task) ?? {};
    options[camel(key)] = value;
    byTask.set(task, options);
  }
  return byTask;
}

/**
 * The options for `task` from its `--<task>.*` flags and `--input-size`, typed by the task's defaults.
 * Flags for another task are an error (they would silently do nothing).
 */
export function taskOptionsFor(verb: string, task: Task, flags: Map<string, Record<string, string>>, inputSize?: string): TaskOptions {
  for (const other of flags.keys()) {
    if (other !== task.name) throw new ConfigError(`${verb}: --${other}.* options given but --task is ${task.name}`);
  }
  const given: Record<string, string> = { ...(flags.get(task.name) ?? {}) };
  if (inputSize !== undefined) {
    if ('inputSize' in given) throw new ConfigError(`${verb}: give the input size once (--input-size or --${task.name}.inputSize)`);
    given.inputSize = inputSize;
  }
  const typed = resolveConfig(task.name, task.defaults as Record<string, unknown>, given); // types and unknown keys
  return Object.fromEntries(Object.keys(given).map((key) => [key, typed[key]])) as TaskOptions;
}
