/**
 * Flow: a sweep of SFT objectives on one task — `asymflow sweep sft` (the paper's Table 1 and Fig. 4).
 *
 *   settings (standard, λ list, NGDiff) ─ concatMap: runSft into DIR/<name>/, one at a time
 *       (a finished run with the same settings is kept; an unfinished one is resumed from its checkpoint)
 *   ─ toArray ─ table: objective → a, a_p, a_r, ã_r ─ DIR/table.md, DIR/table.json
 *   ─ DIR/sweep.json ─ DIR/plots/tradeoff.png (a_p vs a_r, coloured by a) + every run's curves together
 */
import { ensureDir, writeFileAtomic, writeJsonAtomic } from '../src/io/atomic-write.ts';
import { acquireRunLock } from '../src/io/run-lock.ts';
import fs from 'node:fs';
import path from 'node:path';
import { concatMap, defer, from, lastValueFrom, toArray } from 'rxjs';
import { loadMetrics } from '../src/plot/load-metrics.ts';
import { writeCurvePlots, writeTradeoffPlot } from '../src/plot/write-plots.ts';
import type { Metric } from '../src/records.ts';
import { hasCheckpoint, sftIdentity, type SftIdentity } from '../src/sft/sft-checkpoint.ts';
import { configChanges, SFT_DEFAULTS, totalSteps, type SftConfig } from '../src/sft/sft-config.ts';
import type { SftSummary } from '../src/sft/sft-summary.ts';
import { settingConfig, sweepRows, tableMarkdown, tableRow, type SweepSetting, type SweepTable, type TableRow } from '../src/sft/sweep-table.ts';
import type { TaskOptions } from '../src/tasks/task.ts';
import { jobSpec, type JobExecutor } from '../src/queue/job-spec.ts';
import { runSft } from './sft.ts';
import type { RunWatch } from './watch.ts';
import { getTask } from '../src/tasks/registry.ts';
import { outputLines, type LineSink } from '../src/output-lines.ts';

export interface SweepSftOptions {
  readonly base: SftConfig; // every setting's config; objective and out are the setting's
  readonly settings: readonly SweepSetting[];
  readonly out: string; // the sweep directory
  readonly taskOptions?: TaskOptions;
  readonly modelOptions?: Readonly<Record<string, unknown>>;
  readonly log?: LineSink; // progress; default: stderr (src/output-lines.ts)
  readonly result?: LineSink; // the table; default: the log given, else stdout
  readonly watch?: (setting: SweepSetting, watch: RunWatch) => Promise<void> | void;
  /** Run the settings as jobs elsewhere (local child processes, the queue); default: one after another here. */
  readonly executor?: JobExecutor;
}

export interface SweepSftResult {
  readonly table: SweepTable;
  readonly files: readonly string[]; // table.md, table.json, sweep.json and the plots
}

export async function runSweepSft(options: SweepSftOptions): Promise<SweepSftResult> {
  const { log, result } = outputLines(options);
  const out = path.resolve(options.out);
  ensureDir(out);
  const lock = acquireRunLock(out, 'sweep sft'); // the runs inside hold their own locks
  try {
    const rows$ = from(options.settings).pipe(
      concatMap((setting) => defer(() => runSetting(options, out, setting, log))),
      toArray(),
    );
    const rows = options.executor ? await executeSettings(options, out, options.executor) : await lastValueFrom(rows$);
    const table: SweepTable = {
      task: options.base.task,
      model: options.base.model,
      steps: totalSteps(options.base),
      evalN: options.base.evalN,
      evalSplit: options.base.evalSplit,
      rows,
    };
    const files = [...writeTables(out, table), ...(options.base.plots ? await writePlots(out, table, options.settings) : [])];
    result(tableMarkdown(table).trimEnd());
    log(`sweep: wrote ${files.map((f) => path.relative(out, f)).join(', ')} in ${out}`);
    return { table, files };
  } finally {
    lock.release();
  }
}

