import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openRun } from '../../../flows/run-context.ts';
import { RecordingWriter } from '../../../src/recording/index.ts';
import { recordToJson, replayJsonl, resolveRecordingPath, runFacts, runInfo, summarize } from '../../../flows/replay.ts';
import { resolveReplayConfig } from '../../../src/recording/replay-config.ts';
import { replayDashboard } from '../../../tui/commands/replay.ts';
import { rolloutLike, tempDir } from '../../src/recording/helpers.ts';

let dir: string;
beforeEach(() => {
  dir = tempDir();
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

function cli(...args: string[]) {
  return spawnSync(process.execPath, ['--import', 'tsx', 'tui/cli.ts', 'replay', ...args], { encoding: 'utf8', timeout: 30_000 });
}

describe('asymflow replay', () => {
  it('prints one JSON object per record with typed arrays as plain arrays', async () => {
    const file = path.join(dir, 'rollouts.msgpack');
    const writer = RecordingWriter.open(file, { kind: 'rollouts' });
    const records = [rolloutLike(0, 3), rolloutLike(1, 3)];
    for (const r of records) writer.write(r);
    writer.close();
    const out = new PassThrough();
    let text = '';
    out.on('data', (chunk: Buffer) => (text += chunk.toString()));
    expect(await replayJsonl(file, out)).toBe(2);
    const lines = text
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines).toEqual(records.map((r) => ({ ...r, tokens: Array.from(r.tokens), logprobs: Array.from(r.logprobs) })));
    expect(recordToJson({ big: 2n, huge: 2n ** 70n, f: new Float32Array([0.5]) })).toBe('{"big":2,"huge":"1180591620717411303424","f":[0.5]}');
  });

  it('reads a run directory as its metrics, summarised or as JSON lines through the CLI', async () => {
    const run = openRun({ out: path.join(dir, 'run'), config: { task: 'gc' } });
    run.emitMany(0, { a: 0.5, 'loss/p': 2 });
    run.emit(1, 'a', 0.75);
    run.close();
    expect(resolveRecordingPath(run.dir)).toBe(run.file('metrics.msgpack'));
    const summary = await summarize(run.file('metrics.msgpack'));
    expect(summary).toContain('kind     metrics (schema 1)');
    expect(summary).toContain('records  3');
    const result = cli(run.dir, '--jsonl', '--speed', '1000');
    expect(result.stderr).toBe('');
    const lines = result.stdout
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines.map((m) => [m.step, m.name, m.value])).toEqual([
      [0, 'a', 0.5],
      [0, 'loss/p', 2],
      [1, 'a', 0.75],
    ]);
  });

  it('re-plays metrics as plain log lines when --dashboard has no terminal', () => {
    const run = openRun({ out: path.join(dir, 'run'), config: { task: 'gc' } });
    for (let step = 0; step < 3; step++) run.emitMany(step, { a: step / 4, ap: step / 8 });
    run.close();
    const result = cli(run.file('metrics.msgpack'), '--dashboard');
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('step 2 a=0.500 ap=0.250'); // the plain log's last line of the re-played run
  });

  it("names the task and the planned steps of each verb's run (the dashboard header and its ETA)", () => {
    expect(runFacts({ config: { task: 'sudoku', steps: 40, prePerceptionSteps: 10 }, taskOptions: {} })).toEqual({ task: 'sudoku', totalSteps: 50 }); // sft
    expect(runFacts({ rl: { task: 'gc', steps: 12 }, taskOptions: {} })).toEqual({ task: 'gc', totalSteps: 12 });
    expect(runFacts({ eval: { task: 'gc', n: 5 } })).toEqual({ task: 'gc', totalSteps: undefined });
    expect(runFacts({ task: 'gc', split: 'test' })).toEqual({ task: 'gc', totalSteps: undefined }); // gen
    expect(runFacts(null)).toEqual({});
    const run = openRun({ out: path.join(dir, 'sft-run'), config: { config: { task: 'sudoku', steps: 8, prePerceptionSteps: 0 } } });
    run.close();
    const info = runInfo(path.join(dir, 'sft-run', 'metrics.msgpack'), { kind: 'metrics', schema: 1, created: '', commit: null, config: null });
    expect(info).toMatchObject({ run: 'sft-run', task: 'sudoku', totalSteps: 8 });
  });

  it('rejects a bad speed, a non-metrics file on the dashboard and a directory without metrics', async () => {
    expect(() => resolveReplayConfig({ speed: 'fast' })).toThrow('replay.speed must be a positive number, got "fast"');
    expect(() => resolveReplayConfig({ speed: '0' })).toThrow('replay.speed must be a positive number, got "0"');
    expect(resolveReplayConfig({ speed: '2.5' }).speed).toBe(2.5);
    expect(resolveReplayConfig({}).speed).toBeUndefined(); // as fast as possible
    expect(() => resolveReplayConfig({ jsonl: true, dashboard: true })).toThrow('replay: choose one of --jsonl and --dashboard');
    expect(() => resolveRecordingPath(dir)).toThrow(`replay: ${dir} is a directory without metrics.msgpack`);
    const file = path.join(dir, 'r.msgpack');
    RecordingWriter.open(file, { kind: 'rollouts' }).close();
    await expect(replayDashboard(file)).rejects.toThrow(`replay: --dashboard needs a metrics recording, ${file} holds 'rollouts' records`);
  });
});
