/**
 * Flow: the α sweep (the paper's Table 2 and Fig. 10) — `asymflow sweep rl --alpha 0,0.2,0.5,0.8,1`.
 *
 *   for α in the list:  runRl(config with α, --out DIR/alpha-α)  (every run starts from the same --init,
 *                       evaluates on the same test subset before and after)
 *   → DIR/sweep.json  rows { setting, alpha, a, ap, ar, arCond } (init first)
 *   → DIR/table.md    Table-2 analogue with the change from init
 *   → DIR/plots/tradeoff.png  perception–reasoning trade-off (src/plot)
 * A run that already finished (its summary.json says completed) is reused, so an interrupted sweep resumes.
 */
import { ensureDir, writeFileAtomic, writeJsonAtomic } from '../src/io/atomic-write.ts';
import { acquireRunLock } from '../src/io/run-lock.ts';
import fs from 'node:fs';
import path from 'node:path';
import { writeTradeoffPlot } from '../src/plot/write-plots.ts';
import { hasCheckpoint } from '../src/model/checkpoint-dir.ts';
import { rlCheckpointDir } from '../src/rl/rl-checkpoint.ts';
import { alphaRunConfig, type RlConfig } from '../src/rl/rl-config.ts';
import { rewardSpecText } from '../src/rl/reward-spec.ts';
import { sweepRow, sweepTable, type RlSweepRow } from '../src/rl/sweep-table.ts';
import type { TaskOptions } from '../src/tasks/task.ts';
import { jobSpec, type JobExecutor } from '../src/queue/job-spec.ts';
import { runRl, type RlRunOptions, type RlSummary } from './rl.ts';
import { outputLines, type LineSink } from '../src/output-lines.ts';

export interface SweepRlOptions {
  readonly base: RlConfig; // α and out are replaced per run
  readonly alphas: readonly number[];
  readonly out: string;
  readonly taskOptions?: TaskOptions;
  readonly backend?: RlRunOptions['backend'];
  readonly plot?: boolean; // default true
  readonly log?: LineSink; // progress; default: stderr (src/output-lines.ts)
  readonly result?: LineSink; // the table; default: the log given, else stdout
  /** Run the α values as jobs elsewhere (local child processes, the queue); default: one after another here. */
  readonly executor?: JobExecutor;
}

async function sequentially<T, R>(items: readonly T[], run: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (const item of items) out.push(await run(item));
  return out;
}

/** One job per α (flows/job-run.ts runs it with runAlpha); the summaries come back in α order. */
async function executeAlphas(o: SweepRlOptions, executor: JobExecutor): Promise<RlSummary[]> {
  // Paths absolute: a worker's working directory is not the coordinator's (a teacher:DIR reward stays as given).
  const base: RlConfig = { ...o.base, init: path.resolve(o.base.init), embed: o.base.embed && path.resolve(o.base.embed), record: '' };
  const jobs = o.alphas.map((alpha) => jobSpec('rl-alpha', `α=${alpha}`, { base, alpha, out: path.resolve(o.out), taskOptions: o.taskOptions ?? {} }));
  const results = await executor(jobs);
  return jobs.map((j) => results.get(j.id) as RlSummary);
}

/** One α's run into DIR/alpha-α: reused when it already completed, else resumed or started. */
export async function runAlpha(
  o: Pick<SweepRlOptions, 'base' | 'out' | 'taskOptions' | 'backend'>,
  alpha: number,
  log: (line: string) => void,
): Promise<RlSummary> {
  const out = path.join(o.out, `alpha-${alpha}`);
  const done = path.join(out, 'summary.json');
  if (fs.existsSync(done) && (JSON.parse(fs.readFileSync(done, 'utf8')) as RlSummary).completed) {
    log(`sweep rl: α=${alpha} already done in ${out}`);
    return JSON.parse(fs.readFileSync(done, 'utf8')) as RlSummary;
  }
  log(`sweep rl: α=${alpha} → ${out}`);
  const config = alphaRunConfig(o.base, alpha, o.out);
  // the sweep owns DIR/alpha-α: a run with a checkpoint continues, one killed before its first starts over
  return runRl({
    config: { ...config, resume: hasCheckpoint(rlCheckpointDir(config.out)), overwrite: true },
    taskOptions: o.taskOptions,
    backend: o.backend,
    log,
  });
}

export async function runSweepRl(o: SweepRlOptions): Promise<RlSweepRow[]> {
  const { log, result } = outputLines(o);
  if (o.base.evalN === 0) throw new Error('sweep rl needs the before/after evaluation: --eval-n must be positive');
  ensureDir(o.out);
  const lock = acquireRunLock(o.out, 'sweep rl'); // the runs inside hold their own locks
  try {
    return await sweepLocked(o, log, result);
  } finally {
    lock.release();
  }
}

async function sweepLocked(o: SweepRlOptions, log: LineSink, result: LineSink): Promise<RlSweepRow[]> {
  const summaries = o.executor ? await executeAlphas(o, o.executor) : await sequentially(o.alphas, (alpha) => runAlpha(o, alpha, log));
  const rows: RlSweepRow[] = [];
  o.alphas.forEach((alpha, i) => {
    const summary = summaries[i];
    if (rows.length === 0 && summary.before) rows.push(sweepRow('init', null, summary.before, null));
    rows.push(sweepRow(`α=${alpha}`, alpha, summary.after!, path.join(o.out, `alpha-${alpha}`)));
  });
  const reward = rewardSpecText(o.base.reward);
  writeJsonAtomic(path.join(o.out, 'sweep.json'), { task: o.base.task, reward, steps: o.base.steps, rows });
  const table = sweepTable(rows, `RL α sweep on ${o.base.task}: R = α·${reward} + (1−α)·a, ${o.base.steps} steps (accuracy %, change from init)`);
  writeFileAtomic(path.join(o.out, 'table.md'), table);
  for (const line of table.trimEnd().split('\n')) result(line);
  if (o.plot !== false) log(`sweep rl: wrote ${await writeTradeoffPlot(rows, path.join(o.out, 'plots'))}`);
  return rows;
}
