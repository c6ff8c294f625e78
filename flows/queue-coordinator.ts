/**
 * `--queue URL` on `sweep` and `reproduce`: the jobs go to BullMQ (dependencies as flows, parent after
 * children: src/queue/job-tree.ts), and this process follows them until every one has finished, logging
 * each job's state and step; the caller then writes the same tables, plots and report as a local run.
 *
 * Job ids are the hash of kind + config, so re-running the same command attaches to the jobs already in
 * the queue (running, finished or failed) instead of enqueuing them twice; failed ones are retried.
 */
import { FlowProducer, Queue, type FlowJob, type Job } from 'bullmq';
import { connect, jobOptions, QUEUE_NAME, type QueuedJobData } from '../src/queue/bull.ts';
import type { JobExecutor, JobProgress, JobSpec } from '../src/queue/job-spec.ts';
import { JobPace, jobRow, type JobRow } from '../src/queue/job-board.ts';
import { jobTrees, type JobNode } from '../src/queue/job-tree.ts';
import { parseQueueUrl } from '../src/queue/redis-url.ts';
import { markSharedOut, type SharedOut } from '../src/queue/shared-out.ts';

export interface QueueCoordinatorOptions {
  readonly url: string;
  readonly out: string; // the run directory every worker must see
  readonly log: (line: string) => void;
  readonly pollMs?: number; // default 1,000
  readonly attempts?: number;
  /** Every job's row after each poll, for a live view (src/queue/job-board.ts); the log then skips step lines. */
  readonly board?: (rows: readonly JobRow[]) => void;
}

export function queueExecutor(o: QueueCoordinatorOptions): JobExecutor {
  const url = parseQueueUrl(o.url);
  return async (jobs) => {
    const shared = markSharedOut(o.out);
    // BullMQ leaves connections it was handed open on close(): ours are closed here, after it.
    const connections = [connect(url.url), connect(url.url)];
    const queue = new Queue<QueuedJobData>(QUEUE_NAME, { connection: connections[0] });
    const flows = new FlowProducer({ connection: connections[1] });
    try {
      o.log(`queue: ${jobs.length} job(s) on ${url.redacted} (queue '${QUEUE_NAME}'); run directory ${shared.dir}`);
      for (const tree of jobTrees(jobs)) await enqueue(queue, flows, tree, shared, o);
      return await follow(queue, jobs, o);
    } finally {
      await flows.close();
      await queue.close();
      for (const c of connections) c.disconnect();
    }
  };
}

const flowOf = (node: JobNode, shared: SharedOut, attempts?: number): FlowJob => ({
  name: node.job.kind,
  queueName: QUEUE_NAME,
  data: { kind: node.job.kind, label: node.job.label, config: node.job.config, shared } satisfies QueuedJobData,
  opts: jobOptions(node.job.id, attempts),
  children: node.children.map((c) => flowOf(c, shared, attempts)),
});

const treeJobs = (node: JobNode): JobSpec[] => [node.job, ...node.children.flatMap(treeJobs)];

/**
 * Adds a tree unless its root is already queued (then attaches). Jobs of a new tree that an earlier run
 * already queued stay what they are (BullMQ links them to their new parent); failed ones are retried.
 */
async function enqueue(queue: Queue<QueuedJobData>, flows: FlowProducer, tree: JobNode, shared: SharedOut, o: QueueCoordinatorOptions): Promise<void> {
  const specs = treeJobs(tree);
  const before = new Map<string, Job<QueuedJobData> | undefined>();
  for (const spec of specs) before.set(spec.id, await queue.getJob(spec.id));
  if (!before.get(tree.job.id)) {
    try {
      await flows.add(flowOf(tree, shared, o.attempts));
    } catch (e) {
      // BullMQ refuses a job that already waits for another parent (an earlier run that asked for other parts).
      throw new Error(
        `queue: could not enqueue ${specs.map((j) => j.label).join(' → ')}: ${(e as Error).message}; a job among them belongs to another queued run (one with other parts): let it finish, or clear the queue`,
      );
    }
    o.log(`queue: enqueued ${specs.map((j) => j.label).join(' → ')}`);
  }
  for (const spec of specs) {
    const job = before.get(spec.id);
    if (!job) continue;
    const state = await job.getState();
    if (state === 'failed') {
      await job.retry('failed');
      o.log(`queue: ${spec.label}: failed before (${job.failedReason}); retried`);
    } else o.log(`queue: ${spec.label}: attached (${state})`);
  }
}

