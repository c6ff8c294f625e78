/**
 * The SFT flow yields to the event loop on the cpu backend, where every `await tensor.data()` resolves as a
 * microtask: a timer fires between training steps (so the dashboard redraws and SIGINT is heard), and a stop
 * requested from a timer mid-run ends the run after its current step with a checkpoint that resumes exactly.
 * A stop during an evaluation abandons it at its next batch, periodic or final, and --resume does it again.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSft, type SftRunResult } from '../../flows/sft.ts';
import { MetricNames } from '../../src/metric-names.ts';
import { resolveSftConfig } from '../../src/sft/sft-config.ts';
import { MICRO, MICRO_SFT_FLAGS } from '../support/micro-sft.ts';

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'asymflow-sft-yields-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const quiet = () => {};
const FLAGS = {
  ...MICRO_SFT_FLAGS,
  objective: 'standard',
  steps: 6,
  checkpointEvery: 100,
};

describe('sft on cpu yields to the event loop', () => {
  it('a timer fires between steps, and a stop asked by a timer ends the run after that step with a checkpoint that resumes exactly', async () => {
    const straight = await runSft({ config: resolveSftConfig({ ...FLAGS, out: path.join(dir, 'straight') }), ...MICRO, log: quiet });

    const out = path.join(dir, 'stopped');
    let ticks = 0;
    const ticksAtStep = new Map<number, number>();
    const timer = setInterval(() => ticks++, 1);
    let stopped: SftRunResult;
    try {
      stopped = await runSft({
        config: resolveSftConfig({ ...FLAGS, out }),
        ...MICRO,
        log: quiet,
        watch: (w) => {
          w.metrics$.subscribe((m) => {
            if (m.name !== MetricNames.loss) return;
            ticksAtStep.set(m.step, ticks);
            // Asked from a timer, as SIGINT's handler or a key press would: only heard if the loop yields.
            if (m.step === 2) setTimeout(() => w.requestStop(), 0);
          });
        },
      });
    } finally {
      clearInterval(timer);
    }
    // Between step 1's metrics and step 2's (one training step), the 1 ms interval ran.
    expect(ticksAtStep.get(2)!).toBeGreaterThan(ticksAtStep.get(1)!);
    // Stopped after step 3 at the latest (the stop lands during or right after step 2's bookkeeping), not at 6.
    expect(stopped.step).toBeGreaterThanOrEqual(2);
    expect(stopped.step).toBeLessThan(6);
    expect(stopped.summary!.stopped).toBe('quit');
    expect(JSON.parse(fs.readFileSync(path.join(out, 'checkpoints', 'checkpoint.json'), 'utf8'))).toBeTruthy();

    const resumed = await runSft({ config: resolveSftConfig({ ...FLAGS, out, resume: true }), ...MICRO, log: quiet });
    expect(resumed.step).toBe(6);
    expect(resumed.summary!.weightsSha256).toBe(straight.summary!.weightsSha256);
  }, 180_000);

  it('a stop during an evaluation abandons it at the next batch; the checkpoint resumes to the run without the stop, evaluations included', async () => {
    const flags = { ...FLAGS, evalEvery: 2, evalN: 3, evalBatch: 1 };
    const straight = await runSft({ config: resolveSftConfig({ ...flags, out: path.join(dir, 'eval-straight') }), ...MICRO, log: quiet });
    expect(straight.summary!.evaluations.map((p) => p.step)).toEqual([2, 4, 6]);

    for (const step of [4, 6]) {
      const out = path.join(dir, `eval-stopped-${step}`);
      const lines: string[] = [];
      let requestStop: (() => void) | undefined;
      const stopped = await runSft({
        config: resolveSftConfig({ ...flags, out }),
        ...MICRO,
        log: (line) => {
          lines.push(line);
          // The first record of this step's evaluation is scored: a stop now must not wait for the other two.
          if (line.startsWith(`sft: evaluating step ${step}: 1/3`)) requestStop!();
        },
        watch: (w) => void (requestStop = w.requestStop),
      });
      expect(lines).toContain(`sft: evaluation at step ${step} abandoned after 1 records (stop requested); --resume evaluates it again`);
      expect(lines.some((l) => l.startsWith(`sft: evaluating step ${step}: 2/3`))).toBe(false);
      expect(stopped.step).toBe(step);
      expect(stopped.summary!.stopped).toBe('quit');
      expect(stopped.summary!.evaluations.map((p) => p.step)).toEqual(step === 4 ? [2] : [2, 4]);

      const resumed = await runSft({ config: resolveSftConfig({ ...flags, out, resume: true }), ...MICRO, log: quiet });
      expect(resumed.summary!.stopped).toBeUndefined();
      expect(resumed.summary!.weightsSha256).toBe(straight.summary!.weightsSha256);
      expect(resumed.summary!.evaluations.map(({ step, a, ap, ar, arCond, n }) => ({ step, a, ap, ar, arCond, n }))).toEqual(
        straight.summary!.evaluations.map(({ step, a, ap, ar, arCond, n }) => ({ step, a, ap, ar, arCond, n })),
      );
    }
  }, 300_000);
});
