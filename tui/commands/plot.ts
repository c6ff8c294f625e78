/**
 * `asymflow plot DIR`: PNG charts of a run directory's recorded curves (DIR/metrics.msgpack → one chart per
 * metric group), and for a sweep directory (DIR/sweep.json) the perception–reasoning trade-off scatter.
 * Writes DIR/plots/*.png (or --out) and prints each path.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Command } from 'commander';
import { parseSweepRows } from '../../src/plot/tradeoff-spec.ts';

export interface PlotOptions {
  readonly out?: string;
  readonly scale?: number;
}

/** Plots what `dir` holds; returns the PNG paths written. Throws when there is nothing to plot. */
export async function plotRunDir(dir: string, options: PlotOptions = {}): Promise<string[]> {
  const out = options.out ?? join(dir, 'plots');
  const scale = options.scale ?? 2;
  if (!(Number.isFinite(scale) && scale > 0 && scale <= 8)) throw new Error(`plot: --scale must be in (0, 8], got ${options.scale}`);
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
  program
    .command('plot')
    .description('write PNG charts of a run (metrics.msgpack) or sweep (sweep.json) directory to DIR/plots')
    .argument('<dir>', 'run or sweep directory')
    .option('--out <dir>', 'where to write the PNGs (default DIR/plots)')
    .option('--scale <n>', 'pixels per chart unit (2 = crisp on high-DPI screens)', Number, 2)
    .action(async (dir: string, opts: { out?: string; scale: number }) => {
      for (const file of await plotRunDir(dir, { out: opts.out, scale: opts.scale })) process.stdout.write(`${file}\n`);
    });
}
