/**
 * Flow: the README's main job — `asymflow demo`. On the embedded default (CPU, the tiny model) it runs the
 * paper's SFT comparison end to end within a few minutes on two cores:
 *
 *   GC puzzles generated on the fly (DEMO_TASK_OPTIONS: circle layout, few nodes, short traces)
 *   ─ sweep sft over standard and NGDiff (flows/sweep-sft.ts: train, evaluate a, a_p, a_r, ã_r on held-out
 *     test samples) ─ the table on stdout and DIR/table.md ─ DIR/plots/*.png (trade-off + both runs' curves)
 *   ─ paired comparisons of the two runs' final records on the same puzzles (src/eval/paired-runs.ts)
 *   ─ the reading on stdout, DIR/reading.md, DIR/comparison.json ─ DIR/plots/ap-ar.png (a_p, a_r over steps)
 *
 * The settings are small on purpose (see docs/demo.md for what they show and the measured time); the
 * same comparison at full size is `asymflow sweep sft --model small --with standard,ngdiff …`.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { EvalRecord } from '../src/eval/eval-record.ts';
import { writeFileAtomic, writeJsonAtomic } from '../src/io/atomic-write.ts';
import { compareRuns, perceptionLag } from '../src/eval/paired-runs.ts';
import { MetricNames as N } from '../src/metric-names.ts';
import { writeSelectedCurves } from '../src/plot/write-plots.ts';
import { resolveSftConfig, type SftConfig } from '../src/sft/sft-config.ts';
import { sweepReading, type SweepComparison } from '../src/sft/sweep-reading.ts';
import { sweepSettings, type SweepSetting } from '../src/sft/sweep-table.ts';
import type { TaskOptions } from '../src/tasks/task.ts';
import type { RunWatch } from './watch.ts';
import { runSweepSft, settingMetrics, type SweepSftResult } from './sweep-sft.ts';

/** The demo's training settings (measured: docs/demo.md). */
export const DEMO_CONFIG: Readonly<Record<string, unknown>> = {
  task: 'gc',
  model: 'tiny',
  steps: 120,
  batch: 4,
  lr: 1e-2,
  warmupSteps: 12,
  trainN: 256,
  evalEvery: 40,
  evalN: 64,
  evalSplit: 'test', // the demo's table; its settings are chosen on val (DEMO_CHOICE)
  evalMode: 'both',
  checkpointEvery: 60,
  bucket: 16,
};

/**
 * 3-node graphs with one-line traces (perception ~32% of the response tokens; the paper's GC: 2.2%): the
 * tiny model learns the format and the colouring within the budget. With verbosity 1 (13%) 90 steps of 4
 * left a = a_r = 0 for both objectives (measured before the model input became ink).
 */
// heldOut 0: only four 3-node graphs exist, so `test` cannot be kept apart from training by content (the run
// header reports the overlap); src/data/held-out.ts.
export const DEMO_TASK_OPTIONS: TaskOptions = { layout: 'circle', minNodes: 3, maxNodes: 3, verbosity: 0, heldOut: 0 };

/** What chose these settings, printed with every demo and in reading.md (docs/demo.md has the details). */
export const DEMO_CHOICE =
  "the first demo's training settings (3-node graphs, one-line traces, 120 steps of 4 at lr 1e-2), chosen before a val split existed and not re-chosen on val (docs/demo.md); 64 test puzzles for the table";

export interface DemoOptions {
  readonly out: string;
  readonly backend?: string; // '' / undefined = ASYMFLOW_BACKEND, else auto
  readonly overrides?: Readonly<Record<string, unknown>>; // SftConfig keys (tests shrink the run)
  readonly modelOptions?: Readonly<Record<string, unknown>>;
  readonly taskOptions?: TaskOptions; // bench/demo-scout.ts tries others on val (default DEMO_TASK_OPTIONS)
  readonly log?: (line: string) => void;
  readonly watch?: (setting: SweepSetting, watch: RunWatch) => Promise<void> | void;
}

export interface DemoResult extends SweepSftResult {
  readonly comparison: SweepComparison;
  readonly reading: readonly string[]; // the lines reading the table, computed from the run
}

export function demoConfig(options: Pick<DemoOptions, 'out' | 'backend' | 'overrides'>): SftConfig {
  return resolveSftConfig({ ...DEMO_CONFIG, ...(options.overrides ?? {}), backend: options.backend ?? '', out: options.out });
}

/** The demo's two settings: the baseline first, then the objective it is compared with. */
export const DEMO_SETTINGS: readonly SweepSetting[] = sweepSettings([], ['standard', 'ngdiff']);

export async function runDemo(options: DemoOptions): Promise<DemoResult> {
  const log = options.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  const base = demoConfig(options);
  log(`demo: ${DEMO_CHOICE}`);
  const result = await runSweepSft({
    base,
    settings: DEMO_SETTINGS,
    out: options.out,
    taskOptions: options.taskOptions ?? DEMO_TASK_OPTIONS,
    modelOptions: options.modelOptions,
    log,
    watch: options.watch,
  });
  const out = path.resolve(options.out);
  const [baseline, other] = DEMO_SETTINGS;
  const comparison = compareSettings(out, baseline, other);
  const reading = sweepReading(comparison);
  const files = [...result.files, ...writeReading(out, comparison, reading)];
  if (base.plots) files.push(await writeSelectedCurves(await settingMetrics(out, DEMO_SETTINGS), [N.ap, N.ar], path.join(out, 'plots', 'ap-ar.png')));
  log('');
  for (const line of reading) log(line);
  log(
    `demo: reading in ${path.join(out, 'reading.md')}, paired statistics in ${path.join(out, 'comparison.json')}, a_p and a_r over steps in ${path.join(out, 'plots', 'ap-ar.png')}`,
  );
  return { ...result, files, comparison, reading };
}

/** The final evaluation's records of a finished setting (flows/sft.ts writes DIR/<name>/records.jsonl). */
function readRecords(out: string, setting: SweepSetting): EvalRecord[] {
  const file = path.join(out, setting.name, 'records.jsonl');
  if (!fs.existsSync(file))
    throw new Error(`demo: ${file} is missing; the ${setting.label} run must end with its final evaluation (remove ${path.dirname(file)} to run it again)`);
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line, i) => {
      try {
        return JSON.parse(line) as EvalRecord;
      } catch {
        throw new Error(`demo: ${file} line ${i + 1} is not JSON`);
      }
    });
}

/** Paired comparisons on the same held-out samples: each run's a_r − a_p, and other − baseline on a, a_p, a_r. */
export function compareSettings(out: string, baseline: SweepSetting, other: SweepSetting): SweepComparison {
  const a = readRecords(out, baseline);
  const b = readRecords(out, other);
  return {
    baseline: baseline.label,
    other: other.label,
    lag: { baseline: perceptionLag(a), other: perceptionLag(b) },
    between: { a: compareRuns(a, b, 'a'), ap: compareRuns(a, b, 'ap'), ar: compareRuns(a, b, 'ar') },
  };
}

function writeReading(out: string, comparison: SweepComparison, reading: readonly string[]): string[] {
  const files = { md: path.join(out, 'reading.md'), json: path.join(out, 'comparison.json') };
  const md = ['# Reading the demo', '', `Settings: ${DEMO_CHOICE}`, '', ...reading.map((line) => `- ${line}`), ''];
  writeFileAtomic(files.md, md.join('\n'));
  writeJsonAtomic(files.json, { choice: DEMO_CHOICE, comparison, reading });
  return Object.values(files);
}
