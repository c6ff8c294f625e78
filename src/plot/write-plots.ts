/** Writes a run's curve charts, and a sweep's trade-off scatter, as PNG files. */
import { dirname, join } from 'node:path';
import { ensureDir, writeFileAtomicAsync } from '../io/atomic-write.ts';
import type { Metric } from '../records.ts';
import { curveCharts, type CurveOptions } from './curve-specs.ts';
import { renderPng, type PngSize } from './render-png.ts';
import { tradeoffSpec, type SweepRow } from './tradeoff-spec.ts';

export const CURVE_SIZE: PngSize = { width: 720, height: 380, scale: 2 };
export const TRADEOFF_SIZE: PngSize = { width: 640, height: 480, scale: 2 };

/** One `<group>.png` per curve group in `outDir` (created); returns the paths written. */
export async function writeCurvePlots(metrics: readonly Metric[], outDir: string, size: PngSize = CURVE_SIZE, options: CurveOptions = {}): Promise<string[]> {
  ensureDir(outDir);
  const written: string[] = [];
  for (const chart of curveCharts(metrics, options)) {
    const file = join(outDir, `${chart.id}.png`);
    await writeFileAtomicAsync(file, await renderPng(chart.spec, size));
    written.push(file);
  }
  return written;
}

/**
 * One chart of only the metrics named `names` (e.g. eval/ap and eval/ar of every run) as `file`: the curves a
 * reader should compare without the other series of their group. Throws when none of them was recorded.
 */
export async function writeSelectedCurves(metrics: readonly Metric[], names: readonly string[], file: string, size: PngSize = CURVE_SIZE): Promise<string> {
  const charts = curveCharts(metrics.filter((m) => names.includes(m.name)));
  if (charts.length !== 1) throw new Error(`writeSelectedCurves: ${names.join(', ')} make ${charts.length} charts for ${file}; expected one`);
  ensureDir(dirname(file));
  await writeFileAtomicAsync(file, await renderPng(charts[0].spec, size));
  return file;
}

/** `tradeoff.png` in `outDir` (created); returns its path. */
export async function writeTradeoffPlot(rows: readonly SweepRow[], outDir: string, size: PngSize = TRADEOFF_SIZE): Promise<string> {
  if (rows.length === 0) throw new Error('writeTradeoffPlot: no sweep rows to plot');
  ensureDir(outDir);
  const file = join(outDir, 'tradeoff.png');
  await writeFileAtomicAsync(file, await renderPng(tradeoffSpec(rows), size));
  return file;
}
