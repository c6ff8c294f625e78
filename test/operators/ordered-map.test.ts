import { firstValueFrom, from, Subject, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { orderedMap } from '../../operators/ordered-map.ts';

/** A promise with its resolve/reject in hand, so a test decides the order projections finish in. */
function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('orderedMap', () => {
  it('emits results in source order whatever order they finish in', async () => {
    const pending = [deferred<string>(), deferred<string>(), deferred<string>()];
    const done = firstValueFrom(
      from([0, 1, 2]).pipe(
        orderedMap((i) => pending[i].promise, { concurrency: 3 }),
        toArray(),
      ),
    );
    pending[2].resolve('C'); // last first
    pending[1].resolve('B');
    await settle();
    pending[0].resolve('A');
    expect(await done).toEqual(['A', 'B', 'C']);
  });

  it('holds back results that overtook the oldest unfinished one, then releases them together', async () => {
    const pending = [deferred<string>(), deferred<string>(), deferred<string>()];
    const out: string[] = [];
    const sub = from([0, 1, 2])
      .pipe(orderedMap((i) => pending[i].promise, { concurrency: 3 }))
      .subscribe((v) => out.push(v));
    pending[1].resolve('B');
    await settle();
    expect(out).toEqual([]); // B waits for A
    pending[0].resolve('A');
    await settle();
    expect(out).toEqual(['A', 'B']);
    pending[2].resolve('C');
    await settle();
    expect(out).toEqual(['A', 'B', 'C']);
    sub.unsubscribe();
  });

  it('runs at most `concurrency` projections at once', async () => {
    const source = new Subject<number>();
    const pending = new Map<number, ReturnType<typeof deferred<number>>>();
    let running = 0;
    let most = 0;
    const out: number[] = [];
    source
      .pipe(
        orderedMap(
          async (value) => {
            running++;
            most = Math.max(most, running);
            const d = deferred<number>();
            pending.set(value, d);
            const result = await d.promise;
            running--;
            return result;
          },
          { concurrency: 2 },
        ),
      )
      .subscribe((v) => out.push(v));
    for (const v of [0, 1, 2, 3]) source.next(v);
    await settle();
    expect([...pending.keys()]).toEqual([0, 1]); // 2 and 3 wait for a free slot
    pending.get(0)!.resolve(0);
    await settle();
    expect([...pending.keys()]).toEqual([0, 1, 2]);
    for (const v of [1, 2]) pending.get(v)!.resolve(v);
    await settle();
    pending.get(3)!.resolve(3);
    await settle();
    expect(out).toEqual([0, 1, 2, 3]);
    expect(most).toBe(2);
  });

  it('passes each value its source index', async () => {
    const out = await firstValueFrom(
      from(['a', 'b', 'c']).pipe(
        orderedMap(async (v, i) => `${v}${i}`, { concurrency: 2 }),
        toArray(),
      ),
    );
    expect(out).toEqual(['a0', 'b1', 'c2']);
  });

  it('errors the stream when a projection rejects', async () => {
    const run = firstValueFrom(
      from([0, 1]).pipe(
        orderedMap(
          async (i) => {
            if (i === 1) throw new Error('render failed for 1');
            return i;
          },
          { concurrency: 2 },
        ),
        toArray(),
      ),
    );
    await expect(run).rejects.toThrow('render failed for 1');
  });

  it('drops a result that finishes after unsubscribing', async () => {
    const pending = deferred<string>();
    const out: string[] = [];
    const sub = from([0])
      .pipe(orderedMap(() => pending.promise, { concurrency: 1 }))
      .subscribe((v) => out.push(v));
    sub.unsubscribe();
    pending.resolve('late');
    await settle();
    expect(out).toEqual([]);
  });

  it('rejects a concurrency that is not a positive integer', () => {
    expect(() => orderedMap(async (v) => v, { concurrency: 0 })).toThrow('orderedMap concurrency must be a positive integer, got 0');
    expect(() => orderedMap(async (v) => v, { concurrency: 1.5 })).toThrow(RangeError);
  });
});