interface Seen {
  state: string;
  step?: number;
  worker?: string;
}

const progressOf = (job: Job): JobProgress => (typeof job.progress === 'object' && job.progress !== null ? (job.progress as JobProgress) : {});

/** `, ETA 12 s` / `, ETA 4 min` for a log line; empty without an ETA. */
function etaText(ms: number | undefined): string {
  if (ms === undefined) return '';
  const s = ms / 1000;
  return s >= 90 ? `, ETA ${Math.round(s / 60)} min` : `, ETA ${Math.round(s)} s`;
}

function describe(label: string, state: string, p: JobProgress, left = ''): string {
  const step = p.step !== undefined ? ` step ${p.step}${p.totalSteps ? `/${p.totalSteps}` : ''}${left}` : '';
  const metrics = p.metrics
    ? Object.entries(p.metrics)
        .map(([k, v]) => ` ${k.replace(/^eval\//, '')} ${(100 * v).toFixed(1)}%`)
        .join('')
    : '';
  return `queue: ${label}: ${state}${step}${metrics}${p.worker ? ` on ${p.worker}` : ''}`;
}

/**
 * Polls every job until all completed (their results by id) or one failed for good (rejects naming it). Each
 * poll hands the board every job's row; the log gets a line per state change, and a step line at most every
 * 10 s a job unless a live board shows the steps.
 */
async function follow(queue: Queue<QueuedJobData>, jobs: readonly JobSpec[], o: QueueCoordinatorOptions): Promise<ReadonlyMap<string, unknown>> {
  const seen = new Map<string, Seen>();
  const results = new Map<string, unknown>();
  const rows = new Map<string, JobRow>(jobs.map((j) => [j.id, jobRow(j.id, j.label, 'unknown', {})]));
  const STEP_EVERY_MS = 10_000;
  const lastStepLog = new Map<string, number>();
  const pace = new JobPace();
  for (;;) {
    for (const spec of jobs) {
      if (results.has(spec.id)) continue;
      const job = await queue.getJob(spec.id);
      if (!job) throw new Error(`queue: job ${spec.label} (${spec.id}) is gone from the queue (removed by hand?); re-run to enqueue it again`);
      const state = await job.getState();
      const p = progressOf(job);
      const before = seen.get(spec.id);
      const now = Date.now();
      pace.see(spec.id, p, now);
      const eta = state === 'active' ? pace.eta(spec.id, p, now) : undefined;
      rows.set(spec.id, jobRow(spec.id, spec.label, state, p, eta, state === 'failed' ? job.failedReason : undefined));
      if (state === 'completed') {
        results.set(spec.id, job.returnvalue);
        o.log(describe(spec.label, 'done', p));
        continue;
      }
      if (state === 'failed') {
        o.board?.([...rows.values()]);
        throw new Error(
          `queue: job ${spec.label} failed after ${job.attemptsMade} attempt(s): ${job.failedReason}\n(fix the cause and re-run the same command: it attaches to the queue and retries the failed jobs)`,
        );
      }
      const requeued = before?.state === 'active' && state !== 'active' ? ' (its worker stopped or it failed: re-queued)' : '';
      if (!before || before.state !== state || before.worker !== p.worker) o.log(`${describe(spec.label, state, p)}${requeued}`);
      else if (!o.board && p.step !== before.step && now - (lastStepLog.get(spec.id) ?? 0) >= STEP_EVERY_MS) {
        o.log(describe(spec.label, state, p, etaText(eta)));
        lastStepLog.set(spec.id, now);
      }
      seen.set(spec.id, { state, step: p.step, worker: p.worker });
    }
    o.board?.([...rows.values()]);
    if (results.size === jobs.length) return results;
    await new Promise((r) => setTimeout(r, o.pollMs ?? 1_000));
  }
}
