/**
 * Subscribing to a run's metric stream in code: a custom end-of-run summary (first/min/max/last of each
 * metric, the step where end-to-end accuracy peaked, the perception–reasoning gap) plus a milestone line
 * whenever a_p first crosses 0.5 — all from one shared `Observable<Metric>`.
 *
 *   npx tsx examples/metric-summary.ts [steps]
 *
 * The stream here is SYNTHETIC (examples/synthetic-metrics.ts), because no training flow exists yet; to use a
 * real run, replace `syntheticMetrics$(...)` with the flow's `metrics$` (e.g. the SFT flow's shared stream) —
 * nothing else changes.
 */
import { filter, first, last, Observable, scan, share } from 'rxjs';
import { MetricNames as N, metricLabel, type Metric } from 'asymflow/metrics';
import { formatValue } from 'asymflow/tui';
import { syntheticMetrics$ } from './synthetic-metrics.ts';

interface SeriesSummary {
  readonly first: number;
  readonly last: number;
  readonly min: number;
  readonly max: number;
  readonly argmax: number; // step of the maximum
  readonly count: number;
}

type Summary = ReadonlyMap<string, SeriesSummary>;

/** Folds a metric stream into per-name summaries; emits once, when the stream completes. */
export function summarize(metrics$: Observable<Metric>): Observable<Summary> {
  return metrics$.pipe(
    scan((acc, m) => {
      const s = acc.get(m.name);
      acc.set(
        m.name,
        s
          ? {
              ...s,
              last: m.value,
              min: Math.min(s.min, m.value),
              max: Math.max(s.max, m.value),
              argmax: m.value > s.max ? m.step : s.argmax,
              count: s.count + 1,
            }
          : { first: m.value, last: m.value, min: m.value, max: m.value, argmax: m.step, count: 1 },
      );
      return acc;
    }, new Map<string, SeriesSummary>()),
    last(undefined, new Map<string, SeriesSummary>()),
  );
}

function printSummary(summary: Summary): void {
  const f = (v: number) => formatValue(v).padStart(9);
  const width = Math.max(...[...summary.keys()].map((n) => n.length + metricLabel(n).length + 4));
  console.log(`${'metric'.padEnd(width)}${['first', 'min', 'max', 'last'].map((h) => h.padStart(9)).join('')}      n`);
  for (const [name, s] of [...summary].sort(([x], [y]) => x.localeCompare(y))) {
    console.log(`${`${name} (${metricLabel(name)})`.padEnd(width)}${f(s.first)}${f(s.min)}${f(s.max)}${f(s.last)}${String(s.count).padStart(7)}`);
  }
  const a = summary.get(N.a);
  const ap = summary.get(N.ap);
  const ar = summary.get(N.ar);
  if (a) console.log(`\nend-to-end a peaked at ${a.max.toFixed(3)} at step ${a.argmax}`);
  if (ap && ar) {
    console.log(
      `final perception a_p = ${ap.last.toFixed(3)}, reasoning a_r = ${ar.last.toFixed(3)}: ` +
        `${ap.last < ar.last ? 'perception' : 'reasoning'} is the bottleneck (gap ${Math.abs(ar.last - ap.last).toFixed(3)})`,
    );
  }
}

const isMain = process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href;
if (isMain) {
  const steps = Number(process.argv[2] ?? 200);
  // One shared stream: both subscribers below see the same values, the source runs once.
  const metrics$ = syntheticMetrics$({ run: 'example', steps, stepMs: 2 }).pipe(share());

  metrics$
    .pipe(
      filter((m) => m.name === N.ap && m.value >= 0.5),
      first(undefined, undefined),
    )
    .subscribe((m) => m && console.log(`milestone: a_p reached ${m.value.toFixed(3)} at step ${m.step}`));

  summarize(metrics$).subscribe(printSummary);
}
