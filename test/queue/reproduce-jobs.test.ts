/**
 * `reproduce` with its parts as jobs: two seeds of gc/sft and gc/rl (rl needs its seed's sft) on the hidden
 * `test` preset, run one after another in-process, with `--parallel 2` (child processes), and through the
 * queue (redis-server on a free port, one `asymflow worker` with two slots). Each way trains the same
 * weights (the SFT runs' weightsSha256, the RL runs' final weight files), the report's numbers are the same,
 * every rl part starts after its own seed's sft part finished, and a second coordinator started while the
 * jobs run attaches to them instead of running them twice. Then `sweep rl --queue` on that worker gives the
 * in-process sweep's table and weights.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, QUEUE_NAME } from '../../src/queue/bull.ts';
import { reproduceCommand } from '../../tui/commands/reproduce.ts';
import { sweepRlCommand } from '../../tui/commands/sweep-rl.ts';
import { startRedis, type TestRedis } from './redis-server.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const FLAGS = { preset: 'test', tasks: 'gc', backend: 'wasm', only: 'gc/sft,gc/rl', seeds: '0,1' };
const SEEDS = ['seed-0', 'seed-1'];
const ALPHAS = ['alpha-0', 'alpha-0.5', 'alpha-1'];

let dir: string;
let redis: TestRedis;
let worker: ChildProcess;
const workerLines: string[] = [];

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'asymflow-reproduce-jobs-'));
  redis = await startRedis();
  // One worker with two slots for both tests: it waits on Redis (idle) until the queue has jobs.
  worker = spawn(process.execPath, ['--import', 'tsx', 'tui/cli.ts', 'worker', '--queue', redis.url, '--slots', '2'], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  for (const s of [worker.stdout!, worker.stderr!]) s.on('data', (d: Buffer) => workerLines.push(...d.toString().split('\n').filter(Boolean)));
});
afterAll(async () => {
  if (worker && worker.exitCode === null) worker.kill('SIGKILL');
  await redis?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

const sha = (file: string) => createHash('sha256').update(fs.readFileSync(file)).digest('hex');
const json = (file: string) => JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;

/** What training produced in OUT: every run's weights and every part's recorded figures. */
function trained(out: string): Record<string, unknown> {
  const got: Record<string, unknown> = {};
  for (const seed of SEEDS) {
    got[`${seed}/sft weights`] = json(path.join(out, seed, 'gc', 'sft', 'standard', 'summary.json')).weightsSha256;
    got[`${seed}/sft result`] = json(path.join(out, seed, 'gc', 'sft', 'summary.json')).result;
    got[`${seed}/rl result`] = json(path.join(out, seed, 'gc', 'rl', 'summary.json')).result;
    for (const alpha of ALPHAS) {
      const latest = path.join(out, seed, 'gc', 'rl', alpha, 'checkpoints', 'latest');
      got[`${seed}/rl/${alpha} weights`] = fs
        .readdirSync(latest)
        .filter((f) => f.startsWith('weights-'))
        .map((f) => sha(path.join(latest, f)));
    }
  }
  return JSON.parse(JSON.stringify(got).replaceAll(out, 'DIR')) as Record<string, unknown>; // run directories named alike
}

/** report.md without what differs between any two runs of the same work: when it was written, by which commit, wall and finishing times. */
const reportNumbers = (out: string) =>
  fs
    .readFileSync(path.join(out, 'report.md'), 'utf8')
    .replace(/^Written \S+ by /m, 'Written (time) by ')
    .replace(/^- runs by: .*$/m, '- runs by: (version)')
    .replace(/\| \d+(\.\d+)? s \|[^|]*\| \d{4}-\d\d-\d\dT[\d:.]+Z \|/g, '| (time) | (device time) | (time) |')
    .replace(/Total wall time of the finished parts: .*/, '');

