/** Writes a run's curve charts, and a sweep's trade-off scatter, as PNG files. */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Metric } from '../records.ts';
import { curveCharts, type CurveOptions } from './curve-specs.ts';
import { renderPng, type PngSize } from './render-png.ts';
import { tradeoffSpec, type SweepRow } from './tradeoff-spec.ts';

export const CURVE_SIZE: PngSize = { width: 720, height: 380, scale: 2 };
export const TRADEOFF_SIZE: PngSize = { width: 640, height: 480, scale: 2 };

/** One `<group>.png` per curve group in `outDir` (created); returns the paths written. */
export async function writeCurvePlots(
  metrics: readonly Metric[],
  outDir: string,
  size: PngSize = CURVE_SIZE,
  options: CurveOptions = {},
): Promise<string[]> {
  await mkdir(outDir, { recursive: true });
  const written: string[] = [];
  for (const chart of curveCharts(metrics, options)) {
    const file = join(outDir, `${chart.id}.png`);
    await writeFile(file, await renderPng(chart.spec, size));
    written.push(file);
  }
  return written;
}

/** `tradeoff.png` in `outDir` (created); returns its path. */
export async function writeTradeoffPlot(rows: readonly SweepRow[], outDir: string, size: PngSize = TRADEOFF_SIZE): Promise<string> {
  if (rows.length === 0) throw new Error('writeTradeoffPlot: no sweep rows to plot');
  await mkdir(outDir, { recursive: true });
  const file = join(outDir, 'tradeoff.png');
  await writeFile(file, await renderPng(tradeoffSpec(rows), size));
  return file;
}
