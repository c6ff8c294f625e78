import { render } from 'ink-testing-library';
import { Subject } from 'rxjs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Metric } from '../../../src/records.ts';
import { MetricNames as N, rewardMetricName } from '../../../src/metric-names.ts';
import { Dashboard } from '../../../tui/dashboard/dashboard.tsx';
import type { LatestSample, RunInfo } from '../../../tui/dashboard/dashboard-store.ts';

const info: RunInfo = { run: 'sft-test', task: 'gc', backend: 'webgpu', device: 'Test GPU', totalSteps: 10 };
const metric = (step: number, name: string, value: number): Metric => ({ run: 'sft-test', step, name, value, time: 0 });

/** Polls the rendered output (real, short waits: Ink renders asynchronously). */
async function until(check: () => boolean, what: string, ms = 3000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

const mounted: Array<{ unmount(): void }> = [];
afterEach(() => mounted.splice(0).forEach((m) => m.unmount()));

function mount(props: Partial<Parameters<typeof Dashboard>[0]> = {}) {
  const metrics$ = new Subject<Metric>();
  const samples$ = new Subject<LatestSample>();
  const log$ = new Subject<string>();
  const onQuit = vi.fn();
  const onFinish = vi.fn();
  const app = render(<Dashboard metrics$={metrics$} samples$={samples$} log$={log$} info={info} onQuit={onQuit} onFinish={onFinish} frameMs={10} {...props} />);
  mounted.push(app);
  const output = () => app.frames.join('\n');
  return { app, metrics$, samples$, log$, onQuit, onFinish, output };
}

describe('Dashboard', () => {
  it('shows the header, step/total, metric values, rewards and throughput from a synthetic stream', async () => {
    const { app, metrics$ } = mount();
    for (let step = 1; step <= 4; step++) {
      metrics$.next(metric(step, N.lossP, 2 / step));
      metrics$.next(metric(step, N.lossR, 1.5));
      metrics$.next(metric(step, N.lambda, 0.25));
      metrics$.next(metric(step, rewardMetricName('accuracy'), 0.1 * step));
      metrics$.next(metric(step, N.tokensPerSec, 12345));
    }
    metrics$.next(metric(4, N.a, 0.31));
    metrics$.next(metric(4, N.ap, 0.52));
    await until(() => (app.lastFrame() ?? '').includes('step 4/10'), 'step 4/10');
    const frame = app.lastFrame() ?? '';
    expect(frame).toContain('sft-test');
    expect(frame).toContain('webgpu (Test GPU)');
    expect(frame).toMatch(/a\s+\S+\s+0\.310/); // a sparkline then the latest value
    expect(frame).toMatch(/a_p\s+\S+\s+0\.520/);
    expect(frame).toMatch(/L_p\s+\S+\s+0\.500/); // 2/4
    expect(frame).toMatch(/λ\s+\S+\s+0\.250/);
    expect(frame).toMatch(/accuracy\s+\S+\s+0\.400/);
    expect(frame).toContain('12.3k');
    expect(frame).toContain('40%'); // 4 of 10 steps
  });

  it('marks the caption differences of the latest sample and its verdict', async () => {
    const { app, samples$ } = mount();
    samples$.next({
      sampleId: 'gc-test-7',
      caption: '(0,1),(1,2),(3,5)',
      pStar: '(0,1),(0,3),(1,2)',
      answer: '0:1,1:2,2:1,3:2',
      verdict: { correct: false, reason: 'edge (0,3) joins colour 1' },
    });
    await until(() => (app.lastFrame() ?? '').includes('gc-test-7'), 'the sample');
    const frame = app.lastFrame() ?? '';
    expect(frame).toContain('missing: (0,3)');
    expect(frame).toContain('extra: (3,5)');
    expect(frame).toContain('✗ wrong');
    expect(frame).toContain('edge (0,3) joins colour 1');
  });

  it('prints log lines above the live panel', async () => {
    const { output, log$ } = mount();
    log$.next('checkpoint saved to runs/x/checkpoints/step-5');
    await until(() => output().includes('checkpoint saved to runs/x/checkpoints/step-5'), 'the log line');
  });

  it('q calls onQuit once and says it is stopping; the end of the stream shows stopped and calls onFinish', async () => {
    const { app, metrics$, onQuit, onFinish } = mount();
    metrics$.next(metric(1, N.loss, 1));
    await until(() => (app.lastFrame() ?? '').includes('step 1/10'), 'first frame');
    app.stdin.write('q');
    app.stdin.write('q');
    await until(() => (app.lastFrame() ?? '').includes('stopping'), 'stopping');
    expect(onQuit).toHaveBeenCalledTimes(1);
    metrics$.complete(); // the flow checkpointed and ended its stream
    await until(() => onFinish.mock.calls.length === 1, 'onFinish');
    expect(app.lastFrame()).toContain('stopped (q)');
  });

  it('Ctrl+C calls onInterrupt on every press (the second exits) and shows stopping; q after it does not call onQuit', async () => {
    const onInterrupt = vi.fn();
    const { app, metrics$, onQuit } = mount({ onInterrupt });
    metrics$.next(metric(1, N.loss, 1));
    await until(() => (app.lastFrame() ?? '').includes('step 1/10'), 'first frame');
    app.stdin.write('\u0003');
    await until(() => (app.lastFrame() ?? '').includes('stopping'), 'stopping');
    app.stdin.write('\u0003');
    await until(() => onInterrupt.mock.calls.length === 2, 'the second Ctrl+C');
    app.stdin.write('q');
    expect(onQuit).not.toHaveBeenCalled();
  });

  it('redraws at most once per frame however fast metrics arrive', async () => {
    const { app, metrics$ } = mount({ frameMs: 200 });
    await new Promise((r) => setTimeout(r, 20));
    const before = app.frames.length;
    for (let i = 1; i <= 2000; i++) metrics$.next(metric(i, N.loss, 1 / i));
    metrics$.complete();
    await until(() => (app.lastFrame() ?? '').includes('finished'), 'finished');
    // 2000 metrics → a leading and a trailing snapshot, not 2000 renders (Ink may add a few of its own)
    expect(app.frames.length - before).toBeLessThan(10);
    expect(app.lastFrame()).toContain('step 2000/10');
  });
});
