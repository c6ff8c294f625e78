/**
 * stepTicks — the step numbers first..last, each one only after the previous step's pipeline called
 * `next()`. A training loop is a feedback loop: one step in flight at a time, so the stages before the
 * update (batching) run lazily, and an evaluation or checkpoint never overlaps the next update.
 *
 *   next():  ^(start)------^------------^
 *   ticks$:  1-------------2------------3|      first = 1, last = 3
 */
import { map, range, startWith, Subject, zip, type Observable } from 'rxjs';

export interface StepTicks {
  readonly ticks$: Observable<number>;
  /** Releases the next step number (call once the current step is fully done). */
  next(): void;
}

export function stepTicks(first: number, last: number): StepTicks {
  if (!Number.isInteger(first) || !Number.isInteger(last)) throw new RangeError(`stepTicks: first and last must be integers, got ${first} and ${last}`);
  const done = new Subject<void>();
  const count = Math.max(0, last - first + 1);
  // zip pairs the k-th step number with the k-th "previous step done" (the first is free).
  const ticks$ = zip(range(first, count), done.pipe(startWith(undefined))).pipe(map(([step]) => step));
  return { ticks$, next: () => done.next() };
}
