import { from, lastValueFrom, Subject, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { Metric } from '../../src/records.ts';
import { MetricNames as N, rewardMetricName } from '../../src/metric-names.ts';
import { plainKey, plainLogLines$ } from '../../tui/plain-log.ts';

const info = { run: 'r', task: 'gc', backend: 'cpu', totalSteps: 6 };
const m = (step: number, name: string, value: number): Metric => ({ run: 'r', step, name, value, time: 0 });

describe('plainLogLines$', () => {
  it('prints a line every K completed steps and a final line and summary at the end', async () => {
    const metrics = [1, 2, 3, 4, 5].flatMap((s) => [m(s, N.loss, 1 / s), m(s, N.a, s / 10), m(s, N.tokensPerSec, 1000 * s)]);
    const clock = { t: 0 };
    const lines = await lastValueFrom(plainLogLines$({ metrics$: from(metrics), info, everySteps: 2, everyMs: 1e9, now: () => clock.t }).pipe(toArray()));
    expect(lines).toEqual([
      'step 2/6 loss=0.500 a=0.200 tok/s=2.00k elapsed=0:00 eta=0:00',
      'step 4/6 loss=0.250 a=0.400 tok/s=4.00k elapsed=0:00 eta=0:00',
      'step 5/6 loss=0.200 a=0.500 tok/s=5.00k elapsed=0:00 eta=0:00',
      'done: 5/6 steps in 0:00',
    ]);
  });

  it('also prints when everyMs has passed since the last line (clock injected, no real waiting)', () => {
    const clock = { t: 0 };
    const metrics$ = new Subject<Metric>();
    const lines: string[] = [];
    plainLogLines$({ metrics$, info, everySteps: 100, everyMs: 5000, now: () => clock.t }).subscribe((l) => lines.push(l));
    metrics$.next(m(1, N.loss, 2));
    clock.t = 1000;
    metrics$.next(m(2, N.loss, 1.5)); // step 1 complete, only 1 s passed: no line
    expect(lines).toEqual([]);
    clock.t = 6000;
    metrics$.next(m(3, N.loss, 1)); // step 2 complete, 6 s passed
    expect(lines).toEqual(['step 2/6 loss=1.500 elapsed=0:06 eta=0:12']);
  });

  it('passes log lines through, shows a new sample once, and reports a failure', () => {
    const metrics$ = new Subject<Metric>();
    const log$ = new Subject<string>();
    const samples$ = new Subject<{ caption: string; pStar: string; answer: string; verdict: { correct: boolean; reason: string } }>();
    const lines: string[] = [];
    let completed = false;
    plainLogLines$({ metrics$, log$, samples$, info, everySteps: 1, now: () => 0 }).subscribe({
      next: (l) => lines.push(l),
      complete: () => (completed = true),
    });
    log$.next('loaded 2000 samples');
    samples$.next({ caption: '(0,1)', pStar: '(0,1),(1,2)', answer: '0:1', verdict: { correct: false, reason: 'node 2 uncoloured' } });
    metrics$.next(m(1, rewardMetricName('self'), 0.25));
    metrics$.next(m(2, rewardMetricName('self'), 0.5));
    metrics$.error(new Error('out of memory'));
    expect(lines).toEqual([
      'loaded 2000 samples',
      'step 1/6 r.self=0.250 elapsed=0:00 eta=0:00',
      '  sample: caption!=p* (missing (1,2); extra -), answer wrong (node 2 uncoloured)',
      'step 2/6 r.self=0.500 elapsed=0:00 eta=0:00',
      'failed after 0:00: out of memory',
    ]);
    expect(completed).toBe(true);
  });

  it('rejects a fractional everySteps', () => {
    expect(() => plainLogLines$({ metrics$: from([]), info, everySteps: 2.5 })).toThrow('everySteps must be an integer ≥ 1, got 2.5');
  });
});

describe('plainKey', () => {
  it('shortens names to ASCII keys', () => {
    expect(plainKey('eval/arCond')).toBe('arCond');
    expect(plainKey('train/lambda')).toBe('lambda');
    expect(plainKey('reward/teacher/mean')).toBe('r.teacher');
    expect(plainKey('throughput/rolloutsPerSec')).toBe('rollouts/s');
    expect(plainKey('diag/parseFailures')).toBe('diag/parseFailures');
  });
});
