/**
 * Fault suite, kill -9 (issue 22): `gen`, `import`, `sft` and `rl` run as real processes of the package bin
 * and are SIGKILLed mid-run. Before/after: gen and import over an existing dataset leave the previous shard
 * byte for byte (no partial shard that reads as whole); sft and rl resumed with --resume end with every
 * record of every step exactly once (steps, metrics, rollouts), over the dead process's stale lock.
 * Tiny sizes: each case is a few seconds of work plus the CLI's start-up.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runGenerate } from '../../flows/generate.ts';
import { resolveGenConfig } from '../../src/data/gen-config.ts';
import { groundTruthOf } from '../../src/data/ground-truth.ts';
import { HfParquetWriter } from '../../src/data/parquet-write.ts';
import { LOCK_FILE } from '../../src/io/run-lock.ts';
import { readRecording } from '../../src/recording/index.ts';
import type { Metric } from '../../src/records.ts';
import type { RlScored } from '../../src/rl/rl-records.ts';
import { Rng } from '../../src/rng.ts';
import type { SftStepRecord } from '../../src/sft/step-record.ts';
import { getTask } from '../../src/tasks/registry.ts';
import { rlCommand } from '../../tui/commands/rl.ts';
import { sftCommand } from '../../tui/commands/sft.ts';
import { initCheckpoint } from '../flows/rl-fixtures.ts';
import { MICRO_MODEL_OPTION, MICRO_TASK_OPTION } from '../support/micro-sft.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'asymflow-faults-kill-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const quiet = () => {};

/** Runs the CLI until `ready()` holds (polled), then SIGKILLs it; resolves once it is gone (and reaped). */
async function killWhen(args: readonly string[], ready: () => boolean): Promise<{ signal: NodeJS.Signals | null; code: number | null; stderr: string }> {
  const child = spawn(process.execPath, ['bin/asymflow.js', ...args], { cwd: ROOT, env: { ...process.env, ASYMFLOW_BACKEND: 'cpu' } });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += String(d)));
  child.stdout.resume();
  const poll = setInterval(() => {
    try {
      if (ready()) child.kill('SIGKILL');
    } catch {
      // a file read mid-rename: poll again
    }
  }, 20);
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.on('exit', (c, s) => resolve([c, s])));
  clearInterval(poll);
  return { signal, code, stderr };
}

async function readAll<T>(file: string): Promise<T[]> {
  const out: T[] = [];
  for await (const r of await readRecording<T>(file)) out.push(r);
  return out;
}

const temporaries = (d: string) => fs.readdirSync(d).filter((f) => /\.tmp-\d+-/.test(f));
const jsonStep = (file: string, pick: (j: Record<string, any>) => unknown) =>
  fs.existsSync(file) ? Number(pick(JSON.parse(fs.readFileSync(file, 'utf8')))) : 0;

/** Every (name, step) once, and the steps each metric name has. */
function expectEachMetricOnce(metrics: readonly Metric[]): void {
  const keys = metrics.map((m) => `${m.name}@${m.step}`);
  expect(keys.length - new Set(keys).size, 'duplicated metric records').toBe(0);
}

