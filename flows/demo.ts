/**
 * Flow: the README's main job — `asymflow demo`. On the embedded default (CPU, the tiny model) it runs the
 * paper's SFT comparison end to end within a few minutes on two cores:
 *
 *   GC puzzles generated on the fly (DEMO_TASK_OPTIONS: circle layout, few nodes, short traces)
 *   ─ sweep sft over standard and NGDiff (flows/sweep-sft.ts: train, evaluate a, a_p, a_r, ã_r on held-out
 *     test samples) ─ the table on stdout and DIR/table.md ─ DIR/plots/*.png (trade-off + both runs' curves)
 *
 * The settings are small on purpose (see README "The demo" for what they show and the measured time); the
 * same comparison at full size is `asymflow sweep sft --model small --with standard,ngdiff …`.
 */
import { resolveSftConfig, type SftConfig } from '../src/sft/sft-config.ts';
import { sweepSettings, type SweepSetting } from '../src/sft/sweep-table.ts';
import type { TaskOptions } from '../src/tasks/task.ts';
import type { SftWatch } from './sft.ts';
import { runSweepSft, type SweepSftResult } from './sweep-sft.ts';

/** The demo's training settings (measured: README "The demo"). */
export const DEMO_CONFIG: Readonly<Record<string, unknown>> = {
  task: 'gc',
  model: 'tiny',
  steps: 120,
  batch: 4,
  lr: 1e-2,
  warmupSteps: 12,
  trainN: 256,
  evalEvery: 60,
  evalN: 32,
  evalMode: 'both',
  checkpointEvery: 60,
  bucket: 16,
};

/**
 * 3-node graphs with one-line traces (perception ~32% of the response tokens; the paper's GC: 2.2%): the
 * tiny model learns the format and the colouring within the budget. With verbosity 1 (13%) 90 steps of 4
 * left a = a_r = 0 for both objectives (README "The demo").
 */
export const DEMO_TASK_OPTIONS: TaskOptions = { layout: 'circle', minNodes: 3, maxNodes: 3, verbosity: 0 };

export interface DemoOptions {
  readonly out: string;
  readonly backend?: string; // '' / undefined = ASYMFLOW_BACKEND, else auto
  readonly overrides?: Readonly<Record<string, unknown>>; // SftConfig keys (tests shrink the run)
  readonly modelOptions?: Readonly<Record<string, unknown>>;
  readonly log?: (line: string) => void;
  readonly watch?: (setting: SweepSetting, watch: SftWatch) => Promise<void> | void;
}

export function demoConfig(options: Pick<DemoOptions, 'out' | 'backend' | 'overrides'>): SftConfig {
  return resolveSftConfig({ ...DEMO_CONFIG, ...(options.overrides ?? {}), backend: options.backend ?? '', out: options.out });
}

export async function runDemo(options: DemoOptions): Promise<SweepSftResult> {
  return runSweepSft({
    base: demoConfig(options),
    settings: sweepSettings([], ['standard', 'ngdiff']),
    out: options.out,
    taskOptions: DEMO_TASK_OPTIONS,
    modelOptions: options.modelOptions,
    log: options.log,
    watch: options.watch,
  });
}
