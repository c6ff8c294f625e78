/**
 * A pool for `asymflow gen`'s JS-heavy jobs (operators/pool/sample-job.ts): Piscina worker threads, or the
 * calling thread when `threads` is 0 (the single-process baseline of bench/render.ts). Drawing and PNG
 * encoding run in JS on the calling thread (src/render/), so the pool is what spreads them over the cores.
 */
import os from 'node:os';
import { Piscina } from 'piscina';
import { runJob, type Job, type JobResult } from './sample-job.ts';

export interface SamplePool {
  readonly threads: number; // 0: in process
  run<J extends Job>(job: J): Promise<JobResult<J>>;
  /** Stops the workers (waits for jobs in flight); calling it again does nothing. */
  close(): Promise<void>;
}

/** One worker per core by default. */
export function defaultThreads(): number {
  return Math.max(1, typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length);
}

export function openSamplePool(threads = defaultThreads()): SamplePool {
  if (!Number.isInteger(threads) || threads < 0) throw new RangeError(`sample pool threads must be a non-negative integer, got ${threads}`);
  if (threads === 0) return { threads, run: runJob, close: async () => {} };
  const piscina = new Piscina({
    filename: new URL('./sample-worker.mjs', import.meta.url).href,
    minThreads: threads,
    maxThreads: threads,
    idleTimeout: 1_000,
  });
  let closing: Promise<void> | undefined;
  return {
    threads,
    run: (job) => piscina.run(job),
    close: () => (closing ??= piscina.destroy()),
  };
}
