/**
 * `asymflow sweep sft --task T --lambda 0.1,0.2,0.5,0.8,0.9 --with standard,ngdiff --out DIR [training flags]`
 * Runs every setting into DIR/<name>/ (flows/sweep-sft.ts) and writes DIR/table.md + table.json (the
 * paper's Table 1), DIR/sweep.json and DIR/plots/tradeoff.png (its Fig. 4). Re-running the same command
 * keeps finished runs and resumes unfinished ones.
 */
import type { Command } from 'commander';
import type { SweepSftResult } from '../../flows/sweep-sft.ts';
import { accuracyValues } from '../../src/eval/accuracy.ts';
import { toStderr } from '../../src/output-lines.ts';
import { resolveSftConfig } from '../../src/sft/sft-config.ts';
import { parseLambdaList, parseWithList, settingConfig, sweepSettings } from '../../src/sft/sweep-table.ts';
import { addTrainingOptions, fittedTaskOptions } from './sft.ts';
import { parseOptionPairs, readTaskOptions } from './task-flags.ts';
import { addExecutorOptions, executorFrom } from './executor-flags.ts';

export interface SweepSftIo {
  readonly log?: (line: string) => void; // given: no monitor is attached
}

/** Runs `asymflow sweep sft` with command-line style flags. */
export async function sweepSftCommand(flags: Readonly<Record<string, unknown>>, io: SweepSftIo = {}): Promise<SweepSftResult> {
  const {
    lambda,
    with: extras,
    taskOption,
    modelOption,
    objective,
    seeds,
    queue,
    parallel,
    ...rest
  } = flags as Record<string, unknown> & {
    lambda?: string;
    with?: string;
    taskOption?: string[];
    modelOption?: string[];
    seeds?: string;
    queue?: string;
    parallel?: string;
  };
  if (objective !== undefined) throw new Error('sweep sft: --objective is set per setting; use --lambda and --with');
  const settings = sweepSettings(lambda === undefined ? [] : parseLambdaList(String(lambda)), extras === undefined ? [] : parseWithList(String(extras)));
  const given = Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined));
  const base = resolveSftConfig(given);
  for (const setting of settings) settingConfig(base, setting, base.out); // every run's own config checked before any work
  const taskOptionsGiven = await readTaskOptions('sweep sft', base.task, taskOption ?? []);
  const modelOptions = parseOptionPairs('sweep sft', '--model-option', modelOption ?? []);
  // Loaded on use, so `sweep sft --help` loads no tfjs, vega or ink.
  const [{ runSweepSft }, { resolveBackend }, { runMonitor }] = await Promise.all([
    import('../../flows/sweep-sft.ts'),
    import('../../src/backend/index.ts'),
    import('./run-monitor.ts'),
  ]);
  const monitor = runMonitor();
  const log = io.log ?? monitor.log;
  const result = io.log ?? monitor.result;
  // Every setting trains on the same traces: fitted once, as a fresh run would be (resume: false).
  const taskOptions = await fittedTaskOptions('sweep sft', { ...base, resume: false }, taskOptionsGiven, modelOptions, log);
  const executor = executorFrom('sweep sft', { queue, parallel }, base.out, io.log ?? toStderr, undefined, io.log ? undefined : process.stdout);
  // Runs elsewhere resolve the backend where they run (a coordinator may have no GPU).
  const backend = executor ? undefined : await resolveBackend(base.backend || undefined, { log });
  const one = (seed: number, out: string) =>
    runSweepSft({
      base: { ...base, seed, out },
      settings,
      out,
      taskOptions,
      modelOptions,
      log,
      result,
      watch: io.log ? undefined : (_setting, w) => monitor.watch(w),
      executor,
    });
  try {
    if (seeds === undefined) return await one(base.seed, base.out);
    const [{ parseSeeds }, { runSeedSweeps }] = await Promise.all([import('../../flows/reproduce-seeds.ts'), import('../../flows/sweep-seeds.ts')]);
    const results: SweepSftResult[] = [];
    const { table } = await runSeedSweeps(parseSeeds(String(seeds)), base.out, `SFT sweep on ${base.task}, ${base.steps} steps`, async (seed, dir) => {
      const r = await one(seed, dir);
      results.push(r);
      return r.table.rows.map((x) => ({ setting: x.setting, ...accuracyValues(x) }));
    });
    result(table.trimEnd());
    return results[0];
  } finally {
    monitor.close();
    await backend?.dispose();
  }
}

export function registerSweepSft(sweep: Command): void {
  const command = sweep
    .command('sft')
    .description('SFT under several objectives (standard, fixed λ, NGDiff): Table 1 and the trade-off plot')
    .option('--lambda <list>', 'fixed-λ settings, e.g. 0.1,0.2,0.5,0.8,0.9')
    .option('--with <list>', 'also run standard and/or ngdiff, e.g. standard,ngdiff')
    .option('--seeds <list>', 'run the sweep once per seed (e.g. 0,1,2) in DIR/seed-S/ (overrides --seed); DIR/seeds.md has the mean and per-seed spread')
    .requiredOption('--out <dir>', 'the sweep directory (one run directory per setting inside)');
  addExecutorOptions(command);
  addTrainingOptions(command).action(async (opts: Record<string, unknown>) => {
    await sweepSftCommand(opts);
  });
}
