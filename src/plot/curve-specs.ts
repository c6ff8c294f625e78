/**
 * Vega-Lite line-chart specs for a run's curves (metric value vs step), one chart per group of metrics that
 * share a scale: accuracies, losses, λ, gradient norms, gradient shares, rewards, throughput, and one chart
 * per any other name prefix. Pure: metrics in, specs out.
 */
import type { TopLevelSpec } from 'vega-lite';
import type { Metric } from '../records.ts';
import { metricGroup, metricLabel } from '../metric-names.ts';
import { VALUE_AXIS, valueScale } from './axis.ts';

export interface CurveChart {
  readonly id: string; // file stem, e.g. 'accuracies'
  readonly title: string;
  readonly spec: TopLevelSpec;
  readonly points: number; // data points drawn (after downsampling)
}

interface GroupRule {
  readonly id: string;
  readonly title: string;
  readonly yTitle: string;
  readonly matches: (name: string) => boolean;
  readonly unitInterval?: boolean; // values live in [0,1]
  readonly perMetric?: boolean; // one chart per metric: scales differ by orders of magnitude (tokens/s vs samples/s)
}

const RULES: readonly GroupRule[] = [
  { id: 'accuracies', title: 'Accuracies', yTitle: 'accuracy', matches: (n) => n.startsWith('eval/'), unitInterval: true },
  { id: 'losses', title: 'Losses', yTitle: 'cross entropy / loss', matches: (n) => /^train\/loss/.test(n) },
  { id: 'lambda', title: 'Reweighting λ', yTitle: 'λ', matches: (n) => n === 'train/lambda', unitInterval: true },
  { id: 'grad-norms', title: 'Gradient norms', yTitle: 'L2 norm', matches: (n) => n.startsWith('train/gradNorm') },
  { id: 'grad-shares', title: 'Perception share of the gradient', yTitle: 'share', matches: (n) => n.startsWith('train/gradShare'), unitInterval: true },
  { id: 'rewards', title: 'Reward components (mean per step)', yTitle: 'reward', matches: (n) => n.startsWith('reward/') },
  { id: 'throughput', title: 'Throughput', yTitle: 'per second', matches: (n) => n.startsWith('throughput/'), perMetric: true },
];

/** The chart a metric name belongs to: a named group, or `other-<prefix>` for anything else. */
export function curveGroupOf(name: string): { id: string; title: string; yTitle: string; unitInterval: boolean } {
  const rule = RULES.find((r) => r.matches(name));
  if (rule?.perMetric) {
    const what = name.slice(name.indexOf('/') + 1).replace(/[^A-Za-z0-9_-]/g, '_');
    return { id: `${rule.id}-${what}`, title: `${rule.title}: ${metricLabel(name)}`, yTitle: metricLabel(name), unitInterval: false };
  }
  if (rule) return { id: rule.id, title: rule.title, yTitle: rule.yTitle, unitInterval: rule.unitInterval ?? false };
  const prefix = metricGroup(name).replace(/[^A-Za-z0-9_-]/g, '_');
  return { id: `other-${prefix}`, title: `Other: ${metricGroup(name)}/*`, yTitle: 'value', unitInterval: false };
}

/** At most `max` points per series, evenly strided, always keeping the last (the run's final value). */
export function downsample<T>(points: readonly T[], max: number): T[] {
  if (points.length <= max) return [...points];
  const stride = Math.ceil(points.length / max);
  const kept = points.filter((_, i) => i % stride === 0);
  if (kept[kept.length - 1] !== points[points.length - 1]) kept.push(points[points.length - 1]);
  return kept;
}

export interface CurveOptions {
  readonly maxPointsPerSeries?: number; // default 1000: keeps the SVG small for long runs
}

/** One chart per group present in `metrics`, in a fixed group order; non-finite values are dropped. */
export function curveCharts(metrics: readonly Metric[], options: CurveOptions = {}): CurveChart[] {
  const maxPoints = options.maxPointsPerSeries ?? 1000;
  const runs = new Set(metrics.map((m) => m.run));
  const bySeries = new Map<string, Metric[]>(); // key: run \0 name
  for (const m of metrics) {
    if (!Number.isFinite(m.value) || !Number.isFinite(m.step)) continue;
    const key = `${m.run}\0${m.name}`;
    let series = bySeries.get(key);
    if (!series) bySeries.set(key, (series = []));
    series.push(m);
  }
  const byGroup = new Map<string, { title: string; yTitle: string; unitInterval: boolean; rows: object[]; order: string[] }>();
  for (const [key, series] of bySeries) {
    const [run, name] = key.split('\0');
    const group = curveGroupOf(name);
    let entry = byGroup.get(group.id);
    if (!entry) byGroup.set(group.id, (entry = { ...group, rows: [], order: [] }));
    const label = runs.size > 1 ? `${run} · ${metricLabel(name)}` : metricLabel(name);
    entry.order.push(label);
    series.sort((x, y) => x.step - y.step);
    for (const m of downsample(series, maxPoints)) entry.rows.push({ step: m.step, value: m.value, series: label });
  }
  const groupOrder = [...RULES.map((r) => r.id)];
  const ruleOf = (id: string) => groupOrder.find((r) => id === r || id.startsWith(`${r}-`)) ?? id;
  const ids = [...byGroup.keys()].sort((x, y) => rank(groupOrder, ruleOf(x)) - rank(groupOrder, ruleOf(y)) || x.localeCompare(y));
  return ids.map((id) => {
    const g = byGroup.get(id)!;
    return { id, title: g.title, points: g.rows.length, spec: lineSpec(g.title, g.yTitle, g.rows, g.order, g.unitInterval) };
  });
}

function rank(order: readonly string[], id: string): number {
  const i = order.indexOf(id);
  return i < 0 ? order.length : i;
}

function lineSpec(title: string, yTitle: string, rows: object[], order: string[], unitInterval: boolean): TopLevelSpec {
  const single = rows.length > 0 && new Set(order).size === 1;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    data: { values: rows },
    mark: { type: 'line', strokeWidth: 2, point: rows.length <= 40 * order.length ? { size: 24 } : false },
    encoding: {
      x: { field: 'step', type: 'quantitative', title: 'step', axis: { tickMinStep: 1 } },
      y: {
        field: 'value',
        type: 'quantitative',
        title: yTitle,
        scale: unitInterval ? { domain: [0, 1] } : valueScale(rows.map((r) => (r as { value: number }).value)),
        axis: VALUE_AXIS,
      },
      color: {
        field: 'series',
        type: 'nominal',
        sort: order,
        // one series: the chart title names it, and an in-plot legend would cover the line
        legend: single ? null : { title: 'metric' },
      },
    },
  } as TopLevelSpec;
}
