/**
 * Merges the metric, sample and log streams into throttled dashboard snapshots: every event updates the
 * store, but a snapshot (and so a redraw) goes out at most once per `frameMs`, the last one always.
 *
 *   metrics$  --m-m-m-m-m-m-m-m-|
 *   log$      ----l-------l------
 *   view$     v----v----v----v--v|   (≤ 1 per frameMs; final view when metrics$ completes)
 */
import { asyncScheduler, EMPTY, interval, merge, Observable, of, type SchedulerLike } from 'rxjs';
import { catchError, endWith, map, takeWhile, tap, throttleTime } from 'rxjs';
import type { Metric } from '../../src/records.ts';
import { DashboardStore, type DashboardView, type LatestSample } from './dashboard-store.ts';

export interface DashboardStreams {
  readonly metrics$: Observable<Metric>;
  readonly samples$?: Observable<LatestSample>;
  readonly log$?: Observable<string>;
}

export interface ViewStreamOptions {
  readonly frameMs?: number; // minimum time between redraws (default 100: ≤ 10 fps)
  readonly tickMs?: number; // clock tick for elapsed/ETA when nothing arrives (default 1000)
  readonly now?: () => number;
  readonly scheduler?: SchedulerLike;
}

type Event =
  | { readonly kind: 'metric'; readonly metric: Metric }
  | { readonly kind: 'sample'; readonly sample: LatestSample }
  | { readonly kind: 'log'; readonly text: string }
  | { readonly kind: 'tick' }
  | { readonly kind: 'end'; readonly error?: unknown };

export function dashboardView$(streams: DashboardStreams, options: ViewStreamOptions = {}): Observable<DashboardView> {
  const { frameMs = 100, tickMs = 1000, now = Date.now, scheduler = asyncScheduler } = options;
  return new Observable<DashboardView>((subscriber) => {
    const store = new DashboardStore(now(), now);
    // the side streams go first so that a synchronous metric stream cannot end the view before they join
    const events$ = merge(
      (streams.samples$ ?? EMPTY).pipe(map((sample): Event => ({ kind: 'sample', sample }))),
      (streams.log$ ?? EMPTY).pipe(map((text): Event => ({ kind: 'log', text }))),
      interval(tickMs, scheduler).pipe(map((): Event => ({ kind: 'tick' }))),
      streams.metrics$.pipe(
        map((metric): Event => ({ kind: 'metric', metric })),
        catchError((error: unknown) => of<Event>({ kind: 'end', error })),
        endWith<Event>({ kind: 'end' }),
      ),
    );
    return events$
      .pipe(
        tap((event) => apply(store, event)),
        takeWhile((event) => event.kind !== 'end', true), // the run is over when its metric stream is
        throttleTime(frameMs, scheduler, { leading: true, trailing: true }),
        map(() => store.view()),
      )
      .subscribe(subscriber);
  });
}

function apply(store: DashboardStore, event: Event): void {
  switch (event.kind) {
    case 'metric':
      return store.addMetric(event.metric);
    case 'sample':
      return store.setSample(event.sample);
    case 'log':
      return store.addLog(event.text);
    case 'tick':
      return store.tick();
    case 'end':
      return store.finish(event.error);
  }
}
