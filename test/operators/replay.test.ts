/**
 * replay: a recording back as the stream that was recorded — as fast as it reads (everything, in order, typed
 * arrays intact), or re-timed by each record's `time` at `speed`× (measured on a virtual clock: reading the
 * file is real I/O, so the test flushes the virtual scheduler as records arrive); unsubscribing stops reading.
 */
import fs from 'node:fs';
import path from 'node:path';
import { from, interval, lastValueFrom, Subject, take, toArray, VirtualTimeScheduler } from 'rxjs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { record } from '../../operators/record.ts';
import { replay } from '../../operators/replay.ts';
import { rolloutLike, tempDir } from '../src/recording/helpers.ts';

let dir: string;
let file: string;
beforeEach(() => {
  dir = tempDir();
  file = path.join(dir, 'stream.msgpack');
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Records `values` (stamped records) to `file`. */
async function recordAll<T>(values: readonly T[]): Promise<void> {
  await lastValueFrom(from(values).pipe(record(file, { kind: 'metrics' }), toArray()));
}

/** Replays `file` paced at `speed` on a virtual clock; each record's step with the virtual ms it came out at. */
async function pacedFrames(speed: number): Promise<[number, number][]> {
  const clock = new VirtualTimeScheduler();
  const seen: [number, number][] = [];
  let done = false;
  let failure: unknown;
  replay<{ step: number }>(file, { pace: { speed }, scheduler: clock }).subscribe({
    next: (m) => seen.push([m.step, clock.now()]),
    error: (error: unknown) => ((failure = error), (done = true)),
    complete: () => (done = true),
  });
  for (let turns = 0; !done && turns < 1000; turns++) {
    await new Promise((resolve) => setImmediate(resolve)); // let the reader deliver
    clock.flush(); // then run every timer that is due, advancing virtual time
  }
  if (failure) throw failure;
  expect(done).toBe(true);
  return seen;
}

describe('replay', () => {
  it('re-times records by their time field divided by speed, measured from the first (virtual clock)', async () => {
    await recordAll([0, 20, 50, 50, 90].map((dt, step) => ({ step, time: 1_700_000_000_000 + dt })));
    expect(await pacedFrames(10)).toEqual([
      [0, 0],
      [1, 2],
      [2, 5],
      [3, 5],
      [4, 9],
    ]);
    expect(await pacedFrames(1)).toEqual([
      [0, 0],
      [1, 20],
      [2, 50],
      [3, 50],
      [4, 90],
    ]);
  });

  it('passes records without a time field at once when paced', async () => {
    await recordAll([{ step: 0, time: 1000 }, { step: 1 }, { step: 2, time: 1030 }]);
    expect(await pacedFrames(1)).toEqual([
      [0, 0],
      [1, 0],
      [2, 30],
    ]);
  });

  it('replay(record(s)) deep-equals s, typed arrays included', async () => {
    const s = Array.from({ length: 300 }, (_, i) => rolloutLike(i, 40));
    const passed = await lastValueFrom(from(s).pipe(record(file, { kind: 'rollouts' }), toArray()));
    expect(passed[0]).toBe(s[0]); // the tap hands on the same objects
    const back = await lastValueFrom(replay<(typeof s)[number]>(file).pipe(toArray()));
    expect(back).toStrictEqual(s);
    expect(back[7].logprobs).toBeInstanceOf(Float32Array);
    expect(back[7].tokens).toBeInstanceOf(Int32Array);
  });

  it('replays a recorded hot stream paced by its time field', async () => {
    const subject = new Subject<{ step: number; time: number }>();
    const recorded = lastValueFrom(subject.pipe(record(file, { kind: 'metrics' }), toArray()));
    for (let step = 0; step < 5; step++) subject.next({ step, time: 1_000 + step * 10 });
    subject.complete();
    await recorded;
    const back = await lastValueFrom(replay(file, { pace: { speed: 1000 } }).pipe(toArray()));
    expect(back.map((m) => (m as { step: number }).step)).toEqual([0, 1, 2, 3, 4]);
  });

  it('stops reading when unsubscribed', async () => {
    await lastValueFrom(interval(0).pipe(take(50), record(file)));
    expect(await lastValueFrom(replay<number>(file).pipe(take(3), toArray()))).toEqual([0, 1, 2]);
  });

  it('errors with the file name for a missing file', async () => {
    const missing = path.join(dir, 'nope.msgpack');
    await expect(lastValueFrom(replay(missing))).rejects.toThrow(missing);
  });
});
