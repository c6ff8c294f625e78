/**
 * The process one job runs in (started by flows/job-process.ts, for a worker or `--parallel`): it receives
 * {kind, config, backend} over IPC, validates and runs the job, streams log lines and progress back, sends
 * the result and exits. A crash or an out-of-memory kill here ends this job only.
 *
 * When the parent goes away (a worker killed with -9), the IPC channel closes and this process exits at
 * once: the queue re-queues the job to another worker, and an orphan must not keep writing its run directory.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { RunLockHeldError } from '../src/io/run-lock.ts';
import type { JobProgress } from '../src/queue/job-spec.ts';
import { progressFromLine } from '../src/queue/log-progress.ts';
import { runJob, validateJob } from './job-run.ts';

export interface ChildRequest {
  readonly id: string;
  readonly label: string;
  readonly kind: string;
  readonly config: unknown;
  readonly backend?: string;
}
export type ChildMessage =
  | { readonly type: 'log'; readonly line: string }
  | { readonly type: 'progress'; readonly progress: JobProgress }
  | { readonly type: 'done'; readonly result: unknown }
  | { readonly type: 'error'; readonly message: string; readonly invalid: boolean };

/** Exit status of a child whose parent vanished (sysexits EX_SOFTWARE would mislead; 75 = EX_TEMPFAIL). */
export const ORPHAN_EXIT = 75;

const send = (m: ChildMessage): Promise<void> => new Promise((resolve) => (process.connected ? process.send!(m, undefined, {}, () => resolve()) : resolve()));

/** One line per finished job in DIR/jobs.jsonl: which process finished which job (a job finishing twice shows). */
function ledger(out: string, request: ChildRequest): void {
  const line = { job: request.id, label: request.label, kind: request.kind, host: os.hostname(), pid: process.pid, finished: new Date().toISOString() };
  fs.appendFileSync(path.join(out, 'jobs.jsonl'), `${JSON.stringify(line)}\n`);
}

/**
 * Runs `run`, waiting out a run lock that another host holds: a job re-queued after its machine died finds
 * that machine's lock on the shared storage, fresh for up to LEASE_MS (src/io/run-lock.ts); waiting here keeps
 * the job's few attempts for real failures. A lock whose holder keeps renewing it still fails the job.
 */
async function outwaitingLease<T>(log: (line: string) => void, run: () => Promise<T>): Promise<T> {
  for (let waits = 0; ; waits++) {
    try {
      return await run();
    } catch (e) {
      if (!(e instanceof RunLockHeldError) || !e.elsewhere || waits >= 2) throw e;
      const ms = Math.max(1_000, e.staleInMs + 1_000);
      log(`job: ${e.message}; waiting ${Math.round(ms / 1000)} s for its lease to run out`);
      await new Promise((r) => setTimeout(r, ms));
    }
  }
}

async function serve(request: ChildRequest): Promise<number> {
  let invalid = true;
  try {
    const job = validateJob(request.kind, request.config);
    invalid = false;
    const log = (line: string) => {
      void send({ type: 'log', line });
      void send({ type: 'progress', progress: progressFromLine(line) });
    };
    const result = await outwaitingLease(log, () =>
      runJob(job, { backend: request.backend, log, progress: (progress) => void send({ type: 'progress', progress }) }),
    );
    ledger(job.config.out, request);
    await send({ type: 'done', result });
    return 0;
  } catch (e) {
    await send({ type: 'error', message: e instanceof Error ? e.message : String(e), invalid });
    return 1;
  }
}

if (!process.send) {
  process.stderr.write('flows/job-child.ts runs one job for a worker or --parallel; it is not a command\n');
  process.exit(2);
}
process.on('disconnect', () => process.exit(ORPHAN_EXIT));
// A terminal's Ctrl-C reaches the whole process group: the worker (or coordinator) decides — a worker lets its
// running jobs finish on the first one and kills them on the second; a coordinator that exits closes the IPC.
process.on('SIGINT', () => undefined);
process.once('message', (request: ChildRequest) => {
  void serve(request).then((code) => process.exit(code));
});
