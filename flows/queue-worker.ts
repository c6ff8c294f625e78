/**
 * `asymflow worker --queue URL [--slots K] [--backend NAME]`: takes jobs from the BullMQ queue and runs up
 * to K at once, each in its own child process (flows/job-process.ts), so a crash or an out-of-memory kill
 * ends one run, not the worker. Before a job starts the worker checks that it is a known kind with a valid
 * config (flows/job-run.ts) and that the coordinator's run directory is visible here (src/queue/shared-out.ts);
 * either failing fails the job at once, without retries. The job's progress (step, last accuracies, worker)
 * goes back to the queue for the coordinator's view.
 *
 * Crash-proof: this process renews each job's lock every lockMs/2; when it dies (kill -9, power), the lock
 * expires, another worker's stalled-job check re-queues the job, and that worker's run resumes from the
 * last checkpoint in the shared run directory. The children of a dead worker exit when their IPC closes.
 */
import type { ChildProcess } from 'node:child_process';
import os from 'node:os';
import { UnrecoverableError, Worker, type Job } from 'bullmq';
import { connect, QUEUE_NAME, type QueuedJobData } from '../src/queue/bull.ts';
import type { JobProgress } from '../src/queue/job-spec.ts';
import { mergeProgress } from '../src/queue/log-progress.ts';
import { parseQueueUrl } from '../src/queue/redis-url.ts';
import { isSharedOut, sharedOutProblem } from '../src/queue/shared-out.ts';
import { InvalidJobError, runJobProcess } from './job-process.ts';
import { validateJob } from './job-run.ts';

export interface WorkerOptions {
  readonly url: string;
  readonly slots: number;
  readonly backend?: string;
  readonly log: (line: string) => void;
  readonly lockMs?: number; // how long a silent worker keeps its jobs (default 30 s)
  readonly stalledCheckMs?: number; // how often this worker looks for stalled jobs (default 30 s)
}

export interface RunningWorker {
  readonly name: string;
  /** Stops taking jobs; with `abandon`, kills the running children (their jobs are re-queued as stalled). */
  close(abandon?: boolean): Promise<void>;
}

const PROGRESS_EVERY_MS = 2_000;

export function startWorker(o: WorkerOptions): RunningWorker {
  if (!Number.isInteger(o.slots) || o.slots < 1) throw new Error(`worker: --slots must be a positive integer, got ${o.slots}`);
  const url = parseQueueUrl(o.url);
  const name = `${os.hostname()}:${process.pid}`;
  const children = new Set<ChildProcess>();
  // Fencing: a job whose lock this worker could not renew within lockDuration (Redis unreachable, or the lock
  // taken over) may already run elsewhere; its child is killed so two processes never write one run directory.
  const lockDuration = o.lockMs ?? 30_000;
  const running = new Map<string, { child?: ChildProcess; renewed: number }>();
  const fence = (id: string, why: string) => {
    const r = running.get(id);
    if (!r?.child || r.child.exitCode !== null) return;
    o.log(`worker: job ${id}: ${why}; stopping its run (the queue gives it to another worker, which resumes it)`);
    r.child.kill('SIGKILL');
  };

  const processor = async (job: Job<QueuedJobData>) => {
    const { kind, label, config, shared } = job.data;
    if (!isSharedOut(shared)) throw new UnrecoverableError(`job ${job.id} names no shared run directory: not enqueued by an asymflow coordinator`);
    const problem = sharedOutProblem(shared);
    if (problem) throw new UnrecoverableError(problem);
    try {
      validateJob(kind, config);
    } catch (e) {
      throw new UnrecoverableError(`job ${label ?? job.id} refused: ${(e as Error).message}`);
    }
    o.log(`worker: ${label}: started (attempt ${job.attemptsMade + 1}, job ${job.id})`);
    running.set(job.id!, { renewed: Date.now() });
    let sent = 0;
    let latest: JobProgress | undefined;
    const report = (p: JobProgress) => {
      latest = { ...mergeProgress(latest, p), worker: name }; // a log line's progress adds to what the run reported
      if (Date.now() - sent < PROGRESS_EVERY_MS) return;
      sent = Date.now();
      void job.updateProgress(latest).catch(() => undefined); // a lost progress update is not worth a failed job
    };
    try {
      const result = await runJobProcess(
        { id: job.id!, label, kind, config },
        {
          backend: o.backend,
          onLog: (line) => o.log(`[${label}] ${line}`),
          onProgress: report,
          onStart: (child) => {
            running.get(job.id!)!.child = child;
            children.add(child);
            child.once('exit', () => children.delete(child));
            report({ worker: name, pid: child.pid });
          },
        },
      );
      if (latest) await job.updateProgress(latest).catch(() => undefined);
      o.log(`worker: ${label}: done`);
      return result;
    } catch (e) {
      o.log(`worker: ${label}: failed: ${(e as Error).message}`);
      if (e instanceof InvalidJobError) throw new UnrecoverableError(e.message);
      throw e;
    } finally {
      running.delete(job.id!);
    }
  };

  const worker = new Worker<QueuedJobData>(QUEUE_NAME, processor, {
    connection: connect(url.url),
    concurrency: o.slots,
    name,
    lockDuration,
    stalledInterval: o.stalledCheckMs ?? 30_000,
    maxStalledCount: 2, // a job whose workers died twice fails with "job stalled more than allowable limit"
  });
  worker.on('error', (e) => o.log(`worker: queue error: ${e.message}`));
  worker.on('locksRenewed', ({ jobIds }) => {
    for (const id of jobIds) {
      const r = running.get(id);
      if (r) r.renewed = Date.now();
    }
  });
  worker.on('lockRenewalFailed', (ids) => ids.forEach((id) => fence(id, 'lost its lock')));
  const watchdog = setInterval(
    () => {
      for (const [id, r] of running)
        if (Date.now() - r.renewed > lockDuration) fence(id, `lock not renewed for ${Math.round((Date.now() - r.renewed) / 1000)} s`);
    },
    Math.max(250, lockDuration / 4),
  );
  watchdog.unref();
  o.log(`worker ${name}: ${o.slots} slot(s) on ${url.redacted} (queue '${QUEUE_NAME}')${o.backend ? `, backend ${o.backend}` : ''}`);
  return {
    name,
    async close(abandon = false) {
      clearInterval(watchdog);
      if (abandon) for (const c of children) c.kill('SIGKILL');
      await worker.close(abandon);
    },
  };
}
