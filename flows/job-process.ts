/**
 * Runs one job in its own child process (flows/job-child.ts) and resolves with its result: the worker and
 * `--parallel` both use it, so a crash, an abort or an out-of-memory kill ends that job alone. The error of
 * a failed job names the job and carries the child's last stderr lines.
 */
import { fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { JobProgress, JobSpec } from '../src/queue/job-spec.ts';
import type { ChildMessage, ChildRequest } from './job-child.ts';

export interface JobProcessIo {
  readonly backend?: string;
  readonly onLog?: (line: string) => void;
  readonly onProgress?: (progress: JobProgress) => void;
  readonly onStart?: (child: ChildProcess) => void;
}

/** The job's config was refused before it ran: retrying cannot help. */
export class InvalidJobError extends Error {
  override readonly name = 'InvalidJobError';
}

// The child entry beside this module, in this module's own form: from a checkout the TypeScript entry through
// tsx's ESM loader (by absolute path: the child's working directory need not hold node_modules); from the
// built package (dist/, .js) the compiled entry; from an esbuild bundle (.device/cli.mjs) job-child.mjs bundled
// beside it (`bash bench/device-pack.sh flows/job-child.ts`).
const STDERR_TAIL = 4000;

function childCommand(): { entry: string; execArgv: string[] } {
  const ext = path.extname(fileURLToPath(import.meta.url));
  const entry = fileURLToPath(new URL(`./job-child${ext}`, import.meta.url));
  if (!fs.existsSync(entry)) {
    throw new Error(
      `jobs run in child processes, whose entry ${entry} is missing${ext === '.mjs' ? ': bundle it too (bash bench/device-pack.sh flows/job-child.ts)' : ''}`,
    );
  }
  const execArgv = ext === '.ts' ? ['--import', pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href] : [];
  return { entry, execArgv };
}

export function runJobProcess(job: Pick<JobSpec, 'id' | 'label' | 'kind' | 'config'>, io: JobProcessIo = {}): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const { entry, execArgv } = childCommand();
    const child = fork(entry, [], { execArgv, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
    io.onStart?.(child);
    let stderr = '';
    let outcome: ChildMessage | undefined;
    child.stderr!.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-STDERR_TAIL);
    });
    // The flows log through IPC; stdout carries only library chatter (tfjs banners), dropped.
    child.stdout!.resume();
    child.on('message', (m: ChildMessage) => {
      if (m.type === 'log') io.onLog?.(m.line);
      else if (m.type === 'progress') io.onProgress?.({ ...m.progress, pid: child.pid });
      else outcome = m;
    });
    child.on('error', (e) => reject(new Error(`job ${job.label}: could not start its process: ${e.message}`)));
    child.on('exit', (code, signal) => {
      if (outcome?.type === 'done' && code === 0) return resolve(outcome.result);
      if (outcome?.type === 'error') {
        const message = `job ${job.label}: ${outcome.message}`;
        return reject(outcome.invalid ? new InvalidJobError(message) : new Error(message));
      }
      const how = signal ? `was killed by ${signal}${signal === 'SIGKILL' ? ' (out of memory?)' : ''}` : `exited with status ${code}`;
      const tail = stderr.trim() === '' ? '' : `; its last stderr:\n${stderr.trim()}`;
      reject(new Error(`job ${job.label}: its process ${how} before finishing${tail}`));
    });
    child.send({ id: job.id, label: job.label, kind: job.kind, config: job.config, backend: io.backend } satisfies ChildRequest);
  });
}
