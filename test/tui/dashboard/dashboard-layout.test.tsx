/**
 * The dashboard on real terminal sizes (Ink rendering to a fake terminal of that many columns and rows;
 * ink-testing-library's own stdout is fixed at 100 columns): at 80×24 the live area (header, panels, sample, footer) is shorter
 * than the terminal and no line is wider than it; at 160×50 it uses the room (borders, three columns, every
 * metric row). Panels appear only for what the run produces, and metric labels stay distinct when cut.
 */
import { EventEmitter } from 'node:events';
import { render } from 'ink';
import type { ReactElement } from 'react';
import { Subject } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { MetricNames as N, rewardMetricName } from '../../../src/metric-names.ts';
import type { Metric } from '../../../src/records.ts';
import { Dashboard, panelSpecs } from '../../../tui/dashboard/dashboard.tsx';
import type { LatestSample } from '../../../tui/dashboard/dashboard-store.ts';
import { distinctLabels, planLayout } from '../../../tui/dashboard/layout.ts';

const metric = (step: number, name: string, value: number): Metric => ({ run: 'sft-gc', step, name, value, time: 0 });
const strip = (s: string) => s.replace(/\u001b\[[0-9;]*m/g, ''); // eslint-disable-line no-control-regex

/** Every metric an SFT run emits (flows/sft.ts), an evaluation included. */
const SFT_METRICS = [
  N.loss,
  N.lossP,
  N.lossR,
  N.lambda,
  N.gradShareP,
  N.gradNormP,
  N.gradNormR,
  N.gradNorm,
  N.lr,
  N.tokensPerSec,
  N.samplesPerSec,
  N.perceptionTokenFraction,
  N.perceptionLossShare,
  N.parseFailures,
  N.a,
  N.ap,
  N.ar,
  N.arCond,
];

async function until(check: () => boolean, what: string, ms = 3000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** A terminal of `columns` × `rows` that keeps the frames Ink writes (as ink-testing-library's does). */
class FakeTerminal extends EventEmitter {
  readonly isTTY = true;
  private last = '';
  constructor(
    readonly columns: number,
    readonly rows: number,
  ) {
    super();
  }
  write = (frame: string) => ((this.last = frame), true);
  lastFrame = () => this.last;
}

function renderAt(tree: ReactElement, columns: number, rows: number) {
  const stdout = new FakeTerminal(columns, rows);
  const instance = render(tree, {
    stdout: stdout as unknown as NodeJS.WriteStream,
    stderr: new FakeTerminal(columns, rows) as unknown as NodeJS.WriteStream,
    stdin: Object.assign(new EventEmitter(), { isTTY: false }) as unknown as NodeJS.ReadStream,
    debug: true,
    exitOnCtrlC: false,
    patchConsole: false,
  });
  return { lastFrame: stdout.lastFrame, unmount: () => instance.unmount() };
}

const mounted: Array<{ unmount(): void }> = [];
afterEach(() => mounted.splice(0).forEach((m) => m.unmount()));

async function frameAt(columns: number, rows: number, names: readonly string[] = SFT_METRICS): Promise<string[]> {
  const metrics$ = new Subject<Metric>();
  const samples$ = new Subject<LatestSample>();
  const app = renderAt(
    <Dashboard metrics$={metrics$} samples$={samples$} info={{ run: 'sft-gc', task: 'gc', backend: 'cpu', totalSteps: 40 }} frameMs={5} />,
    columns,
    rows,
  );
  mounted.push(app);
  for (let step = 1; step <= 3; step++) for (const name of names) metrics$.next(metric(step, name, 0.875 / step));
  samples$.next({
    sampleId: 'gc-test-0',
    step: 3,
    caption: '(0,1),(1,2)',
    pStar: '(0,1),(0,2),(1,2)',
    answer: '0:1,1:2,2:3',
    verdict: { correct: false, reason: 'x' },
  });
  await until(() => strip(app.lastFrame() ?? '').includes('step 3/40') && strip(app.lastFrame() ?? '').includes('gc-test-0'), 'step 3 and the sample');
  if (process.env.SHOW_FRAMES) console.log(strip(app.lastFrame() ?? ''));
  return strip(app.lastFrame() ?? '').split('\n');
}

describe('dashboard layout', () => {
  it('fits an 80×24 terminal with every panel the SFT run has', async () => {
    const lines = await frameAt(80, 24);
    expect(lines.length).toBeLessThan(24);
    for (const line of lines) expect(line.length, line).toBeLessThanOrEqual(80);
    const text = lines.join('\n');
    for (const title of ['accuracy', 'training', 'throughput', 'other', 'latest sample']) expect(text).toContain(title);
    expect(text).not.toContain('rewards'); // SFT has no rewards
    expect(text).toMatch(/a_p\s+\S+\s+0\.292/); // 0.875 / 3
  });

  it('uses the room of a 160×50 terminal: borders, three columns, every metric row', async () => {
    const lines = await frameAt(160, 50);
    expect(lines.length).toBeLessThan(50);
    for (const line of lines) expect(line.length, line).toBeLessThanOrEqual(160);
    const text = lines.join('\n');
    expect(text).toContain('╭'); // bordered panels
    expect(text).not.toContain('more'); // nothing left out
    for (const label of ['p-token frac', 'p-loss share', 'parse fails', '‖g‖', 'samples/s']) expect(text).toContain(label);
    const accuracyRow = lines.findIndex((l) => l.includes('accuracy'));
    expect(lines[accuracyRow]).toMatch(/accuracy.*training.*throughput|accuracy.*training.*other/); // three panels side by side
  });

  it('shows a rewards panel only when the run emits rewards', () => {
    expect(panelSpecs(SFT_METRICS).map((p) => p.title)).toEqual(['accuracy', 'training', 'throughput', 'other']);
    expect(panelSpecs([N.kl, rewardMetricName('accuracy'), N.rolloutsPerSec]).map((p) => p.title)).toEqual(['accuracy', 'rewards', 'throughput', 'other']);
    expect(planLayout(panelSpecs([]), { columns: 80, rows: 24 }, false).sampleRows).toBe(0); // no samples stream, no sample panel
  });

  it('keeps cut labels distinct', () => {
    expect(distinctLabels(['diag/perceptionTokenFraction', 'diag/perceptionLossShare', 'lr'], 13)).toEqual(['diag/p…action', 'diag/p…sShare', 'lr']);
    expect(distinctLabels(['throughput/tokensPerSec', 'loss'], 10)).toEqual(['throughpu…', 'loss']);
  });
});
