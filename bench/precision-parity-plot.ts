/**
 * Issue 17's learning parity as one picture: the training loss of the same SFT run in fp32 and mixed precision
 * (bench/tc-train.sh copies each run's metrics.msgpack and summary.json to $OUT), overlaid, and the accuracies
 * at each evaluation; prints the final accuracies with their 95% intervals and whether they overlap.
 *   npx tsx bench/precision-parity-plot.ts DIR   (DIR holds metrics-fp32.msgpack, metrics-mixed.msgpack, summary-*.json)
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { TopLevelSpec } from 'vega-lite';
import { loadMetrics } from '../src/plot/load-metrics.ts';
import { PLOT_FONT, renderPng } from '../src/plot/render-png.ts';

const dir = process.argv[2];
if (!dir) throw new Error('usage: precision-parity-plot.ts DIR');
const PRECISIONS = ['fp32', 'mixed'] as const;
type Summary = { a: Interval; ap: Interval; ar: Interval; evaluations: { step: number; a: number; ap: number; ar: number }[] };
type Interval = { value: number; ci95: [number, number]; count: number };

const losses: { step: number; loss: number; precision: string }[] = [];
const accuracies: { step: number; value: number; metric: string; precision: string }[] = [];
for (const p of PRECISIONS) {
  for (const m of await loadMetrics(path.join(dir, `metrics-${p}.msgpack`)))
    if (m.name === 'train/loss') losses.push({ step: m.step, loss: m.value, precision: p });
  const s = JSON.parse(readFileSync(path.join(dir, `summary-${p}.json`), 'utf8')) as Summary;
  for (const e of s.evaluations) for (const metric of ['a', 'ap', 'ar'] as const) accuracies.push({ step: e.step, value: e[metric], metric, precision: p });
  const show = (i: Interval) => `${(100 * i.value).toFixed(1)}% [${(100 * i.ci95[0]).toFixed(1)}, ${(100 * i.ci95[1]).toFixed(1)}]`;
  console.log(`${p}: a ${show(s.a)}, a_p ${show(s.ap)}, a_r ${show(s.ar)} on ${s.a.count} test puzzles`);
}
const spec: TopLevelSpec = {
  config: { font: PLOT_FONT },
  hconcat: [
    {
      title: 'training loss (token-mean CE)',
      width: 420,
      height: 260,
      data: { values: losses },
      mark: { type: 'line', strokeWidth: 1 },
      encoding: {
        x: { field: 'step', type: 'quantitative' },
        y: { field: 'loss', type: 'quantitative', scale: { type: 'log' }, axis: { format: '.2~f' } },
        color: { field: 'precision', type: 'nominal' },
      },
    },
    {
      title: 'test accuracy at each evaluation',
      width: 420,
      height: 260,
      data: { values: accuracies },
      mark: { type: 'line', point: true },
      encoding: {
        x: { field: 'step', type: 'quantitative' },
        y: { field: 'value', type: 'quantitative', axis: { format: '.0%' } },
        color: { field: 'precision', type: 'nominal' },
        strokeDash: { field: 'metric', type: 'nominal' },
      },
    },
  ],
};
const out = path.join(dir, 'precision-parity.png');
writeFileSync(out, await renderPng(spec, { width: 1000, height: 330 }));
console.log(`wrote ${out}`);
