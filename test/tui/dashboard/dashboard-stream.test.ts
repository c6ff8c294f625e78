import { from, Observable, throwError, concat } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import type { Metric } from '../../../src/records.ts';
import { dashboardView$ } from '../../../tui/dashboard/dashboard-stream.ts';
import type { DashboardView } from '../../../tui/dashboard/dashboard-store.ts';
import { etaMs } from '../../../tui/dashboard/dashboard-store.ts';

const metric = (step: number, value = step): Metric => ({ run: 'r', step, name: 'train/loss', value, time: 0 });

describe('dashboardView$', () => {
  it('throttles: one metric per virtual ms for 100 ms gives about one view per frame, the last one always', () => {
    const scheduler = new TestScheduler((a, b) => expect(a).toEqual(b));
    scheduler.run(({ cold }) => {
      const values = Object.fromEntries(Array.from({ length: 100 }, (_, i) => [String(i), metric(i + 1)]));
      // 100 one-character frames, one metric each, then complete
      const marbles = Array.from({ length: 100 }, (_, i) => String.fromCharCode(0x100 + i)).join('') + '|';
      const keyed = Object.fromEntries(Object.entries(values).map(([k, v]) => [String.fromCharCode(0x100 + Number(k)), v]));
      const metrics$ = cold(marbles, keyed) as Observable<Metric>;
      const views: DashboardView[] = [];
      dashboardView$({ metrics$ }, { frameMs: 10, tickMs: 1000, scheduler, now: () => scheduler.now() }).subscribe((v) => views.push(v));
      scheduler.flush();
      expect(views.length).toBeGreaterThanOrEqual(10);
      expect(views.length).toBeLessThanOrEqual(12); // 100 ms / 10 ms, plus leading and trailing
      const last = views[views.length - 1];
      expect(last.step).toBe(100);
      expect(last.finishedAt).toBeDefined();
      expect(last.series.get('train/loss')?.last).toBe(100);
    });
  });

  it('a synchronous stream of 5,000 metrics gives a leading and a final view', async () => {
    const views: DashboardView[] = [];
    await new Promise<void>((done) =>
      dashboardView$({ metrics$: from(Array.from({ length: 5000 }, (_, i) => metric(i))) }, { frameMs: 20 }).subscribe({
        next: (v) => views.push(v),
        complete: done,
      }),
    );
    expect(views.length).toBe(2);
    expect(views[1].step).toBe(4999);
    expect(views[1].series.get('train/loss')?.values.length).toBe(120); // bounded history
  });

  it('a failing metric stream ends the view with the error message', async () => {
    const views: DashboardView[] = [];
    await new Promise<void>((done) =>
      dashboardView$(
        {
          metrics$: concat(
            from([metric(1)]),
            throwError(() => new Error('GPU lost')),
          ),
        },
        { frameMs: 1 },
      ).subscribe({
        next: (v) => views.push(v),
        complete: done,
      }),
    );
    expect(views[views.length - 1].error).toBe('GPU lost');
  });
});

describe('etaMs', () => {
  it('extrapolates the wall-clock rate since the first metric', () => {
    const view: DashboardView = { step: 11, firstStep: 1, firstStepAt: 1000, now: 6000, startedAt: 0, series: new Map(), log: [] };
    expect(etaMs(view, 21)).toBe(5000); // 10 steps took 5 s, 10 to go
    expect(etaMs({ ...view, step: 1 }, 21)).toBeUndefined();
    expect(etaMs(view, undefined)).toBeUndefined();
  });
});
