/**
 * The queue end to end on the CPU: redis-server on a free local port, two `asymflow worker`s (one slot each)
 * and a `sweep sft --queue` coordinator with two tiny settings. The worker running the first setting to
 * checkpoint is killed with -9 mid-run: its job is detected as stalled and re-queued, the other worker
 * resumes it from the checkpoint, every job finishes, each finishes exactly once (DIR/jobs.jsonl), and the
 * resumed run's weights equal an uninterrupted run's. A second coordinator run attaches instead of enqueuing;
 * a job of an unknown kind and a job whose run directory the worker cannot see are refused.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, QUEUE_NAME } from '../../src/queue/bull.ts';
import { markSharedOut } from '../../src/queue/shared-out.ts';
import type { JobProgress } from '../../src/queue/job-spec.ts';
import { hasCheckpoint, savedStep } from '../../src/sft/sft-checkpoint.ts';
import { sweepSftCommand } from '../../tui/commands/sweep-sft.ts';
import { startRedis, type TestRedis } from './redis-server.ts';
import { MICRO_MODEL_OPTION, MICRO_TASK_OPTION } from '../support/micro-sft.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const STEPS = 12;
const FLAGS = {
  task: 'gc',
  lambda: '0.5',
  with: 'standard',
  steps: String(STEPS),
  batch: '2',
  trainN: '4',
  evalN: '1',
  evalMode: 'e2e',
  evalMaxTokens: '4',
  bucket: '16',
  backend: 'cpu',
  checkpointEvery: '2',
  plots: false,
  modelOption: MICRO_MODEL_OPTION,
  taskOption: MICRO_TASK_OPTION, // 4 graphs of 3 nodes: no room for disjoint splits
};

let dir: string;
let redis: TestRedis;
const workers: { proc: ChildProcess; out: string[] }[] = [];

function startWorker(url: string): { proc: ChildProcess; out: string[] } {
  const proc = spawn(
    process.execPath,
    ['--import', 'tsx', 'tui/cli.ts', 'worker', '--queue', url, '--slots', '1', '--lock-ms', '3000', '--stalled-check-ms', '1000'],
    {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const w = { proc, out: [] as string[] };
  proc.stdout!.on('data', (d: Buffer) => w.out.push(...d.toString().split('\n').filter(Boolean)));
  proc.stderr!.on('data', (d: Buffer) => w.out.push(...d.toString().split('\n').filter(Boolean)));
  return w;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'asymflow-queue-'));
  redis = await startRedis();
  workers.push(startWorker(redis.url), startWorker(redis.url));
});
afterAll(async () => {
  for (const w of workers) if (w.proc.exitCode === null) w.proc.kill('SIGKILL');
  await redis?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('queue', () => {
  it('refuses a job of an unknown kind and a job whose run directory the worker cannot see, without retries', async () => {
    const queue = new Queue(QUEUE_NAME, { connection: connect(redis.url) });
    const shared = { dir: path.join(dir, 'not-shared'), token: 'abc' };
    const visible = markSharedOut(path.join(dir, 'refusals')); // a directory the worker does see
    const shell = await queue.add('shell', { kind: 'shell', label: 'rm', config: { out: dir, command: 'rm -rf /' }, shared: visible }, { attempts: 3 });
    const unseen = await queue.add('sft-setting', { kind: 'sft-setting', label: 'unseen', config: { out: dir }, shared }, { attempts: 3 });
    const reason = async (id: string) => {
      for (let i = 0; i < 3_000; i++) {
        if ((await queue.getJobState(id)) === 'failed') {
          const job = (await queue.getJob(id))!; // read after the state: a copy read before it lacks the reason
          return { reason: job.failedReason, attempts: job.attemptsMade };
        }
        await sleep(100);
      }
      return undefined;
    };
    const a = await reason(shell.id!);
    const b = await reason(unseen.id!);
    await queue.close();
    // Failed on the first try, never retried (attempts: 3 was asked for).
    const seen = JSON.stringify({ a, b });
    expect(a?.attempts, seen).toBeLessThanOrEqual(1);
    expect(b?.attempts, seen).toBeLessThanOrEqual(1);
    expect(b?.reason, seen).toContain(`cannot see the coordinator's run directory ${shared.dir}`);
    expect(a?.reason, seen).toContain('unknown job kind "shell": a worker runs only sft-setting, rl-alpha, reproduce-part');
  }, 400_000);

  it('survives a worker killed with -9 mid-run: re-queued, resumed elsewhere, same weights, each job finished once', async () => {
    const out = path.join(dir, 'sweep');
    const lines: string[] = [];
    const coordinator = sweepSftCommand({ ...FLAGS, out, queue: redis.url }, { log: (l) => lines.push(l) });

    // Kill the worker of the first setting to write a mid-run checkpoint, before its run ends.
    const queue = new Queue(QUEUE_NAME, { connection: connect(redis.url) });
    let victim: { label: string; pid: number; child: number; step: number } | undefined;
    // Generous: on a loaded machine starting two workers and their runs (tsx, tfjs) can take minutes.
    const deadline = Date.now() + 400_000;
    while (!victim && Date.now() < deadline) {
      for (const job of await queue.getActive()) {
        const setting = (job.data.config as { setting: { name: string } }).setting.name;
        const checkpoints = path.join(out, setting, 'checkpoints');
        const p = job.progress as JobProgress;
        if (!hasCheckpoint(checkpoints) || !p.worker || !p.pid) continue;
        const step = savedStep(checkpoints);
        if (step >= STEPS) continue;
        const pid = Number(p.worker.split(':').at(-1));
        process.kill(pid, 'SIGKILL');
        victim = { label: job.data.label as string, pid, child: p.pid, step };
        break;
      }
      if (!victim) await sleep(100);
    }
    expect(victim, 'no job reached a mid-run checkpoint').toBeDefined();
    const survivor = workers.find((w) => w.proc.pid !== victim!.pid)!;

    const { table } = await coordinator;
    expect(table.rows.map((r) => r.setting)).toEqual(['standard', 'λ=0.5']);
    expect(alive(victim!.child)).toBe(false); // the dead worker's run did not go on as an orphan
    // Detected as stalled, re-queued, and resumed by the other worker from its checkpoint.
    const jobs = await queue.getCompleted();
    const killed = jobs.find((j) => j.data.label === victim!.label)!;
    expect(killed.stalledCounter).toBeGreaterThanOrEqual(1);
    expect(lines.some((l) => l.startsWith(`queue: ${victim!.label}:`) && l.includes('re-queued'))).toBe(true);
    expect(survivor.out.some((l) => l.includes(`sweep: ${victim!.label}: resuming`))).toBe(true);
    // Every job finished exactly once.
    const ledger = fs
      .readFileSync(path.join(out, 'jobs.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { job: string });
    expect(ledger.map((l) => l.job).sort()).toEqual(jobs.map((j) => j.id).sort());
    expect(jobs).toHaveLength(2);

    // The resumed run ends with the weights of an uninterrupted run of the same setting.
    const setting = victim!.label === 'standard' ? { with: 'standard', lambda: undefined } : { with: undefined, lambda: '0.5' };
    const straight = await sweepSftCommand({ ...FLAGS, ...setting, out: path.join(dir, 'straight') }, { log: () => {} });
    const resumed = table.rows.find((r) => r.setting === victim!.label)!;
    expect(resumed.weightsSha256).toBe(straight.table.rows[0].weightsSha256);

    // Re-running the coordinator attaches to the finished jobs: nothing is enqueued or run again.
    const again: string[] = [];
    const second = await sweepSftCommand({ ...FLAGS, out, queue: redis.url }, { log: (l) => again.push(l) });
    expect(again.filter((l) => l.includes('attached (completed)'))).toHaveLength(2);
    expect(second.table.rows.map((r) => r.weightsSha256)).toEqual(table.rows.map((r) => r.weightsSha256));
    expect(fs.readFileSync(path.join(out, 'jobs.jsonl'), 'utf8').trim().split('\n')).toHaveLength(2);
    await queue.close();
  }, 700_000);
});
