/**
 * pace — re-times values by their own `time` field (ms since epoch), scaled by `speed`: a value stamped Δ ms
 * after the first one is emitted Δ/speed ms after the first was emitted. Values without a numeric `time`,
 * and values already late, pass at once. Upstream values wait in order (concatMap) while earlier ones are due.
 *
 *   source: (abc|)        a.time=0, b.time=20, c.time=50, speed 10
 *   output: a-b--(c|)
 */
import { asyncScheduler, concatMap, defer, map, of, timer, type MonoTypeOperatorFunction, type SchedulerLike } from 'rxjs';

export function timeOf(value: unknown): number | undefined {
  const time = (value as { time?: unknown } | null)?.time;
  return typeof time === 'number' && Number.isFinite(time) ? time : undefined;
}

export function pace<T>(speed: number, scheduler: SchedulerLike = asyncScheduler): MonoTypeOperatorFunction<T> {
  if (!(typeof speed === 'number' && Number.isFinite(speed) && speed > 0)) {
    throw new RangeError(`pace speed must be a positive number, got ${String(speed)}`);
  }
  return (source) =>
    defer(() => {
      let origin: { time: number; at: number } | undefined; // first stamped value and when it was emitted
      return source.pipe(
        concatMap((value) => {
          const time = timeOf(value);
          if (time === undefined) return of(value);
          const now = scheduler.now();
          origin ??= { time, at: now };
          const wait = origin.at + (time - origin.time) / speed - now;
          return wait <= 0 ? of(value) : timer(wait, scheduler).pipe(map(() => value));
        }),
      );
    });
}