/** One job per setting (flows/job-run.ts runs it with runSetting); the rows come back in setting order. */
async function executeSettings(options: SweepSftOptions, out: string, executor: JobExecutor): Promise<TableRow[]> {
  // Paths absolute: a worker's working directory is not the coordinator's.
  const base: SftConfig = { ...options.base, data: options.base.data && path.resolve(options.base.data), record: '' };
  const jobs = options.settings.map((setting) =>
    jobSpec('sft-setting', setting.label, { base, setting, out, taskOptions: options.taskOptions ?? {}, modelOptions: options.modelOptions ?? {} }),
  );
  const results = await executor(jobs);
  return jobs.map((j) => results.get(j.id) as TableRow);
}

/** One setting's run: kept when already finished with the same settings, else resumed or started. */
export async function runSetting(options: SweepSftOptions, out: string, setting: SweepSetting, log: (l: string) => void): Promise<TableRow> {
  const dir = path.join(out, setting.name);
  const config = settingConfig(options.base, setting, out, hasCheckpoint(path.join(dir, 'checkpoints')));
  const identity = sftIdentity(config, await getTask(config.task), options.taskOptions, options.modelOptions);
  const finished = finishedSummary(dir, identity);
  if (finished) {
    log(`sweep: ${setting.label}: kept the finished run in ${dir}`);
    return tableRow(setting, finished);
  }
  log(`sweep: ${setting.label}: ${config.resume ? 'resuming' : 'training'} in ${dir}`);
  const result = await runSft({
    config,
    taskOptions: options.taskOptions,
    modelOptions: options.modelOptions,
    log: (line) => log(`[${setting.name}] ${line}`),
    watch: options.watch ? (w) => options.watch!(setting, w) : undefined,
  });
  if (!result.summary) throw new Error(`sweep: ${setting.label} in ${dir} ended without a summary`);
  return tableRow(setting, result.summary);
}

/** The run's summary when it finished under the same settings; a finished run under others is refused. */
function finishedSummary(dir: string, identity: SftIdentity): SftSummary | undefined {
  const summaryFile = path.join(dir, 'summary.json');
  if (!fs.existsSync(summaryFile)) return undefined;
  const summary = JSON.parse(fs.readFileSync(summaryFile, 'utf8')) as SftSummary;
  if (summary.stopped || summary.steps !== summary.totalSteps) return undefined;
  const saved = (JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8')) as { config: SftIdentity }).config;
  const changed = [
    ...configChanges(saved.config, identity.config, SFT_DEFAULTS),
    ...configChanges(saved.taskOptions, identity.taskOptions),
    ...configChanges(saved.modelOptions, identity.modelOptions),
  ];
  if (changed.length > 0) throw new Error(`sweep: ${dir} holds a finished run with other settings (${changed.join(', ')}); remove it or choose another --out`);
  return summary;
}

function writeTables(out: string, table: SweepTable): string[] {
  const files = { md: path.join(out, 'table.md'), json: path.join(out, 'table.json'), sweep: path.join(out, 'sweep.json') };
  writeFileAtomic(files.md, tableMarkdown(table));
  writeJsonAtomic(files.json, table);
  writeJsonAtomic(files.sweep, { task: table.task, model: table.model, steps: table.steps, rows: sweepRows(table) });
  return Object.values(files);
}

/** Every setting's recorded metrics, in setting order (series labelled by run). */
export async function settingMetrics(out: string, settings: readonly SweepSetting[]): Promise<Metric[]> {
  const metrics: Metric[] = [];
  for (const s of settings) {
    const file = path.join(out, s.name, 'metrics.msgpack');
    if (fs.existsSync(file)) metrics.push(...(await loadMetrics(file)));
  }
  return metrics;
}

/** The trade-off scatter and every run's curves in one set of charts (series labelled by run). */
async function writePlots(out: string, table: SweepTable, settings: readonly SweepSetting[]): Promise<string[]> {
  const plots = path.join(out, 'plots');
  return [await writeTradeoffPlot(sweepRows(table), plots), ...(await writeCurvePlots(await settingMetrics(out, settings), plots))];
}
