import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readRecording, RecordingWriter, repairRecording } from '../../../src/recording/index.ts';
import { captureStderr, collect, rolloutLike, tempDir } from './helpers.ts';

let dir: string;
let file: string;
let lastFrameAt: number; // byte offset of the last frame's prefix
let size: number;
const N = 5;

beforeEach(() => {
  dir = tempDir();
  file = path.join(dir, 'r.msgpack');
  const writer = RecordingWriter.open(file, { kind: 'rollouts' });
  for (let i = 0; i < N - 1; i++) writer.write(rolloutLike(i));
  writer.close();
  lastFrameAt = fs.statSync(file).size;
  const appender = RecordingWriter.open(file, { kind: 'rollouts' }, { append: true });
  appender.write(rolloutLike(N - 1));
  appender.close();
  size = fs.statSync(file).size;
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const expected = (n: number) => Array.from({ length: n }, (_, i) => rolloutLike(i));

describe('torn tails', () => {
  it('reads a file cut at any byte of its last frame up to the cut, warning with file and offset', async () => {
    const whole = fs.readFileSync(file);
    for (let cut = lastFrameAt + 1; cut < size; cut++) {
      fs.writeFileSync(file, whole.subarray(0, cut));
      const { result, stderr } = await captureStderr(async () => collect(await readRecording(file)));
      expect(result).toStrictEqual(expected(N - 1));
      expect(stderr).toContain(`${file}: torn tail at byte ${lastFrameAt} (${cut - lastFrameAt} bytes after the last complete frame)`);
      expect(fs.statSync(file).size).toBe(cut); // reading never modifies
    }
  });

  it('repairRecording truncates the torn tail with a warning; a whole file is left alone', async () => {
    const clean = await captureStderr(() => repairRecording(file));
    expect(clean.result).toEqual({ frames: N, validBytes: size, truncatedBytes: 0 });
    expect(clean.stderr).toBe('');
    fs.truncateSync(file, size - 3);
    const { result, stderr } = await captureStderr(() => repairRecording(file));
    expect(result).toEqual({ frames: N - 1, validBytes: lastFrameAt, truncatedBytes: size - 3 - lastFrameAt });
    expect(stderr).toContain(`${file}: torn tail at byte ${lastFrameAt}`);
    expect(stderr).toContain('truncated');
    expect(fs.statSync(file).size).toBe(lastFrameAt);
    const again = await captureStderr(async () => collect(await readRecording(file)));
    expect(again.result).toStrictEqual(expected(N - 1));
    expect(again.stderr).toBe('');
  });

  it('treats a zero-filled tail (what a power loss leaves) as torn', async () => {
    fs.appendFileSync(file, Buffer.alloc(4096));
    const { result, stderr } = await captureStderr(async () => collect(await readRecording(file)));
    expect(result).toStrictEqual(expected(N));
    expect(stderr).toContain(`torn tail at byte ${size} (4096 bytes`);
  });

  it('treats a last frame with a bad checksum as torn', async () => {
    const bytes = fs.readFileSync(file);
    bytes[size - 2] ^= 0xff;
    fs.writeFileSync(file, bytes);
    const { result, stderr } = await captureStderr(async () => collect(await readRecording(file)));
    expect(result).toStrictEqual(expected(N - 1));
    expect(stderr).toContain(`torn tail at byte ${lastFrameAt}`);
  });

  it('an append after a crash truncates the torn tail first, then continues', async () => {
    fs.truncateSync(file, size - 1);
    const { stderr } = await captureStderr(() => {
      const writer = RecordingWriter.open(file, { kind: 'rollouts' }, { append: true });
      writer.write(rolloutLike(99));
      writer.close();
    });
    expect(stderr).toContain(`${file}: torn tail at byte ${lastFrameAt}`);
    expect(await collect(await readRecording(file))).toStrictEqual([...expected(N - 1), rolloutLike(99)]);
  });
});

describe('corruption in the middle', () => {
  it('is an error naming the file and the byte offset, in reading and in repair (which cuts nothing)', async () => {
    const bytes = fs.readFileSync(file);
    const secondLast = lastFrameAt - 20; // inside the payload of frame N-2
    bytes[secondLast] ^= 0xff;
    fs.writeFileSync(file, bytes);
    const recording = await readRecording(file);
    await expect(collect(recording)).rejects.toThrow(new RegExp(`^${file}: corrupt frame at byte \\d+ \\(checksum mismatch\\) with data after it$`));
    expect(() => repairRecording(file)).toThrow(/corrupt frame at byte \d+/);
    expect(fs.statSync(file).size).toBe(size);
  });

  it('names the offset of an impossible length prefix', async () => {
    const bytes = fs.readFileSync(file);
    const header = await readRecording(file); // first record frame starts after magic + header frame
    const firstAt = 8 + 8 + bytes.readUInt32LE(8);
    bytes.writeUInt32LE(0, firstAt);
    fs.writeFileSync(file, bytes);
    expect(header.header.kind).toBe('rollouts');
    await expect(collect(await readRecording(file))).rejects.toThrow(
      `${file}: corrupt frame at byte ${firstAt} (impossible frame length 0) with data after it`,
    );
  });
});
