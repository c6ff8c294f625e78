/**
 * The dashboard's state, accumulated from the metric, sample and log streams. Mutable on purpose: it
 * absorbs every metric (possibly thousands a second) cheaply, and `view()` takes an immutable snapshot at
 * most once per frame for React to render.
 */
import type { Metric } from '../../src/records.ts';
import type { Verdict } from '../../src/tasks/task.ts';

export type { RunInfo } from '../../flows/watch.ts'; // one type: what every flow offers its watchers

/** The latest scored sample worth showing: the model's caption against the oracle perception. */
export interface LatestSample {
  readonly sampleId?: string;
  readonly step?: number;
  readonly caption: string;
  readonly pStar: string;
  readonly answer: string;
  readonly verdict: Verdict;
}

export interface SeriesView {
  readonly values: readonly number[]; // most recent last, at most HISTORY long
  readonly last: number;
  readonly step: number; // step of the last value
}

export interface LogLine {
  readonly id: number;
  readonly text: string;
}

export interface DashboardView {
  readonly step: number; // highest step seen (-1 before any metric)
  readonly startedAt: number;
  readonly now: number;
  readonly firstStepAt?: number; // wall time the first metric arrived, with its step
  readonly firstStep?: number;
  readonly finishedAt?: number; // wall time the metric stream completed
  readonly error?: string;
  readonly series: ReadonlyMap<string, SeriesView>;
  readonly sample?: LatestSample;
  readonly log: readonly LogLine[];
}

export const HISTORY = 120;

export class DashboardStore {
  private step = -1;
  private firstStepAt?: number;
  private firstStep?: number;
  private finishedAt?: number;
  private error?: string;
  private readonly series = new Map<string, { values: number[]; step: number }>();
  private sample?: LatestSample;
  private readonly log: LogLine[] = [];
  private nowMs: number;

  constructor(
    private readonly startedAt: number,
    private readonly clock: () => number = Date.now,
  ) {
    this.nowMs = startedAt;
  }

  addMetric(m: Metric): void {
    const now = this.clock();
    if (this.firstStepAt === undefined) ((this.firstStepAt = now), (this.firstStep = m.step));
    if (m.step > this.step) this.step = m.step;
    let s = this.series.get(m.name);
    if (!s) this.series.set(m.name, (s = { values: [], step: m.step }));
    s.values.push(m.value);
    if (s.values.length > HISTORY * 2) s.values.splice(0, s.values.length - HISTORY); // amortised trim
    s.step = m.step;
    this.nowMs = now;
  }

  setSample(sample: LatestSample): void {
    this.sample = sample;
  }

  addLog(text: string): void {
    for (const line of text.split('\n')) this.log.push({ id: this.log.length, text: line });
  }

  tick(): void {
    this.nowMs = this.clock();
  }

  finish(error?: unknown): void {
    this.finishedAt ??= this.clock();
    this.nowMs = this.finishedAt;
    if (error !== undefined) this.error = error instanceof Error ? error.message : String(error);
  }

  view(): DashboardView {
    const series = new Map<string, SeriesView>();
    for (const [name, s] of this.series) {
      const values = s.values.slice(-HISTORY);
      series.set(name, { values, last: values[values.length - 1], step: s.step });
    }
    return {
      step: this.step,
      startedAt: this.startedAt,
      now: this.finishedAt ?? this.nowMs,
      firstStepAt: this.firstStepAt,
      firstStep: this.firstStep,
      finishedAt: this.finishedAt,
      error: this.error,
      series,
      sample: this.sample,
      log: this.log.slice(),
    };
  }
}

/** Remaining time from the wall-clock rate since the first metric; undefined until two steps are seen. */
export function etaMs(view: DashboardView, totalSteps: number | undefined): number | undefined {
  if (totalSteps === undefined || view.firstStepAt === undefined || view.firstStep === undefined) return undefined;
  const done = view.step - view.firstStep;
  if (done <= 0) return undefined;
  const perStep = (view.now - view.firstStepAt) / done;
  return Math.max(0, (totalSteps - view.step) * perStep);
}
