/**
 * The reproduce report's figures, written through src/plot: Fig. 3 and Fig. 6 as accuracy curves, Fig. 4
 * and Fig. 10 as trade-off scatters, Fig. 8 as a bar chart of correlations with their 95% intervals.
 * Each returns the PNG path, or undefined when its part has not run.
 */
import { writeFileAtomicAsync } from '../src/io/atomic-write.ts';
import path from 'node:path';
import type { TopLevelSpec } from 'vega-lite';
import { MetricNames as N } from '../src/metric-names.ts';
import { renderPng } from '../src/plot/render-png.ts';
import type { SweepRow } from '../src/plot/tradeoff-spec.ts';
import { writeCurvePlots, writeTradeoffPlot } from '../src/plot/write-plots.ts';
import type { Metric } from '../src/records.ts';
import type { DiagnoseSummary } from '../src/rl/diagnose.ts';
import type { EvalPoint } from '../src/sft/sft-eval.ts';

export interface Curve {
  readonly run: string; // the series label
  readonly points: readonly EvalPoint[];
}

/** The a, a_p, a_r, ã_r curves of one or more runs as `accuracies.png` in `dir`. */
export async function accuracyCurves(curves: readonly Curve[], dir: string): Promise<string | undefined> {
  const metrics: Metric[] = curves.flatMap((c) =>
    c.points.flatMap((p) => [
      { run: c.run, step: p.step, name: N.a, value: p.a, time: 0 },
      { run: c.run, step: p.step, name: N.ap, value: p.ap, time: 0 },
      { run: c.run, step: p.step, name: N.ar, value: p.ar, time: 0 },
      { run: c.run, step: p.step, name: N.arCond, value: p.arCond, time: 0 },
    ]),
  );
  if (metrics.length === 0) return undefined;
  const written = await writeCurvePlots(metrics, dir);
  return written.find((f) => path.basename(f) === 'accuracies.png');
}

export async function tradeoff(rows: readonly SweepRow[], dir: string): Promise<string | undefined> {
  return rows.length === 0 ? undefined : writeTradeoffPlot(rows, dir);
}

/** Fig. 8 analogue: r of the outcome reward with a_p and ã_r, and of each surrogate with a_p. */
export async function correlationBars(s: DiagnoseSummary, file: string): Promise<string> {
  const bar = (label: string, r: number, ci: readonly [number, number], group: string) => ({
    label,
    r: Number.isNaN(r) ? 0 : r,
    lo: Number.isNaN(ci[0]) ? 0 : ci[0],
    hi: Number.isNaN(ci[1]) ? 0 : ci[1],
    group,
  });
  const values = [
    bar('a vs a_p', s.rRewardPerception.r, s.rRewardPerception.ci95, 'outcome reward'),
    bar('a vs ã_r', s.rRewardReasoning.r, s.rRewardReasoning.ci95, 'outcome reward'),
    ...Object.entries(s.surrogates).map(([label, c]) => bar(`${label} vs a_p`, c.r, c.ci95, 'surrogate reward')),
  ];
  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: `Correlations over ${s.rollouts} rollouts (95% intervals; undefined r drawn as 0)`,
    data: { values },
    layer: [
      {
        mark: 'bar',
        encoding: {
          x: { field: 'label', type: 'nominal', sort: null, title: null, axis: { labelAngle: -30 } },
          y: { field: 'r', type: 'quantitative', title: 'Pearson r', scale: { domain: [-1, 1] } },
          color: { field: 'group', type: 'nominal', title: null },
        },
      },
      {
        mark: { type: 'rule', strokeWidth: 2 },
        encoding: { x: { field: 'label', type: 'nominal', sort: null }, y: { field: 'lo', type: 'quantitative' }, y2: { field: 'hi' } },
      },
    ],
  } as unknown as TopLevelSpec;
  await writeFileAtomicAsync(file, await renderPng(spec, { width: 640, height: 380, scale: 2 }));
  return file;
}
