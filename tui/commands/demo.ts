/**
 * `asymflow demo [--out DIR] [--backend NAME]`: the README's main job (flows/demo.ts) — generates GC
 * puzzles, trains the tiny model with standard SFT and with NGDiff, evaluates both on held-out puzzles,
 * prints the table and writes DIR/table.md and DIR/plots/*.png. The dashboard shows on a terminal.
 */
import type { Command } from 'commander';
import { ReplaySubject } from 'rxjs';
import { runDemo } from '../../flows/demo.ts';
import type { SweepSftResult } from '../../flows/sweep-sft.ts';
import { resolveBackend } from '../../src/model/backend.ts';
import { tableMarkdown } from '../../src/sft/sweep-table.ts';
import { attachMonitor } from '../monitor.ts';

export interface DemoCommandOptions {
  readonly out?: string;
  readonly backend?: string;
}

export async function demoCommand(options: DemoCommandOptions, io: { log?: (line: string) => void } = {}): Promise<SweepSftResult> {
  const out = options.out ?? 'runs/demo';
  const log$ = new ReplaySubject<string>(200);
  const log = io.log ?? ((line: string) => log$.next(line));
  const backend = await resolveBackend(options.backend || undefined, { log });
  const started = Date.now();
  try {
    const result = await runDemo({
      out,
      backend: options.backend,
      log,
      watch: io.log ? undefined : (_s, w) => attachMonitor({ metrics$: w.metrics$, samples$: w.samples$, log$, info: w.info, onQuit: w.requestStop }).done,
    });
    // The table was logged through the monitor; print it once more where it stays (after the dashboard).
    if (!io.log) process.stdout.write(`\n${tableMarkdown(result.table)}\nplots: ${out}/plots, runs: ${out}/<objective>/ (${((Date.now() - started) / 1000).toFixed(0)} s)\n`);
    return result;
  } finally {
    log$.complete();
    await backend.dispose();
  }
}

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('the main job: standard SFT vs NGDiff on generated graph-colouring puzzles, tiny model, a few CPU minutes')
    .option('--out <dir>', 'where the runs, table and plots go', 'runs/demo')
    .option('--backend <name>', 'tensorflow, webgpu, wasm or cpu (default: ASYMFLOW_BACKEND or auto)')
    .action(async (opts: DemoCommandOptions) => {
      await demoCommand(opts);
    });
}
