/** Task registry: the one place that maps a task name to its module. */
import type { Task, TaskName } from './task.ts';

const tasks = new Map<TaskName, () => Promise<Task>>([
  ['gc', async () => (await import('./gc/index.ts')).gcTask],
  ['sudoku', async () => (await import('./sudoku/index.ts')).sudokuTask],
]);

export const TASK_NAMES: readonly TaskName[] = [...tasks.keys()];

export function isTaskName(name: unknown): name is TaskName {
  return typeof name === 'string' && tasks.has(name as TaskName);
}

/** Loads a task by name; an unknown name fails with the list of known ones. */
export async function getTask(name: string): Promise<Task> {
  const load = tasks.get(name as TaskName);
  if (!load) throw new Error(`unknown task '${name}': expected one of ${TASK_NAMES.join(', ')}`);
  return load();
}
