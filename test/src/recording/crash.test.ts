import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readRecording, RecordingWriter, repairRecording } from '../../../src/recording/index.ts';
import { crashRecord } from './fixtures/crash-writer.ts';
import { captureStderr, collect, tempDir } from './helpers.ts';

const child = fileURLToPath(new URL('./fixtures/crash-writer.ts', import.meta.url));

let dir: string;
beforeEach(() => {
  dir = tempDir();
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Runs the writer child until it reports `atLeast` records flushed, SIGKILLs it, returns the last report. */
function recordUntilKilled(file: string, atLeast: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ['--import', 'tsx', child, file], { stdio: ['ignore', 'pipe', 'pipe'] });
    let reported = 0;
    let pending = '';
    let stderr = '';
    proc.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    proc.stdout.on('data', (chunk: Buffer) => {
      pending += chunk.toString();
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) reported = Math.max(reported, Number(line.replace('flushed ', '')));
      if (reported >= atLeast && proc.exitCode === null) proc.kill('SIGKILL');
    });
    proc.on('exit', (code, signal) => (signal === 'SIGKILL' ? resolve(reported) : reject(new Error(`child exited with ${code}: ${stderr}`))));
  });
}

describe('a recording process killed with SIGKILL', () => {
  it('leaves a file that reopens with at most one frame lost relative to what was reported flushed', async () => {
    const file = path.join(dir, 'killed.msgpack');
    const reported = await recordUntilKilled(file, 200);
    expect(reported).toBeGreaterThanOrEqual(200);

    const { result: records, stderr } = await captureStderr(async () => collect(await readRecording<ReturnType<typeof crashRecord>>(file)));
    expect(records.length).toBeGreaterThanOrEqual(reported - 1);
    records.forEach((record, i) => expect(record).toStrictEqual(crashRecord(i)));
    // a torn tail (if the kill landed inside a write) is reported with the file and the offset, never thrown
    if (stderr) expect(stderr).toMatch(new RegExp(`${file}: torn tail at byte \\d+`));

    const repaired = await captureStderr(() => repairRecording(file));
    expect(repaired.result.frames).toBe(records.length);
    const writer = RecordingWriter.open(file, { kind: 'crash-test' }, { append: true });
    writer.write(crashRecord(records.length));
    writer.close();
    expect(await collect(await readRecording(file))).toHaveLength(records.length + 1);
  });
});
