import { from, Subject } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { Metric } from '../../src/records.ts';
import { attachMonitor } from '../../tui/monitor.ts';

const info = { run: 'r', task: 'gc', backend: 'cpu', totalSteps: 2 };
const m = (step: number): Metric => ({ run: 'r', step, name: 'train/loss', value: 1 / step, time: 0 });

function fakeStdout(isTTY: boolean) {
  const chunks: string[] = [];
  const stream = { isTTY, columns: 100, rows: 40, write: (s: string) => (chunks.push(s), true), on() {}, off() {}, once() {}, removeListener() {} };
  return { stream: stream as unknown as NodeJS.WriteStream, text: () => chunks.join('') };
}

describe('attachMonitor', () => {
  it('prints plain lines on stderr when stdout is not a TTY and resolves done when the metric stream ends', async () => {
    const out = fakeStdout(false);
    const monitor = attachMonitor({ metrics$: from([m(1), m(2)]), info, stdout: fakeStdout(false).stream, plainOut: out.stream, plain: { everySteps: 1 } });
    expect(monitor.kind).toBe('plain');
    await monitor.done;
    expect(out.text()).toBe('step 1/2 loss=1.000 elapsed=0:00 eta=0:00\nstep 2/2 loss=0.500 elapsed=0:00 eta=0:00\ndone: 2/2 steps in 0:00\n');
  });

  it('picks the dashboard on a TTY, and detach stops it without ending the run', async () => {
    const out = fakeStdout(true);
    const metrics$ = new Subject<Metric>();
    const monitor = attachMonitor({ metrics$, info, stdout: out.stream, isTTY: true, frameMs: 5, patchConsole: false });
    expect(monitor.kind).toBe('dashboard');
    metrics$.next(m(1));
    await new Promise((r) => setTimeout(r, 50));
    monitor.detach();
    await monitor.done;
    expect(out.text()).toContain('step 1/2');
    expect(metrics$.observed).toBe(false); // unsubscribed
  });
});
