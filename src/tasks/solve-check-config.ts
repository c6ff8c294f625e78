/**
 * `asymflow solve` and `asymflow check` configuration (docs/architecture.md §8): one option table
 * (src/options.ts) from which the config type, defaults, checks and flags derive.
 */
import { checks } from '../config.ts';
import { option, resolveOptions, type ConfigOf } from '../options.ts';
import { isTaskName, TASK_NAMES } from './registry.ts';
import { SOLVE_BUDGET_MS, type SolveCheckVerb } from './solve-check.ts';
import type { TaskName } from './task.ts';

/** Every `asymflow solve` / `check` setting once: default, check, help and flag (src/options.ts). */
export const SOLVE_CHECK_OPTIONS = {
  task: option('', 'gc or sudoku', { value: 'name', check: checks.oneOf(TASK_NAMES) }),
  budgetMs: option(SOLVE_BUDGET_MS, 'solve: time allowed per line before it answers an error', {
    value: 'ms',
    check: (v) => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? undefined : 'must be a positive number of milliseconds'),
  }),
};

/** The table's config with the task known to be one (its check saw to that). */
export type SolveCheckConfig = Omit<ConfigOf<typeof SOLVE_CHECK_OPTIONS>, 'task'> & { readonly task: TaskName };

/** The verb's settings, named `solve.task`, `check.budgetMs`… in messages. */
export function resolveSolveCheckConfig(verb: SolveCheckVerb, flags: Readonly<Record<string, unknown>>): SolveCheckConfig {
  const config = resolveOptions(verb, SOLVE_CHECK_OPTIONS, flags);
  const task = config.task;
  if (!isTaskName(task)) throw new Error(`${verb}.task: not a task after its check`); // the type's narrowing; the check throws first
  return { ...config, task };
}
