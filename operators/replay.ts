/**
 * replay — turns a recording file back into the observable that was recorded: as fast as it can be read
 * (`pace: 'fast'`, the default) or re-timed by each record's `time` field at `speed`× (`pace: { speed }`).
 * Reading is streamed in batches; unsubscribing stops reading and closes the file.
 *
 *   file:   header, a, b, c
 *   output: (abc|)                 pace 'fast'
 *   output: a-b--(c|)              pace { speed } (times scaled, see pace)
 */
import { Observable, type SchedulerLike } from 'rxjs';
import { readRecording } from '../src/recording/index.ts';
import { pace } from './pace.ts';

export interface ReplayOptions {
  readonly pace?: 'fast' | { readonly speed: number };
  readonly scheduler?: SchedulerLike; // for pacing; tests pass a virtual-time scheduler
}

export function replay<T>(file: string, options: ReplayOptions = {}): Observable<T> {
  const fast = new Observable<T>((subscriber) => {
    (async () => {
      const recording = await readRecording<T>(file);
      for await (const batch of recording.batches()) {
        for (const value of batch) {
          if (subscriber.closed) return; // leaving the loop closes the file
          subscriber.next(value);
        }
      }
      subscriber.complete();
    })().catch((error: unknown) => subscriber.error(error));
  });
  const mode = options.pace ?? 'fast';
  return mode === 'fast' ? fast : fast.pipe(pace<T>(mode.speed, options.scheduler));
}
