import fs from 'node:fs';
import path from 'node:path';
import { from, interval, lastValueFrom, Subject, take, throwError, concat, toArray } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { record } from '../../operators/record.ts';
import { replay } from '../../operators/replay.ts';
import { readRecording } from '../../src/recording/index.ts';
import { collect, rolloutLike, tempDir } from '../src/recording/helpers.ts';

let dir: string;
let file: string;
beforeEach(() => {
  dir = tempDir();
  file = path.join(dir, 'stream.msgpack');
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const marbles = () => new TestScheduler((actual, expected) => expect(actual).toEqual(expected));

describe('record', () => {
  it('passes values through unchanged and leaves them in the file (marbles)', async () => {
    const values = { a: { n: 1 }, b: { n: 2 }, c: { n: 3 } };
    marbles().run(({ cold, expectObservable }) => {
      expectObservable(cold('--a--b--c--|', values).pipe(record(file, { kind: 'test' }))).toBe('--a--b--c--|', values);
    });
    const recording = await readRecording(file);
    expect(recording.header.kind).toBe('test');
    expect(await collect(recording)).toEqual([values.a, values.b, values.c]);
  });

  it('closes the file on unsubscribe, keeping what went through (marbles)', async () => {
    marbles().run(({ cold, expectObservable }) => {
      expectObservable(cold('-a-b-c-d-|').pipe(record(file)), '^----!').toBe('-a-b-');
    });
    expect(await collect(await readRecording(file))).toEqual(['a', 'b']);
  });

  it('closes the file on error, keeping what went through', async () => {
    const failing = concat(
      from([1, 2]),
      throwError(() => new Error('boom')),
    );
    await expect(lastValueFrom(failing.pipe(record(file)))).rejects.toThrow('boom');
    expect(await collect(await readRecording(file))).toEqual([1, 2]);
  });

  it('errors the stream with the file and record index when a value cannot be packed', async () => {
    const bad = { s: Symbol('not packable') } as unknown;
    const source = from([1, bad]).pipe(record(file, { kind: 'x' }, { flushEvery: 1 }));
    await expect(lastValueFrom(source)).rejects.toThrow(`${file}: record 1 cannot be packed`);
    expect(await collect(await readRecording(file))).toEqual([1]);
  });
});

describe('replay', () => {
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
