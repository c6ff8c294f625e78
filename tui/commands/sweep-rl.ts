/**
 * `asymflow sweep rl --alpha 0,0.2,0.5,0.8,1 --init DIR --out DIR [any asymflow rl flag]`
 * One RL run per α from the same checkpoint (flows/sweep-rl.ts): DIR/sweep.json, DIR/table.md (Table-2
 * analogue) and DIR/plots/tradeoff.png (Fig.-10 trade-off). Registered under the `sweep` verb.
 */
import type { Command } from 'commander';
import { ConfigError } from '../../src/config.ts';
import { toStderr, toStdout } from '../../src/output-lines.ts';
import { alphaRunConfig, RL_OPTIONS, RL_RUN_ONLY_KEYS } from '../../src/rl/rl-config.ts';
import type { RlSweepRow } from '../../src/rl/sweep-table.ts';
import { addOptionFlags } from './option-flags.ts';
import { readTaskOptions, TASK_OPTION_HELP } from './task-flags.ts';
import { addExecutorOptions, executorFrom } from './executor-flags.ts';

/** `0,0.2,0.5` → numbers in [0, 1], distinct; exact messages otherwise. */
export function parseAlphas(text: string): number[] {
  const values = text.split(',').map((s) => s.trim());
  const alphas = values.map((s) => {
    const a = Number(s);
    if (s === '' || !Number.isFinite(a) || a < 0 || a > 1) throw new ConfigError(`sweep rl --alpha: '${s}' is not a number in [0, 1] (in '${text}')`);
    return a;
  });
  if (new Set(alphas).size !== alphas.length) throw new ConfigError(`sweep rl --alpha: repeated value in '${text}'`);
  return alphas;
}

export async function sweepRlCommand(
  flags: Readonly<Record<string, unknown>>,
  options: { log?: (line: string) => void; plot?: boolean } = {},
): Promise<RlSweepRow[]> {
  const { taskOption, alpha, out, seeds, queue, parallel, ...rest } = flags as {
    taskOption?: string[];
    alpha?: string;
    out?: string;
    seeds?: string;
    queue?: string;
    parallel?: string;
  };
  if (!alpha) throw new ConfigError('sweep rl needs --alpha LIST, e.g. --alpha 0,0.2,0.5,0.8,1');
  if (!out) throw new ConfigError('sweep rl needs --out DIR');
  const alphas = parseAlphas(alpha);
  const base = alphas.map((a) => alphaRunConfig(rest, a, out))[0]; // every run's own config checked before any work
  const taskOptions = await readTaskOptions('sweep rl', base.task, taskOption ?? []);
  // Loaded on use, so `sweep rl --help` loads no tfjs.
  const [{ runSweepRl }, { resolveBackend }] = await Promise.all([import('../../flows/sweep-rl.ts'), import('../../src/backend/index.ts')]);
  const executor = executorFrom('sweep rl', { queue, parallel }, out, options.log ?? toStderr, undefined, options.log ? undefined : process.stdout);
  // Runs elsewhere resolve the backend where they run (a coordinator may have no GPU).
  const backend = executor ? undefined : await resolveBackend(base.backend || undefined, { log: options.log });
  const one = (seed: number, dir: string) =>
    runSweepRl({ base: { ...base, seed }, alphas, out: dir, taskOptions, backend, plot: options.plot, log: options.log, executor });
  if (seeds === undefined) return one(base.seed, out);
  const [{ parseSeeds }, { runSeedSweeps }] = await Promise.all([import('../../flows/reproduce-seeds.ts'), import('../../flows/sweep-seeds.ts')]);
  const rows: RlSweepRow[][] = [];
  const { table } = await runSeedSweeps(parseSeeds(seeds), out, `RL α sweep on ${base.task} (after RL)`, async (seed, dir) => {
    const r = await one(seed, dir);
    rows.push(r);
    return r;
  });
  (options.log ?? toStdout)(table.trimEnd());
  return rows.flat();
}

export function registerSweepRl(sweep: Command): void {
  const command = sweep
    .command('rl')
    .description('α sweep of RL reward augmentation: Table-2 analogue and the trade-off plot')
    .requiredOption('--alpha <list>', 'comma-separated α values, e.g. 0,0.2,0.5,0.8,1')
    .requiredOption('--init <dir>', 'checkpoint or run directory every run starts from')
    .requiredOption('--out <dir>', 'sweep directory (one run per α inside)')
    .option('--seeds <list>', 'run the sweep once per seed (e.g. 0,1,2) in DIR/seed-S/ (overrides --seed); DIR/seeds.md has the mean and per-seed spread');
  addOptionFlags(command, RL_OPTIONS, { omit: [...RL_RUN_ONLY_KEYS, 'init'] })
    .option('--task-option <key=value...>', 'task knob (repeatable)')
    .addHelpText('after', TASK_OPTION_HELP);
  addExecutorOptions(command);
  command.action(async (opts: Record<string, unknown>) => {
    await sweepRlCommand(opts);
  });
}
