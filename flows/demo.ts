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
import { readJsonLines } from '../src/io/json-lines.ts';
import { compareRuns, perceptionLag } from '../src/eval/paired-runs.ts';
import { MetricNames as N } from '../src/metric-names.ts';
import { writeSelectedCurves } from '../src/plot/write-plots.ts';
import { resolveSftConfig, type SftConfig } from '../src/sft/sft-config.ts';
import { sweepReading, type SweepComparison } from '../src/sft/sweep-reading.ts';
import { sweepSettings, type SweepSetting } from '../src/sft/sweep-table.ts';
import { weightingReading } from '../src/sft/weighting-reading.ts';
import type { TaskOptions } from '../src/tasks/task.ts';
import type { RunWatch } from './watch.ts';
import { runSweepSft, settingMetrics, type SweepSftResult } from './sweep-sft.ts';
import { outputLines, type LineSink } from '../src/output-lines.ts';

/** The demo's training settings, chosen on val (DEMO_CHOICE; the scout's table: docs/demo.md). */
export const DEMO_CONFIG: Readonly<Record<string, unknown>> = {
  task: 'gc',
  model: 'tiny',
  steps: 60,
  batch: 4,
  lr: 3e-3,
  warmupSteps: 6,
  trainN: 512,
  evalEvery: 0, // the final evaluation only: one of 100 puzzles costs ~12 training steps here
  evalN: 100,
  evalSplit: 'test', // the demo's table; its settings are chosen on val (DEMO_CHOICE)
  evalMode: 'both',
  checkpointEvery: 30,
  bucket: 16,
};

/**
 * 5-node graphs, the smallest size whose 768 graphs leave room for held-out splits (3-node graphs: 4 in all,
 * so a 3-node table's test puzzles were training puzzles), with one-line traces: perception is ~42% of the
 * response tokens (the paper's GC: 2.2%). The first 100 test and 100 val puzzles are held out by content.
 */
export const DEMO_TASK_OPTIONS: TaskOptions = { layout: 'circle', minNodes: 5, maxNodes: 5, verbosity: 0, heldOut: 100 };

/** A 48-pixel input (36 patches instead of 72 pixels' 81): the scout's cheaper end, ~20% less time a step. */
export const DEMO_MODEL_OPTIONS: Readonly<Record<string, unknown>> = { inputSize: 48 };

/** What chose these settings, printed with every demo and in reading.md (docs/demo.md has the scout's table). */
export const DEMO_CHOICE =
  'the cheapest of 24 candidates run on val (bench/demo-scout.sh, 2026-12-04: 5-node graphs, 48 or 72 px, 60-240 steps of 4 or 8, lr 3e-3 or 1e-2, one-line or longer traces); every candidate that finished ended at a = a_p = a_r = 0 on val, none within the 250 s the rule allowed, so the tie rule (fewer steps, smaller input, then the faster) chose: 60 steps of 4 at lr 3e-3, 48 px; the table is on 100 held-out test puzzles';

export interface DemoOptions {
  readonly out: string;
  readonly backend?: string; // '' / undefined = ASYMFLOW_BACKEND, else auto
  readonly overrides?: Readonly<Record<string, unknown>>; // SftConfig keys (tests shrink the run)
  readonly modelOptions?: Readonly<Record<string, unknown>>; // default DEMO_MODEL_OPTIONS
  readonly taskOptions?: TaskOptions; // bench/demo-scout.ts tries others on val (default DEMO_TASK_OPTIONS)
  readonly log?: LineSink; // progress; default: stderr (src/output-lines.ts)
  readonly result?: LineSink; // the table and its reading; default: the log given, else stdout
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
  const { log, result: say } = outputLines(options);
  const base = demoConfig(options);
  log(`demo: ${DEMO_CHOICE}`);
  const result = await runSweepSft({
    base,
    settings: DEMO_SETTINGS,
    out: options.out,
    taskOptions: options.taskOptions ?? DEMO_TASK_OPTIONS,
    modelOptions: options.modelOptions ?? DEMO_MODEL_OPTIONS,
    log,
    result: say,
    watch: options.watch,
  });
  const out = path.resolve(options.out);
  const [baseline, other] = DEMO_SETTINGS;
  const comparison = compareSettings(out, baseline, other);
  const metrics = await settingMetrics(out, DEMO_SETTINGS);
  const named = (s: SweepSetting) => ({ run: s.name, label: s.label });
  const reading = [...sweepReading(comparison), ...weightingReading(metrics, named(baseline), named(other))];
  const files = [...result.files, ...writeReading(out, comparison, reading)];
  if (base.plots) files.push(await writeSelectedCurves(metrics, [N.ap, N.ar], path.join(out, 'plots', 'ap-ar.png')));
  say('');
  for (const line of reading) say(line);
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
  return readJsonLines<EvalRecord>(file);
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
