/**
 * The queue's pieces that need no Redis: job ids from config hashes, DAG → BullMQ trees that keep every
 * dependency, URL checks and password redaction, the shared-directory marker, and the worker's refusal of
 * unknown kinds and invalid configs.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { validateJob } from '../../flows/job-run.ts';
import { parallelExecutor } from '../../flows/parallel-runner.ts';
import { partJobs } from '../../flows/reproduce-jobs.ts';
import { jobId, jobSpec, topologicalOrder, type JobSpec } from '../../src/queue/job-spec.ts';
import { jobTrees, type JobNode } from '../../src/queue/job-tree.ts';
import { JobPace, type JobRow } from '../../src/queue/job-board.ts';
import { mergeProgress, progressFromLine } from '../../src/queue/log-progress.ts';
import { parseQueueUrl, redactUrl } from '../../src/queue/redis-url.ts';
import { markSharedOut, MARKER, sharedOutProblem } from '../../src/queue/shared-out.ts';
import { executorFrom } from '../../tui/commands/executor-flags.ts';
import { workerCommand } from '../../tui/commands/worker.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'asymflow-queue-units-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Every job id below `node` in the tree. */
const below = (node: JobNode): string[] => node.children.flatMap((c) => [c.job.id, ...below(c)]);
const nodes = (trees: JobNode[]): JobNode[] => trees.flatMap((t) => [t, ...nodes(t.children)]);
/** Parts of one seed (0) in DIR, named by themselves. */
const items = (parts: string[], out: string, seed = 0) => parts.map((part) => ({ run: { seed, dir: out }, part, name: part }));

describe('job ids', () => {
  it('hash the kind and the config, whatever the key order', () => {
    expect(jobId('sft-setting', { a: 1, b: { c: 2, d: [1, 2] } })).toBe(jobId('sft-setting', { b: { d: [1, 2], c: 2 }, a: 1 }));
    expect(jobId('sft-setting', { a: 1 })).not.toBe(jobId('sft-setting', { a: 2 }));
    expect(jobId('sft-setting', { a: 1 })).not.toBe(jobId('rl-alpha', { a: 1 }));
    expect(jobId('rl-alpha', { a: 1 })).toMatch(/^rl-alpha-[0-9a-f]{24}$/);
  });
});

describe('job trees', () => {
  it("keep every reproduce dependency: a job's dependencies all run below it", () => {
    const jobs = partJobs(
      items(['gc/sft', 'gc/lambda', 'gc/ngdiff', 'gc/prestage', 'gc/rl', 'gc/diagnose', 'gc/surrogate-rl', 'sudoku/sft', 'sudoku/rl'], '/x'),
      { preset: 'smoke', backend: 'auto' },
    );
    const trees = jobTrees(jobs);
    const byLabel = new Map(nodes(trees).map((n) => [n.job.label, n]));
    expect(byLabel.size).toBe(jobs.length); // each job once
    for (const j of jobs) for (const d of j.dependsOn) expect(below(byLabel.get(j.label)!)).toContain(d);
    expect(byLabel.get('gc/rl')!.job.dependsOn).toEqual([byLabel.get('gc/sft')!.job.id]);
    // Independent parts and the other task stay separate trees.
    expect(trees.map((t) => t.job.label).sort()).toEqual(['gc/lambda', 'gc/ngdiff', 'gc/prestage', 'gc/surrogate-rl', 'sudoku/rl']);
  });

  it('keep each seed apart: the same part of two seeds is two jobs, each waiting only for its own seed', () => {
    const jobs = partJobs([...items(['gc/sft', 'gc/rl'], '/x/seed-0', 0), ...items(['gc/sft', 'gc/rl'], '/x/seed-1', 1)], { preset: 'smoke', backend: 'auto' });
    expect(new Set(jobs.map((j) => j.id)).size).toBe(4);
    const [sft0, rl0, sft1, rl1] = jobs;
    expect(rl0.dependsOn).toEqual([sft0.id]);
    expect(rl1.dependsOn).toEqual([sft1.id]);
    expect(rl1.config).toEqual({ out: '/x/seed-1', part: 'gc/rl', preset: 'smoke', seed: 1, backend: 'auto' });
  });

  it('refuse a cycle and an unknown dependency by name', () => {
    const a: JobSpec = { ...jobSpec('sft-setting', 'a', { n: 1 }), dependsOn: ['b-id'] };
    const b: JobSpec = { ...jobSpec('sft-setting', 'b', { n: 2 }), id: 'b-id', dependsOn: [a.id] };
    expect(() => topologicalOrder([a, b])).toThrow('jobs: dependency cycle a → b → a');
    expect(() => topologicalOrder([a])).toThrow('jobs: a depends on b-id, which is not among the jobs');
  });
});

