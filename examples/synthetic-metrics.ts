/**
 * A synthetic metric stream shaped like an SFT/GRPO run (curves that rise, losses that fall, a wandering
 * λ), for demos and tests of anything that consumes `Observable<Metric>` without training a model.
 * Replace it with a flow's real `metrics$` in your own code.
 */
import { concatMap, from, interval, map, Observable, take, timer } from 'rxjs';
import { MetricNames as N, rewardMetricName, type Metric } from 'asymflow';
import type { LatestSample } from 'asymflow/tui';

export interface SyntheticOptions {
  readonly run?: string;
  readonly steps?: number;
  readonly stepMs?: number; // 0: synchronous, all at once
  readonly evalEvery?: number;
}

/** The metrics of one step, deterministic in the step. */
export function syntheticStepMetrics(step: number, steps: number, run = 'synthetic', time = Date.now()): Metric[] {
  const t = step / Math.max(1, steps);
  const wobble = (k: number) => 0.03 * Math.sin(step * 0.7 + k);
  const out: Metric[] = [];
  const push = (name: string, value: number) => out.push({ run, step, name, value, time });
  push(N.loss, 2.4 * Math.exp(-3 * t) + 0.35 + wobble(1));
  push(N.lossP, 3.1 * Math.exp(-5 * t) + 0.08 + wobble(2));
  push(N.lossR, 2.2 * Math.exp(-2.5 * t) + 0.4 + wobble(3));
  push(N.lambda, 0.5 + 0.25 * Math.sin(t * 5));
  push(N.gradNormP, 0.6 + 0.3 * Math.exp(-2 * t) + wobble(4));
  push(N.gradNormR, 2.1 + 0.5 * Math.exp(-t) + wobble(5));
  push(N.gradShareP, 0.22 + wobble(6));
  push(rewardMetricName('accuracy'), Math.min(1, 0.1 + 0.6 * t + wobble(7)));
  push(rewardMetricName('perception'), Math.min(1, 0.2 + 0.7 * t + wobble(8)));
  push(N.tokensPerSec, 11800 + 400 * Math.sin(step));
  push(N.samplesPerSec, 38 + Math.cos(step));
  return out;
}

export function syntheticEvalMetrics(step: number, steps: number, run = 'synthetic', time = Date.now()): Metric[] {
  const t = step / Math.max(1, steps);
  return [
    { run, step, name: N.a, value: 0.05 + 0.5 * t, time },
    { run, step, name: N.ap, value: 0.1 + 0.7 * Math.sqrt(t), time },
    { run, step, name: N.ar, value: 0.3 + 0.55 * t, time },
    { run, step, name: N.arCond, value: 0.2 + 0.5 * t, time },
  ];
}

/** Steps 1..steps, one batch of metrics per `stepMs`, with eval metrics every `evalEvery` steps. */
export function syntheticMetrics$(options: SyntheticOptions = {}): Observable<Metric> {
  const { run = 'synthetic', steps = 200, stepMs = 100, evalEvery = 10 } = options;
  const stepBatch = (step: number) => [
    ...syntheticStepMetrics(step, steps, run),
    ...(step % evalEvery === 0 || step === steps ? syntheticEvalMetrics(step, steps, run) : []),
  ];
  const steps$ =
    stepMs === 0
      ? from(Array.from({ length: steps }, (_, i) => i + 1))
      : interval(stepMs).pipe(
          take(steps),
          map((i) => i + 1),
        );
  return steps$.pipe(concatMap((step) => from(stepBatch(step))));
}

/** A GC-like latest sample every `everyMs`, alternating a right and a slightly wrong caption. */
export function syntheticSamples$(everyMs = 1500): Observable<LatestSample> {
  const pStar = '(0,1),(0,3),(1,2),(2,5),(3,4),(4,6),(5,6)';
  return timer(0, everyMs).pipe(
    map((i) =>
      i % 2 === 0
        ? {
            sampleId: `gc-test-${i}`,
            caption: '(0,1),(1,2),(2,5),(3,4),(3,5),(4,6),(5,6)',
            pStar,
            answer: '0:1,1:2,2:1,3:2,4:1,5:2,6:3',
            verdict: { correct: false, reason: 'edge (0,3) joins colour 1' },
          }
        : { sampleId: `gc-test-${i}`, caption: pStar, pStar, answer: '0:1,1:2,2:1,3:2,4:1,5:2,6:3', verdict: { correct: true, reason: 'ok' } },
    ),
  );
}
