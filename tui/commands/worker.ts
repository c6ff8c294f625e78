/**
 * `asymflow worker --queue redis://HOST:PORT [--slots K] [--backend NAME]`: runs queued sweep and reproduce
 * jobs (flows/queue-worker.ts) until stopped. Ctrl-C / SIGTERM: take no new jobs and let the running ones
 * finish; a second one kills them (the queue re-queues them to another worker, which resumes them).
 */
import type { Command } from 'commander';
import type { RunningWorker } from '../../flows/queue-worker.ts';
import { toStderr } from '../../src/output-lines.ts';
import { redactUrl } from '../../src/queue/redis-url.ts';
import { resolveWorkerConfig, WORKER_OPTIONS } from '../../src/queue/worker-config.ts';
import { addOptionFlags } from './option-flags.ts';

export async function workerCommand(flags: Readonly<Record<string, unknown>>, log: (line: string) => void = toStderr): Promise<RunningWorker> {
  const config = resolveWorkerConfig(flags);
  // Loaded on use, so `worker --help` loads no tfjs.
  const [{ startWorker }, { parseBackendRequest }] = await Promise.all([import('../../flows/queue-worker.ts'), import('../../src/backend/index.ts')]);
  if (config.backend !== '') parseBackendRequest(config.backend, '--backend');
  return startWorker({
    url: config.queue,
    slots: config.slots,
    backend: config.backend || undefined, // '': what each job asks for
    lockMs: config.lockMs,
    stalledCheckMs: config.stalledCheckMs,
    log: (line) => log(redactUrl(line)),
  });
}

export function registerWorker(program: Command): void {
  const command = program.command('worker').description('run queued sweep/reproduce jobs from Redis, up to --slots at once, each in its own process');
  addOptionFlags(command, WORKER_OPTIONS, { required: ['queue'] }).action(async (opts: Record<string, unknown>) => {
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