describe('queue URL', () => {
  it('redacts the password and checks the form', () => {
    expect(redactUrl('redis://:s3cret@host:6379/0')).toBe('redis://:***@host:6379/0');
    expect(redactUrl('redis://alice:s3cret@host:6379')).toBe('redis://alice:***@host:6379');
    expect(redactUrl('redis://host:6379')).toBe('redis://host:6379');
    expect(parseQueueUrl('redis://:pw@10.0.0.5:6380')).toMatchObject({ host: '10.0.0.5', port: 6380, redacted: 'redis://:***@10.0.0.5:6380' });
    expect(() => parseQueueUrl('http://:pw@host:1')).toThrow("--queue must start with redis:// or rediss://, got 'http://:***@host:1'");
    expect(() => parseQueueUrl('nonsense')).toThrow("--queue must be a Redis URL like redis://HOST:PORT, got 'nonsense'");
    expect(() => parseQueueUrl('redis://h:1/x')).toThrow("--queue: the database after the host must be a number, got '/x'");
  });

  it('is exclusive with --parallel, and the worker needs one', async () => {
    expect(() => executorFrom('sweep sft', { queue: 'redis://h:1', parallel: '2' }, dir, () => {})).toThrow(
      'sweep sft: --queue and --parallel exclude each other',
    );
    expect(() => executorFrom('reproduce', { parallel: '0' }, dir, () => {})).toThrow("reproduce: --parallel must be a positive integer, got '0'");
    expect(executorFrom('reproduce', {}, dir, () => {})).toBeUndefined();
    await expect(workerCommand({})).rejects.toThrow('worker: --queue redis://HOST:PORT is required');
    await expect(workerCommand({ queue: 'redis://h:1', slots: '1.5' })).rejects.toThrow('worker.slots must be a positive integer, got 1.5');
  });
});

describe('shared run directory', () => {
  it('keeps its token across coordinator runs and tells a worker that cannot see it', () => {
    const out = path.join(dir, 'shared');
    const first = markSharedOut(out);
    expect(markSharedOut(out)).toEqual(first);
    expect(sharedOutProblem(first)).toBeUndefined();
    expect(sharedOutProblem({ ...first, token: 'other' })).toContain('belongs to another coordinator');
    const missing = { dir: path.join(dir, 'elsewhere'), token: first.token };
    expect(sharedOutProblem(missing)).toContain(`cannot see the coordinator's run directory ${missing.dir} (no ${MARKER} there)`);
  });
});

describe('job validation', () => {
  it('runs only known kinds with configs its verb accepts', () => {
    expect(() => validateJob('shell', { out: dir })).toThrow('unknown job kind "shell"');
    expect(() => validateJob('reproduce-part', { out: 'relative', part: 'gc/sft', preset: 'smoke', backend: 'auto' })).toThrow(
      'job reproduce-part: out must be an absolute directory',
    );
    expect(() => validateJob('reproduce-part', { out: dir, part: 'gc/nope', preset: 'smoke', backend: 'auto' })).toThrow(
      "job reproduce-part: unknown part 'gc/nope'",
    );
    expect(() => validateJob('reproduce-part', { out: dir, part: 'gc/sft', preset: 'huge', backend: 'auto' })).toThrow(
      "--preset must be smoke, full or paper, got 'huge'",
    );
    expect(validateJob('reproduce-part', { out: dir, part: 'gc/sft', preset: 'smoke', backend: 'auto' }).config).toMatchObject({ seed: 0 });
    expect(() => validateJob('reproduce-part', { out: dir, part: 'gc/sft', preset: 'smoke', seed: -1, backend: 'auto' })).toThrow(
      'job reproduce-part: seed must be a non-negative integer, got -1',
    );
    const setting = { name: 'standard', label: 'standard', objective: 'standard' };
    expect(() => validateJob('sft-setting', { out: dir, setting: { ...setting, name: '../x' }, base: {}, taskOptions: {}, modelOptions: {} })).toThrow(
      'plain directory name',
    );
    expect(() => validateJob('sft-setting', { out: dir, setting, base: { task: 'gc', out: dir, steps: -1 }, taskOptions: {}, modelOptions: {} })).toThrow(
      'sft.steps must be a positive integer',
    );
    expect(() => validateJob('rl-alpha', { out: dir, alpha: 2, base: {}, taskOptions: {} })).toThrow('job rl-alpha: alpha must be a number in [0, 1], got 2');
  });
});

