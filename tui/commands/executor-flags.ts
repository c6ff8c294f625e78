/**
 * `--queue URL` and `--parallel K` on `sweep sft`, `sweep rl` and `reproduce`: where the runs go. Neither
 * flag: one after another in this process (the embedded default, no Redis). `--parallel K`: up to K local
 * child processes. `--queue redis://HOST:PORT`: jobs on BullMQ for `asymflow worker`s, this process follows.
 */
import type { Command } from 'commander';
import { ConfigError } from '../../src/config.ts';
import type { JobExecutor } from '../../src/queue/job-spec.ts';
import { parseQueueUrl } from '../../src/queue/redis-url.ts';

export interface ExecutorFlags {
  readonly queue?: string;
  readonly parallel?: string | number;
}

export function addExecutorOptions(command: Command): Command {
  return command
    .option('--queue <url>', 'enqueue the runs on Redis (redis://HOST:PORT) for `asymflow worker`s and follow them; --out must be shared storage')
    .option('--parallel <k>', 'run up to K runs at once as local child processes (several runs on one GPU)');
}

/**
 * The executor the flags ask for (undefined: the in-process default), validated before anything runs. With
 * `live` a terminal, the jobs show on a live board there while they run (tui/jobs/); else `log` gets lines.
 */
export function executorFrom(
  verb: string,
  flags: ExecutorFlags,
  out: string,
  log: (line: string) => void,
  backend?: string,
  live?: NodeJS.WriteStream,
): JobExecutor | undefined {
  if (flags.queue !== undefined && flags.parallel !== undefined)
    throw new ConfigError(`${verb}: --queue and --parallel exclude each other (workers choose their own --slots)`);
  if (flags.queue !== undefined) {
    parseQueueUrl(flags.queue);
    const url = flags.queue;
    // Loaded on use, so --help loads no BullMQ (nor what the runner reaches).
    const title = `${verb} · queue ${parseQueueUrl(url).redacted}`;
    return async (jobs) => {
      const [{ queueExecutor }, { withJobBoard }] = await Promise.all([import('../../flows/queue-coordinator.ts'), import('../jobs/attach-job-board.ts')]);
      return withJobBoard(title, live, log, (io) => queueExecutor({ url, out, ...io })(jobs));
    };
  }
  if (flags.parallel !== undefined) {
    const k = Number(flags.parallel);
    if (!Number.isInteger(k) || k < 1) throw new ConfigError(`${verb}: --parallel must be a positive integer, got '${flags.parallel}'`);
    return async (jobs) => {
      const [{ parallelExecutor }, { withJobBoard }] = await Promise.all([import('../../flows/parallel-runner.ts'), import('../jobs/attach-job-board.ts')]);
      return withJobBoard(`${verb} · ${k} at once`, live, log, (io) => parallelExecutor({ slots: k, backend, ...io })(jobs));
    };
  }
  return undefined;
}
