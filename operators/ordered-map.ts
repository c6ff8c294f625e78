/**
 * orderedMap — runs an async `project` on up to `concurrency` values at once and emits the results in
 * SOURCE order, whatever order they finish in (a concatMap that overlaps its work). A result that finishes
 * ahead of a slower one waits in a buffer, so memory holds at most the results that overtook the oldest
 * unfinished one. An error from `project` errors the stream; unsubscribing drops what is in flight.
 *
 *   source:   --a--b--c--|
 *   project:  a takes 3, b takes 1, c takes 1
 *   output:   -----(A B)-C|        (B finished first but waits for A)
 */
import { defer, mergeMap, Observable, type OperatorFunction } from 'rxjs';

export interface OrderedMapOptions {
  readonly concurrency: number; // projections in flight
}

export function orderedMap<T, R>(project: (value: T, index: number) => Promise<R>, { concurrency }: OrderedMapOptions): OperatorFunction<T, R> {
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new RangeError(`orderedMap concurrency must be a positive integer, got ${concurrency}`);
  return (source) =>
    defer(() => {
      const done = new Map<number, R>();
      let next = 0; // the index the output waits for
      return source.pipe(
        mergeMap(
          (value, index) =>
            new Observable<R>((subscriber) => {
              let live = true;
              project(value, index).then(
                (result) => {
                  if (!live) return;
                  done.set(index, result);
                  while (done.has(next)) {
                    const ready = done.get(next) as R;
                    done.delete(next++);
                    subscriber.next(ready);
                  }
                  subscriber.complete();
                },
                (error: unknown) => live && subscriber.error(error),
              );
              return () => {
                live = false;
              };
            }),
          concurrency,
        ),
      );
    });
}
