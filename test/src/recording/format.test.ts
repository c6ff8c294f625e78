import fs from 'node:fs';
import path from 'node:path';
import { Packr } from 'msgpackr';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { readRecording, RecordingWriter, SCHEMA_VERSION } from '../../../src/recording/index.ts';
import { collect, rolloutLike, tempDir } from './helpers.ts';

let dir: string;
beforeEach(() => {
  dir = tempDir();
});
afterEach(() => {
  vi.useRealTimers();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('recording format', () => {
  it('round-trips typed arrays exactly, each owning its own memory', async () => {
    const file = path.join(dir, 'typed.msgpack');
    const f32 = new Float32Array([0.1, -2.5, Number.NaN, -0, 3.4028234663852886e38, 1e-45]);
    const record = {
      f32,
      i32: new Int32Array([0, -1, 2147483647, -2147483648]),
      u8: new Uint8Array([0, 255, 7]),
      f64: new Float64Array([Math.PI]),
      nested: { list: [1, 'two', null, true], empty: new Float32Array(0) },
    };
    const writer = RecordingWriter.open(file, { kind: 'rollouts' });
    writer.write(record);
    writer.close();
    const [back] = await collect(await readRecording<typeof record>(file));
    expect(back).toStrictEqual(record);
    expect(back.f32).toBeInstanceOf(Float32Array);
    expect(new Uint8Array(back.f32.buffer, back.f32.byteOffset, back.f32.byteLength)).toEqual(new Uint8Array(f32.buffer));
    for (const view of [back.f32, back.i32, back.u8]) {
      expect(view.byteOffset).toBe(0);
      expect(view.buffer.byteLength).toBe(view.byteLength); // transferable on its own
    }
  });

  it('needs moreTypes: a default msgpackr Packr does not give back a Float32Array', () => {
    const plain = new Packr();
    expect(plain.unpack(plain.pack(new Float32Array([0.5])))).not.toBeInstanceOf(Float32Array);
  });

  it('writes a header with schema, kind, config, commit and creation time', async () => {
    const file = path.join(dir, 'h.msgpack');
    RecordingWriter.open(file, { kind: 'scored', config: { rl: { lr: 1e-5 } } }).close();
    const { header } = await readRecording(file);
    expect(header.schema).toBe(SCHEMA_VERSION);
    expect(header.kind).toBe('scored');
    expect(header.config).toEqual({ rl: { lr: 1e-5 } });
    expect(header.commit === null || /^[0-9a-f]{40}$/.test(header.commit)).toBe(true);
    expect(Number.isNaN(Date.parse(header.created))).toBe(false);
  });

  it('flushes every flushEvery frames and reports records on disk', async () => {
    const file = path.join(dir, 'batch.msgpack');
    const flushed: number[] = [];
    const writer = RecordingWriter.open(file, { kind: 'rollouts' }, { flushEvery: 3, onFlush: (n) => flushed.push(n) });
    for (let i = 0; i < 2; i++) writer.write(rolloutLike(i));
    expect(await collect(await readRecording(file))).toHaveLength(0);
    writer.write(rolloutLike(2));
    expect(await collect(await readRecording(file))).toHaveLength(3);
    for (let i = 3; i < 7; i++) writer.write(rolloutLike(i));
    writer.close();
    expect(flushed).toEqual([3, 6, 7]);
    expect(await collect(await readRecording(file))).toEqual(Array.from({ length: 7 }, (_, i) => rolloutLike(i)));
  });

  it('flushes a partial batch flushMs after its first frame', () => {
    vi.useFakeTimers();
    const file = path.join(dir, 'timer.msgpack');
    const writer = RecordingWriter.open(file, { kind: 'metrics' }, { flushEvery: 100, flushMs: 50 });
    writer.write({ step: 1 });
    expect(writer.recordsOnDisk).toBe(0);
    vi.advanceTimersByTime(50);
    expect(writer.recordsOnDisk).toBe(1);
    writer.close();
  });

  it('streams files larger than one read chunk, and frames larger than a chunk, in order', async () => {
    const file = path.join(dir, 'big.msgpack');
    const writer = RecordingWriter.open(file, { kind: 'rollouts' });
    const records = Array.from({ length: 1200 }, (_, i) => rolloutLike(i, 200)); // ~2.4 MB
    const png = new Uint8Array(1.5 * (1 << 20));
    for (let k = 0; k < png.length; k++) png[k] = k % 251;
    for (const r of records.slice(0, 600)) writer.write(r);
    writer.write({ png });
    for (const r of records.slice(600)) writer.write(r);
    writer.close();
    const recording = await readRecording<{ png?: Uint8Array }>(file);
    const batches = await collect(recording.batches());
    expect(batches.length).toBeGreaterThan(2);
    const all = batches.flat();
    expect(Buffer.from(all[600].png!).equals(Buffer.from(png))).toBe(true);
    expect(all.filter((_, i) => i !== 600)).toStrictEqual(records);
  });

  it('appends to an existing file, keeping its header, and refuses another kind', async () => {
    const file = path.join(dir, 'append.msgpack');
    const first = RecordingWriter.open(file, { kind: 'metrics', created: '2026-01-01T00:00:00.000Z' });
    first.write({ step: 0 });
    first.close();
    const second = RecordingWriter.open(file, { kind: 'metrics' }, { append: true });
    expect(second.recordsOnDisk).toBe(1);
    second.write({ step: 1 });
    second.close();
    const recording = await readRecording(file);
    expect(recording.header.created).toBe('2026-01-01T00:00:00.000Z');
    expect(await collect(recording)).toEqual([{ step: 0 }, { step: 1 }]);
    expect(() => RecordingWriter.open(file, { kind: 'scored' }, { append: true })).toThrow(`${file}: cannot append 'scored' records to a 'metrics' recording`);
  });

  it('rejects a file that is not a recording, naming it and byte 0', async () => {
    const file = path.join(dir, 'not.jsonl');
    fs.writeFileSync(file, '{"a":1}\n');
    await expect(readRecording(file)).rejects.toThrow(`${file}: not an asymflow recording (bad magic at byte 0)`);
  });

  it('validates writer options with exact messages', () => {
    expect(() => RecordingWriter.open(path.join(dir, 'x'), { kind: 'x' }, { flushEvery: 1.5 })).toThrow(
      'RecordingWriter option flushEvery must be a non-negative integer, got 1.5',
    );
  });
});
