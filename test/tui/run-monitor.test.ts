/**
 * runMonitor (sft, sweep sft, demo): log lines go to stderr between runs and through the attached plain-log
 * monitor (on stderr) during a run, result lines to stdout — each line once, in order, including the lines a
 * run logs after its metric stream has ended.
 */
import { EMPTY, Subject } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { RunWatch } from '../../flows/watch.ts';
import type { Metric } from '../../src/records.ts';
import { runMonitor } from '../../tui/commands/run-monitor.ts';

function fakeStream() {
  const chunks: string[] = [];
  const stream = { isTTY: false, columns: 100, rows: 40, write: (s: string) => (chunks.push(s), true), on() {}, off() {}, once() {}, removeListener() {} };
  return { stream: stream as unknown as NodeJS.WriteStream, lines: () => chunks.join('').trimEnd().split('\n') };
}

describe('runMonitor', () => {
  it('routes each line once: logs to stderr (through the plain log during a run), results to stdout', async () => {
    const out = fakeStream();
    const err = fakeStream();
    const monitor = runMonitor(out.stream, err.stream);
    const metrics$ = new Subject<Metric>();
    const watch: RunWatch = { metrics$, samples$: EMPTY, info: { run: 'r', task: 'gc', backend: 'cpu', device: 'cpu', totalSteps: 1 }, requestStop: () => {} };
    monitor.log('before');
    const done = monitor.watch(watch);
    monitor.log('during');
    monitor.result('figures');
    metrics$.next({ run: 'r', step: 1, name: 'train/loss', value: 2, time: 0 });
    metrics$.complete();
    monitor.log('after');
    monitor.result('table');
    await done;
    monitor.close();
    expect(err.lines()).toEqual(['before', 'during', 'step 1/1 loss=2.000 elapsed=0:00 eta=0:00', 'done: 1/1 steps in 0:00', 'after']);
    expect(out.lines()).toEqual(['figures', 'table']);
  });
});
