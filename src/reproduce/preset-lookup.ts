/** `reproduce --preset NAME --tasks a,b` read into a preset and its tasks (the CLI, the jobs and the device planner share them). */
import { ConfigError } from '../config.ts';
import { PAPER_PRESETS } from './paper-preset.ts';
import { PRESETS, REPRODUCE_TASKS, type ReproducePreset, type ReproduceTask } from './presets.ts';

export function parseTasks(text: string): ReproduceTask[] {
  const tasks = text.split(',').map((t) => t.trim());
  const bad = tasks.find((t) => !(REPRODUCE_TASKS as readonly string[]).includes(t));
  if (text.trim() === '' || bad !== undefined) throw new ConfigError(`reproduce: --tasks must list ${REPRODUCE_TASKS.join(' and/or ')}, got '${text}'`);
  return [...new Set(tasks)] as ReproduceTask[];
}

export function presetOf(name: string): ReproducePreset {
  const preset = PRESETS[name] ?? PAPER_PRESETS[name];
  if (!preset) throw new ConfigError(`reproduce: --preset must be smoke, full or paper, got '${name}'`);
  return preset;
}
