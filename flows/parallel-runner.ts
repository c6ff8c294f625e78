/**
 * `--parallel K` without a queue: up to K jobs at once on this machine, each in its own child process
 * (flows/job-process.ts), a job starting once everything it depends on has finished. Several small runs
 * then share one GPU. A failed job lets the running ones finish, starts nothing after it, and the run
 * rejects naming every failure.
 */
import type { JobExecutor, JobProgress, JobSpec } from '../src/queue/job-spec.ts';
import { topologicalOrder } from '../src/queue/job-spec.ts';
import { JobPace, jobRow, type JobRow } from '../src/queue/job-board.ts';
import { mergeProgress } from '../src/queue/log-progress.ts';
import { runJobProcess } from './job-process.ts';

export interface ParallelOptions {
  readonly slots: number;
  readonly backend?: string;
  readonly log: (line: string) => void;
  /** How one job runs: its own child process (tests pass a stand-in to check the scheduling alone). */
  readonly run?: typeof runJobProcess;
  /** Every job's row whenever one changes, for a live view (src/queue/job-board.ts). */
  readonly board?: (rows: readonly JobRow[]) => void;
}

export function parallelExecutor(o: ParallelOptions): JobExecutor {
  if (!Number.isInteger(o.slots) || o.slots < 1) throw new Error(`--parallel must be a positive integer, got ${o.slots}`);
  return (jobs) => runParallel(jobs, o);
}

function runParallel(jobs: readonly JobSpec[], o: ParallelOptions): Promise<ReadonlyMap<string, unknown>> {
  const pending = topologicalOrder(jobs);
  const results = new Map<string, unknown>();
  const failures: string[] = [];
  let running = 0;
  const rows = new Map<string, JobRow>(pending.map((j) => [j.id, jobRow(j.id, j.label, 'waiting', {})]));
  const pace = new JobPace();
  const show = (job: JobSpec, state: string, p: JobProgress = {}, error?: string) => {
    const now = Date.now();
    pace.see(job.id, p, now);
    rows.set(job.id, jobRow(job.id, job.label, state, p, state === 'active' ? pace.eta(job.id, p, now) : undefined, error));
    o.board?.([...rows.values()]);
  };
  return new Promise((resolve, reject) => {
    const ready = (j: JobSpec) => j.dependsOn.every((d) => results.has(d));
    const pump = () => {
      while (failures.length === 0 && running < o.slots) {
        const i = pending.findIndex(ready);
        if (i < 0) break;
        const [job] = pending.splice(i, 1);
        running++;
        o.log(`parallel: ${job.label}: started (${running}/${o.slots} slots)`);
        let last: JobProgress = {};
        show(job, 'active');
        let lastStep = -1;
        (o.run ?? runJobProcess)(job, {
          backend: o.backend,
          onLog: (line) => o.log(`[${job.label}] ${line}`),
          onProgress: (p) => {
            last = mergeProgress(last, p);
            show(job, 'active', last);
            // Coarse: a line per tenth of the run, not per step.
            const tenth = p.step !== undefined && p.totalSteps ? Math.floor((10 * p.step) / p.totalSteps) : -1;
            if (tenth > lastStep) o.log(`parallel: ${job.label}: step ${p.step}/${p.totalSteps}`);
            lastStep = Math.max(lastStep, tenth);
          },
        })
          .then(
            (result) => {
              results.set(job.id, result);
              show(job, 'completed', last);
              o.log(`parallel: ${job.label}: done`);
            },
            (e: Error) => {
              failures.push(e.message);
              show(job, 'failed', last, e.message);
              o.log(`parallel: ${job.label}: FAILED: ${e.message}`);
            },
          )
          .finally(() => {
            running--;
            pump();
          });
      }
      if (running > 0) return;
      if (failures.length > 0) reject(new Error(`${failures.length} job(s) failed:\n${failures.join('\n')}`));
      else if (pending.length > 0) reject(new Error(`parallel: ${pending.map((j) => j.label).join(', ')} could not start (dependencies never finished)`));
      else resolve(results);
    };
    pump();
  });
}