describe('kill -9', () => {
  it('during gen --overwrite over a dataset: the previous shard survives byte for byte', async () => {
    const out = path.join(dir, 'gen');
    await runGenerate({ config: resolveGenConfig({ task: 'gc', split: 'test', n: 3, out, concurrency: 0 }), taskOptions: {} });
    const shard = path.join(out, 'gc-test.msgpack');
    const before = fs.readFileSync(shard);
    const killed = await killWhen(
      ['gen', '--task', 'gc', '--n', '2000', '--out', out, '--overwrite', '--concurrency', '0'],
      () => temporaries(out).length > 0 && fs.statSync(path.join(out, temporaries(out)[0])).size > 200_000,
    );
    expect(killed.signal, killed.stderr).toBe('SIGKILL');
    expect(fs.readFileSync(shard).equals(before)).toBe(true);
    expect(await readAll(shard)).toHaveLength(3);
    // the next gen takes over the dead process's lock and sweeps its temporary
    await runGenerate({ config: resolveGenConfig({ task: 'gc', split: 'test', n: 2, out, concurrency: 0, overwrite: true }), taskOptions: {} });
    expect(await readAll(shard)).toHaveLength(2);
    expect(temporaries(out)).toEqual([]);
    expect(fs.existsSync(path.join(out, '.gc-test.lock'))).toBe(false);
  }, 120_000);

  it('during import --overwrite: the previous shard survives byte for byte', async () => {
    const task = await getTask('gc');
    const puzzle = task.generate(new Rng('kill/import'), 'gc-test-0', 0, {});
    const png = (await task.render(puzzle, {})).png;
    const parquet = path.join(dir, 'big-test.parquet');
    const writer = new HfParquetWriter(parquet);
    for (let i = 0; i < 3000; i++)
      writer.write({ query: task.query(puzzle), image: { bytes: png, path: `${i}.png` }, ground_truth: groundTruthOf(puzzle), response: null });
    writer.close();
    const out = path.join(dir, 'import');
    await runGenerate({ config: resolveGenConfig({ task: 'gc', split: 'test', n: 2, out, concurrency: 0 }), taskOptions: {} });
    const shard = path.join(out, 'gc-test.msgpack');
    const before = fs.readFileSync(shard);
    const killed = await killWhen(
      ['import', '--parquet', parquet, '--out', out, '--overwrite'],
      () => temporaries(out).length > 0 && fs.statSync(path.join(out, temporaries(out)[0])).size > 200_000,
    );
    expect(killed.signal, killed.stderr).toBe('SIGKILL');
    expect(fs.readFileSync(shard).equals(before)).toBe(true);
    expect(await readAll(shard)).toHaveLength(2);
  }, 120_000);

  it("during sft, then --resume: every step's records exist exactly once", async () => {
    const out = path.join(dir, 'sft');
    const args = [
      'sft',
      '--task',
      'gc',
      '--steps',
      '6',
      '--batch',
      '2',
      '--train-n',
      '4',
      '--eval-n',
      '1',
      '--eval-mode',
      'e2e',
      '--eval-max-tokens',
      '4',
      '--eval-every',
      '0',
      '--checkpoint-every',
      '1',
      '--bucket',
      '16',
      '--lr',
      '0.01',
      '--backend',
      'cpu',
      '--no-plots',
      '--out',
      out,
      '--model-option',
      ...MICRO_MODEL_OPTION,
      '--task-option',
      ...MICRO_TASK_OPTION,
    ];
    const checkpoint = path.join(out, 'checkpoints', 'checkpoint.json');
    const killed = await killWhen(args, () => jsonStep(checkpoint, (j) => j.optimizer.step) >= 2);
    expect(killed.signal, killed.stderr).toBe('SIGKILL');
    const killedAt = jsonStep(checkpoint, (j) => j.optimizer.step);
    expect(killedAt).toBeLessThan(6);
    expect(fs.existsSync(path.join(out, LOCK_FILE))).toBe(true); // the dead process's lock, stale now

    const resumed = await sftCommand({ out, resume: true }, { log: quiet });
    expect(resumed.summary!.steps).toBe(6);
    const steps = await readAll<SftStepRecord>(path.join(out, 'steps.msgpack'));
    expect(steps.map((s) => s.step)).toEqual([1, 2, 3, 4, 5, 6]);
    const metrics = await readAll<Metric>(path.join(out, 'metrics.msgpack'));
    expectEachMetricOnce(metrics);
    const perStep = (name: string) => metrics.filter((m) => m.name === name).map((m) => m.step);
    for (const name of ['train/loss', 'train/lossP', 'train/gradNorm', 'train/lr', 'throughput/tokensPerSec'])
      expect(perStep(name), name).toEqual([1, 2, 3, 4, 5, 6]);
    expect(fs.existsSync(path.join(out, LOCK_FILE))).toBe(false);
  }, 180_000);

  it("during rl, then --resume: every step's rollouts and metrics exist exactly once", async () => {
    const init = await initCheckpoint(dir);
    const out = path.join(dir, 'rl');
    const common = {
      init,
      task: 'gc',
      steps: 4,
      prompts: 2,
      group: 2,
      maxTokens: 8,
      evalN: 0,
      rolloutBatch: 4,
      bucket: 16,
      alpha: 0.5,
      lr: 1e-3,
      scoreThreads: 0,
      checkpointEvery: 1,
      seed: 5,
      backend: 'cpu',
      out,
    };
    const args = ['rl', ...Object.entries(common).flatMap(([k, v]) => [`--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`, String(v)])];
    const checkpoint = path.join(out, 'checkpoints', 'latest', 'checkpoint.json');
    const killed = await killWhen(args, () => jsonStep(checkpoint, (j) => j.cursor.step) >= 1);
    expect(killed.signal, killed.stderr).toBe('SIGKILL');
    expect(jsonStep(checkpoint, (j) => j.cursor.step)).toBeLessThan(4);

    const summary = await rlCommand({ ...common, resume: true }, { log: quiet, monitor: false });
    expect(summary.steps).toBe(4);
    const rollouts = await readAll<RlScored>(path.join(out, 'rollouts.msgpack'));
    expect(rollouts.map((r) => r.step)).toEqual([1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4]);
    const metrics = await readAll<Metric>(path.join(out, 'metrics.msgpack'));
    expectEachMetricOnce(metrics);
    expect(metrics.filter((m) => m.name === 'train/kl').map((m) => m.step)).toEqual([1, 2, 3, 4]);
  }, 180_000);
});
