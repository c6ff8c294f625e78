/**
 * `asymflow plot DIR`: PNG charts of a run directory's recorded curves (DIR/metrics.msgpack → one chart per
 * metric group), and for a sweep directory (DIR/sweep.json) the perception–reasoning trade-off scatter.
 * Writes DIR/plots/*.png (or --out) and prints each path.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Command } from 'commander';
import { PLOT_OPTIONS, resolvePlotConfig } from '../../src/plot/plot-config.ts';
import { parseSweepRows } from '../../src/plot/tradeoff-spec.ts';
import { addOptionFlags } from './option-flags.ts';

/** Flags or typed values (src/plot/plot-config.ts); left out: DIR/plots at scale 2. */
export type PlotOptions = Readonly<Record<string, unknown>>;

/** Plots what `dir` holds; returns the PNG paths written. Throws when there is nothing to plot. */
export async function plotRunDir(dir: string, options: PlotOptions = {}): Promise<string[]> {
  const config = resolvePlotConfig(options);
  const out = config.out || join(dir, 'plots');
  const scale = config.scale;
  const metricsFile = join(dir, 'metrics.msgpack');
  const sweepFile = join(dir, 'sweep.json');
  if (!existsSync(metricsFile) && !existsSync(sweepFile)) {
    throw new Error(`plot: ${dir} has neither metrics.msgpack (a run) nor sweep.json (a sweep)`);
  }
  // Loaded on use (vega, sharp), so `plot --help` stays fast.
  const [{ loadMetrics }, { CURVE_SIZE, TRADEOFF_SIZE, writeCurvePlots, writeTradeoffPlot }] = await Promise.all([
    import('../../src/plot/load-metrics.ts'),
    import('../../src/plot/write-plots.ts'),
  ]);
  const written: string[] = [];
  if (existsSync(metricsFile)) {
    const metrics = await loadMetrics(metricsFile);
    if (metrics.length === 0) process.stderr.write(`plot: ${metricsFile} holds no metrics yet; no curves drawn\n`);
    written.push(...(await writeCurvePlots(metrics, out, { ...CURVE_SIZE, scale })));
  }
  if (existsSync(sweepFile)) {
    let json: unknown;
    try {
      json = JSON.parse(await readFile(sweepFile, 'utf8'));
    } catch (error) {
      throw new Error(`plot: ${sweepFile} is not valid JSON (${(error as Error).message})`);
    }
    written.push(await writeTradeoffPlot(parseSweepRows(json, sweepFile), out, { ...TRADEOFF_SIZE, scale }));
  }
  return written;
}

export function registerPlot(program: Command): void {
  const command = program
    .command('plot')
    .description('write PNG charts of a run (metrics.msgpack) or sweep (sweep.json) directory to DIR/plots')
    .argument('<dir>', 'run or sweep directory');
  addOptionFlags(command, PLOT_OPTIONS).action(async (dir: string, opts: Record<string, unknown>) => {
    for (const file of await plotRunDir(dir, opts)) process.stdout.write(`${file}\n`);
  });
}
