import fs from 'node:fs';
import path from 'node:path';
import { from, lastValueFrom, toArray } from 'rxjs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openRun } from '../../flows/run-context.ts';
import type { Metric } from '../../src/records.ts';
import { readRecording } from '../../src/recording/index.ts';
import { collect, rolloutLike, tempDir } from '../src/recording/helpers.ts';

let root: string;
beforeEach(() => {
  root = tempDir();
});
afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

describe('openRun', () => {
  it('lays out the run directory with config.json', () => {
    const run = openRun({ out: path.join(root, 'gc-rl'), config: { rl: { steps: 3 } } });
    expect(run.run).toBe('gc-rl');
    expect(fs.statSync(run.file('plots')).isDirectory()).toBe(true);
    expect(fs.statSync(run.file('checkpoints')).isDirectory()).toBe(true);
    const description = JSON.parse(fs.readFileSync(run.file('config.json'), 'utf8'));
    expect(description).toMatchObject({ run: 'gc-rl', config: { rl: { steps: 3 } }, node: process.version, backend: null });
    expect(description.version).toBe(JSON.parse(fs.readFileSync('package.json', 'utf8')).version);
    expect(description.commit === null || /^[0-9a-f]{40}$/.test(description.commit)).toBe(true);
    run.setBackend('webgpu', 'NVIDIA H100');
    expect(JSON.parse(fs.readFileSync(run.file('config.json'), 'utf8'))).toMatchObject({ backend: 'webgpu', device: 'NVIDIA H100' });
    run.writeSummary({ a: 0.5 });
    expect(JSON.parse(fs.readFileSync(run.file('summary.json'), 'utf8'))).toEqual({ a: 0.5 });
    run.close();
  });

  it('shares one metric stream: every subscriber and the recording see the same values', async () => {
    const run = openRun({ out: path.join(root, 'r'), config: {}, runName: 'named' });
    const first = lastValueFrom(run.metrics$.pipe(toArray()));
    const second = lastValueFrom(run.metrics$.pipe(toArray()));
    run.emit(0, 'loss/p', 1.5);
    run.emitMany(1, { a: 0.25, 'loss/p': Number.NaN });
    run.close();
    run.close();
    const [a, b] = await Promise.all([first, second]);
    expect(a.map(({ step, name, value, run: r }) => ({ step, name, value, r }))).toEqual([
      { step: 0, name: 'loss/p', value: 1.5, r: 'named' },
      { step: 1, name: 'a', value: 0.25, r: 'named' },
      { step: 1, name: 'loss/p', value: Number.NaN, r: 'named' },
    ]);
    a.forEach((metric, i) => expect(b[i]).toBe(metric)); // the same objects, not recomputed
    const recording = await readRecording<Metric>(run.file('metrics.msgpack'));
    expect(recording.header.kind).toBe('metrics');
    expect(await collect(recording)).toEqual(a);
    expect(() => run.emit(2, 'a', 1)).toThrow("run named: metric 'a' emitted after close()");
  });

  it('records a main stream to DIR/<kind>.msgpack with the run config in the header', async () => {
    const run = openRun({ out: path.join(root, 'r'), config: { seed: 7 } });
    const rollouts = [rolloutLike(0), rolloutLike(1)];
    await lastValueFrom(from(rollouts).pipe(run.record('rollouts'), toArray()));
    run.close();
    const recording = await readRecording(run.file('rollouts.msgpack'));
    expect(recording.header).toMatchObject({ kind: 'rollouts', config: { seed: 7 }, meta: { run: 'r' } });
    expect(await collect(recording)).toStrictEqual(rollouts);
  });
});