describe('reproduce parts as jobs', () => {
  it('trains the same weights and writes the same report one after another, with --parallel 2 and through the queue', { timeout: 600_000 }, async () => {
    const serial = path.join(dir, 'serial');
    await reproduceCommand({ ...FLAGS, out: serial }, () => {});
    const expected = trained(serial);
    expect(expected['seed-0/sft weights']).not.toEqual(expected['seed-1/sft weights']); // the seeds are different runs

    const parallel = path.join(dir, 'parallel');
    const lines: string[] = [];
    const p = await reproduceCommand({ ...FLAGS, out: parallel, parallel: '2' }, (l) => lines.push(l));
    expect(p).toMatchObject({ ran: ['seed-0/gc/sft', 'seed-0/gc/rl', 'seed-1/gc/sft', 'seed-1/gc/rl'] });
    expect(lines.filter((l) => /^parallel: .*: started \(2\/2 slots\)$/.test(l)).length).toBeGreaterThan(0); // two parts at once
    // each rl part started after its seed's sft part was done
    for (const seed of SEEDS) {
      const started = lines.findIndex((l) => l.startsWith(`parallel: ${seed}/gc/rl: started`));
      expect(started).toBeGreaterThan(lines.indexOf(`parallel: ${seed}/gc/sft: done`));
      expect(lines.indexOf(`parallel: ${seed}/gc/sft: done`)).toBeGreaterThanOrEqual(0);
    }
    expect(trained(parallel)).toEqual(expected);
    expect(reportNumbers(parallel)).toBe(reportNumbers(serial));

    // Through the queue: one worker with two slots; a second coordinator, started once a job runs, attaches.
    const queued = path.join(dir, 'queued');
    const first: string[] = [];
    const coordinator = reproduceCommand({ ...FLAGS, out: queued, queue: redis.url }, (l) => first.push(l));
    const connection = connect(redis.url);
    const queue = new Queue(QUEUE_NAME, { connection });
    try {
      const deadline = Date.now() + 300_000;
      // both seeds' trees enqueued by the first coordinator, and a job running
      const started = async () => first.filter((l) => l.startsWith('queue: enqueued')).length === 2 && (await queue.getActiveCount()) > 0;
      while (!(await started()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      const second: string[] = [];
      const again = reproduceCommand({ ...FLAGS, out: queued, queue: redis.url, resume: true }, (l) => second.push(l));
      await Promise.all([coordinator, again]);
      expect(second.filter((l) => / attached \((active|waiting|waiting-children|completed)\)$/.test(l)).length, second.join('\n')).toBeGreaterThan(0);
      expect(second.some((l) => l.startsWith('queue: enqueued'))).toBe(false);

      const jobs = await queue.getCompleted();
      expect(jobs.map((j) => j.data.label).sort()).toEqual(['seed-0/gc/rl', 'seed-0/gc/sft', 'seed-1/gc/rl', 'seed-1/gc/sft']);
      const byLabel = new Map(jobs.map((j) => [j.data.label as string, j]));
      for (const seed of SEEDS) expect(byLabel.get(`${seed}/gc/rl`)!.processedOn!).toBeGreaterThanOrEqual(byLabel.get(`${seed}/gc/sft`)!.finishedOn!);
      // every job finished once (each seed directory's ledger), whichever coordinator asked for it
      const ledger = SEEDS.flatMap((s) =>
        fs
          .readFileSync(path.join(queued, s, 'jobs.jsonl'), 'utf8')
          .trim()
          .split('\n')
          .map((l) => (JSON.parse(l) as { label: string }).label),
      );
      expect(ledger.sort()).toEqual(['seed-0/gc/rl', 'seed-0/gc/sft', 'seed-1/gc/rl', 'seed-1/gc/sft']);
    } finally {
      await queue.close();
      connection.disconnect();
    }
    expect(trained(queued)).toEqual(expected);
    expect(reportNumbers(queued)).toBe(reportNumbers(serial));
  });

  it('runs `sweep rl --queue` to the table and weights of the in-process sweep', { timeout: 300_000 }, async () => {
    const init = path.join(dir, 'serial', 'seed-0', 'gc', 'sft', 'standard', 'checkpoints'); // the first test's SFT run
    expect(fs.existsSync(init), 'the first test leaves an SFT checkpoint').toBe(true);
    const flags = {
      task: 'gc',
      alpha: '0,1',
      init,
      steps: '1',
      prompts: '2',
      group: '2',
      lr: '1e-2',
      maxTokens: '24',
      rolloutBatch: '4',
      bucket: '16',
      evalN: '4',
      evalMaxTokens: '24',
      evalTemperature: '0',
      scoreThreads: '0',
      checkpointEvery: '1',
      backend: 'wasm',
      taskOption: ['minNodes=3', 'maxNodes=3', 'verbosity=0', 'heldOut=0'],
    };
    const here = await sweepRlCommand({ ...flags, out: path.join(dir, 'rl-here') }, { log: () => {}, plot: false });
    const lines: string[] = [];
    const queued = await sweepRlCommand({ ...flags, out: path.join(dir, 'rl-queued'), queue: redis.url }, { log: (l) => lines.push(l), plot: false });
    expect(lines.filter((l) => /^queue: α=[01]: done/.test(l))).toHaveLength(2);
    const row = (r: (typeof here)[number]) => ({ setting: r.setting, a: r.a, ap: r.ap, ar: r.ar });
    expect(queued.map(row)).toEqual(here.map(row));
    expect(fs.readFileSync(path.join(dir, 'rl-queued', 'table.md'), 'utf8')).toBe(fs.readFileSync(path.join(dir, 'rl-here', 'table.md'), 'utf8'));
    const weights = (out: string) =>
      ['alpha-0', 'alpha-1'].map((a) => {
        const latest = path.join(out, a, 'checkpoints', 'latest');
        return fs
          .readdirSync(latest)
          .filter((f) => f.startsWith('weights-'))
          .map((f) => sha(path.join(latest, f)));
      });
    expect(weights(path.join(dir, 'rl-queued'))).toEqual(weights(path.join(dir, 'rl-here')));
    expect(workerLines.some((l) => l.startsWith('worker: α=1: done'))).toBe(true);
  });
});
