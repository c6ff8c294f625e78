/**
 * `asymflow demo [--out DIR] [--backend NAME]`: the README's main job (flows/demo.ts) — generates GC
 * puzzles, trains the tiny model with standard SFT and with NGDiff, evaluates both on the same held-out
 * puzzles, prints the table and its reading (paired comparisons with 95% intervals) and writes DIR/table.md,
 * DIR/reading.md, DIR/comparison.json and DIR/plots/*.png. The dashboard shows on a terminal.
 */
import type { Command } from 'commander';
import type { DemoResult } from '../../flows/demo.ts';
import { DEMO_OPTIONS, resolveDemoOptions } from '../../src/sft/demo-options.ts';
import { addOptionFlags } from './option-flags.ts';

export async function demoCommand(flags: Readonly<Record<string, unknown>>, io: { log?: (line: string) => void } = {}): Promise<DemoResult> {
  const { out, backend: backendName } = resolveDemoOptions(flags);
  // Loaded on use, so `demo --help` loads no tfjs, vega or ink.
  const [{ runDemo }, { resolveBackend }, { runMonitor }] = await Promise.all([
    import('../../flows/demo.ts'),
    import('../../src/backend/index.ts'),
    import('./run-monitor.ts'),
  ]);
  const monitor = runMonitor();
  const log = io.log ?? monitor.log;
  const backend = await resolveBackend(backendName || undefined, { log });
  const started = Date.now();
  try {
    const result = await runDemo({
      out,
      backend: backendName,
      log,
      result: io.log ?? monitor.result,
      watch: io.log ? undefined : (_s, w) => monitor.watch(w),
    });
    log(
      `demo: table ${out}/table.md, reading ${out}/reading.md, plots ${out}/plots, runs ${out}/standard and ${out}/ngdiff (${((Date.now() - started) / 1000).toFixed(0)} s)`,
    );
    return result;
  } finally {
    monitor.close();
    await backend.dispose();
  }
}

export function registerDemo(program: Command): void {
  const command = program
    .command('demo')
    .description('the main job: standard SFT vs NGDiff on generated graph-colouring puzzles, tiny model, a few CPU minutes');
  addOptionFlags(command, DEMO_OPTIONS).action(async (flags: Record<string, unknown>) => {
    await demoCommand(flags);
  });
}
