/**
 * The BullMQ side shared by coordinator and workers: one queue name, one way to connect, and the job options
 * every enqueued job gets. Redis holds, per job, its data (kind, label, config, the shared run directory),
 * its state, progress and result; the run directories themselves stay on the shared `--out` storage.
 */
import { Redis } from 'ioredis';
import type { JobKind } from './job-spec.ts';
import type { SharedOut } from './shared-out.ts';

export const QUEUE_NAME = 'asymflow';

/** What a queued job holds (job.data). */
export interface QueuedJobData {
  readonly kind: JobKind;
  readonly label: string;
  readonly config: Readonly<Record<string, unknown>>;
  readonly shared: SharedOut;
}

/** Retries for a job whose run failed (its process crashed, an error): each retry resumes from the run's checkpoint. */
export const DEFAULT_ATTEMPTS = 3;

export const jobOptions = (jobId: string, attempts = DEFAULT_ATTEMPTS) => ({
  jobId,
  attempts,
  backoff: { type: 'exponential' as const, delay: 5_000 },
  // Kept: a finished job is what a re-run coordinator attaches to, and a failed one shows its error.
  removeOnComplete: false,
  removeOnFail: false,
});

/** A connection for BullMQ (blocking commands need maxRetriesPerRequest: null). */
export const connect = (url: string): Redis => new Redis(url, { maxRetriesPerRequest: null });
