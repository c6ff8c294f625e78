/**
 * runMonitor (sft, sweep sft, demo): lines go straight to stdout between runs and through the attached
 * plain-log monitor during a run — each line once, in order, including the lines a run logs after its
 * metric stream has ended.
 */
import { EMPTY, Subject } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { RunWatch } from '../../flows/watch.ts';
import type { Metric } from '../../src/records.ts';
import { runMonitor } from '../../tui/commands/run-monitor.ts';

function fakeStdout() {
  const chunks: string[] = [];
  const stream = { isTTY: false, columns: 100, rows: 40, write: (s: string) => (chunks.push(s), true), on() {}, off() {}, once() {}, removeListener() {} };
  return { stream: stream as unknown as NodeJS.WriteStream, lines: () => chunks.join('').trimEnd().split('\n') };
}

describe('runMonitor', () => {
  it('routes each line once: stdout before and after a run, the monitor during it', async () => {
    const out = fakeStdout();
    const monitor = runMonitor(out.stream);
    const metrics$ = new Subject<Metric>();
    const watch: RunWatch = { metrics$, samples$: EMPTY, info: { run: 'r', task: 'gc', backend: 'cpu', device: 'cpu', totalSteps: 1 }, requestStop: () => {} };
    monitor.log('before');
    const done = monitor.watch(watch);
    monitor.log('during');
    metrics$.next({ run: 'r', step: 1, name: 'train/loss', value: 2, time: 0 });
    metrics$.complete();
    monitor.log('after');
    await done;
    monitor.close();
    expect(out.lines()).toEqual(['before', 'during', 'step 1/1 loss=2.000 elapsed=0:00 eta=0:00', 'done: 1/1 steps in 0:00', 'after']);
  });
});
