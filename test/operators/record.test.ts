import fs from 'node:fs';
import path from 'node:path';
import { from, lastValueFrom, throwError, concat } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { record } from '../../operators/record.ts';
import { readRecording } from '../../src/recording/index.ts';
import { collect, tempDir } from '../src/recording/helpers.ts';

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
