/**
 * `asymflow worker --queue redis://HOST:PORT [--slots K] [--backend NAME]`: runs queued sweep and reproduce
 * jobs (flows/queue-worker.ts) until stopped. Ctrl-C / SIGTERM: take no new jobs and let the running ones
 * finish; a second one kills them (the queue re-queues them to another worker, which resumes them).
 */
import type { Command } from 'commander';
import type { RunningWorker } from '../../flows/queue-worker.ts';
import { ConfigError } from '../../src/config.ts';
import { toStderr } from '../../src/output-lines.ts';
import { redactUrl } from '../../src/queue/redis-url.ts';

export interface WorkerFlags {
  readonly queue?: string;
  readonly slots?: string | number;
  readonly backend?: string;
  readonly lockMs?: string | number;
  readonly stalledCheckMs?: string | number;
}

const positiveInt = (flag: string, v: string | number | undefined, fallback: number): number => {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new ConfigError(`worker: ${flag} must be a positive integer, got '${v}'`);
  return n;
};

export async function workerCommand(flags: WorkerFlags, log: (line: string) => void = toStderr): Promise<RunningWorker> {
  if (!flags.queue) throw new ConfigError('worker: --queue redis://HOST:PORT is required');
  // Loaded on use, so `worker --help` loads no tfjs.
  const [{ startWorker }, { parseBackendRequest }] = await Promise.all([import('../../flows/queue-worker.ts'), import('../../src/backend/index.ts')]);
  if (flags.backend !== undefined) parseBackendRequest(flags.backend, '--backend');
  return startWorker({
    url: flags.queue,
    slots: positiveInt('--slots', flags.slots, 1),
    backend: flags.backend,
    lockMs: positiveInt('--lock-ms', flags.lockMs, 30_000),
    stalledCheckMs: positiveInt('--stalled-check-ms', flags.stalledCheckMs, 30_000),
    log: (line) => log(redactUrl(line)),
  });
}

export function registerWorker(program: Command): void {
  program
    .command('worker')
    .description('run queued sweep/reproduce jobs from Redis, up to --slots at once, each in its own process')
    .requiredOption('--queue <url>', 'the Redis URL the coordinator enqueued on, redis://[:PASSWORD@]HOST:PORT')
    .option('--slots <k>', 'jobs at once on this machine (several runs share one GPU)', '1')
    .option('--backend <name>', 'auto, tensorflow, webgpu, wasm or cpu (default: what each job asks for)')
    .option('--lock-ms <ms>', 'a job whose worker is silent this long is re-queued', '30000')
    .option('--stalled-check-ms <ms>', 'how often to look for such jobs', '30000')
    .action(async (opts: WorkerFlags) => {
      const worker = await workerCommand(opts);
      let stops = 0;
      const stop = (signal: string) => {
        stops++;
        process.stderr.write(
          stops === 1 ? `worker: ${signal}: finishing the running jobs (again to abandon them)\n` : `worker: ${signal}: abandoning the running jobs\n`,
        );
        void worker.close(stops > 1).then(() => process.exit(stops > 1 ? 130 : 0));
      };
      process.on('SIGINT', () => stop('SIGINT'));
      process.on('SIGTERM', () => stop('SIGTERM'));
    });
}