describe('progress from log lines', () => {
  it("reads steps and accuracies from the runs' lines, and merges them over what the run reported", () => {
    expect(progressFromLine('rl step 3/12: R 0.250  a 0.125')).toEqual({ line: 'rl step 3/12: R 0.250  a 0.125', step: 3, totalSteps: 12 });
    const e = progressFromLine('eval @ step 200: a 12.5% a_p 40.0% ã_r 30.0% a_r 3.1% (n=128, parse failures 0)');
    expect(e).toMatchObject({ step: 200, metrics: { 'eval/a': 0.125, 'eval/ap': 0.4, 'eval/ar': 0.031 } });
    expect(progressFromLine('sft: evaluating step 4: 8/16 (50%) · 0:03')).toEqual({ line: 'sft: evaluating step 4: 8/16 (50%) · 0:03' });
    const merged = mergeProgress({ step: 5, totalSteps: 10, metrics: { 'eval/a': 0.5, 'eval/ap': 0.7 } }, { line: 'x', metrics: { 'eval/a': 0.6 } });
    expect(merged).toEqual({ step: 5, totalSteps: 10, line: 'x', metrics: { 'eval/a': 0.6, 'eval/ap': 0.7 } });
  });

  it('give an ETA from the pace since the job was first seen on its worker', () => {
    const pace = new JobPace();
    pace.see('j', { step: 10, totalSteps: 110, worker: 'a:1' }, 0);
    expect(pace.eta('j', { step: 10, totalSteps: 110 }, 1_000)).toBeUndefined();
    expect(pace.eta('j', { step: 20, totalSteps: 110, worker: 'a:1' }, 10_000)).toBe(90_000);
    pace.see('j', { step: 20, totalSteps: 110, worker: 'b:2' }, 50_000); // resumed elsewhere: a new pace
    expect(pace.eta('j', { step: 30, totalSteps: 110, worker: 'b:2' }, 55_000)).toBe(40_000);
  });
});

describe('--parallel scheduling', () => {
  it('runs at most K at once, each job after its dependencies, and reports every failure', async () => {
    const jobs = partJobs(items(['gc/sft', 'gc/lambda', 'gc/ngdiff', 'gc/rl', 'gc/diagnose', 'gc/surrogate-rl'], dir), { preset: 'smoke', backend: 'auto' });
    const label = new Map(jobs.map((j) => [j.id, j.label]));
    const events: string[] = [];
    let now = 0;
    let peak = 0;
    const run = async (job: { id: string; label: string }) => {
      now++;
      peak = Math.max(peak, now);
      events.push(`start ${job.label}`);
      await new Promise((r) => setTimeout(r, 5));
      events.push(`end ${job.label}`);
      now--;
      return job.label;
    };
    const boards: (readonly JobRow[])[] = [];
    const results = await parallelExecutor({ slots: 2, log: () => {}, run, board: (rows) => boards.push(rows) })(jobs);
    // the live board saw every job, two running at once at some point, all completed at the end
    expect(boards[0].map((r) => r.state)).toEqual(['active', ...jobs.slice(1).map(() => 'waiting')]);
    expect(boards.some((b) => b.filter((r) => r.state === 'active').length === 2)).toBe(true);
    expect(boards.at(-1)!.map((r) => r.state)).toEqual(jobs.map(() => 'completed'));
    expect(peak).toBe(2);
    expect([...results.values()].sort()).toEqual(jobs.map((j) => j.label).sort());
    for (const j of jobs) for (const d of j.dependsOn) expect(events.indexOf(`end ${label.get(d)}`)).toBeLessThan(events.indexOf(`start ${j.label}`));

    const failing = async (job: { label: string }) => {
      if (job.label === 'gc/sft') throw new Error('job gc/sft: out of memory');
      return job.label;
    };
    await expect(parallelExecutor({ slots: 3, log: () => {}, run: failing })(jobs)).rejects.toThrow('1 job(s) failed:\njob gc/sft: out of memory');
  });
});
