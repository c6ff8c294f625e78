/**
 * stepTicks — the step numbers first..last, each one only after the previous step's pipeline called
 * `next()`. A training loop is a feedback loop: one step in flight at a time, so the stages before the
 * update (batching) run lazily, and an evaluation or checkpoint never overlaps the next update.
 *
 *   next():  ^(start)------^------------^
 *   ticks$:  1-------------2------------3|      first = 1, last = 3
 */
import { map, startWith, Subject, take, type Observable } from 'rxjs';

export interface StepTicks {
  readonly ticks$: Observable<number>;
  /** Releases the next step number (call once the current step is fully done). */
  next(): void;
}

export function stepTicks(first: number, last: number): StepTicks {
  if (!Number.isInteger(first) || !Number.isInteger(last)) throw new RangeError(`stepTicks: first and last must be integers, got ${first} and ${last}`);
  const done = new Subject<void>();
  const count = Math.max(0, last - first + 1);
  // the k-th "previous step done" (the first is free) releases step first + k; nothing is buffered ahead,
  // so a run of 10⁹ steps costs no more memory than one of 10 (a range zipped in was all buffered at once)
  const ticks$ = done.pipe(
    startWith(undefined),
    take(count),
    map((_, k) => first + k),
  );
  return { ticks$, next: () => done.next() };
}
