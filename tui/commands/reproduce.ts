/**
 * `asymflow reproduce --preset smoke|full --tasks gc,sudoku --backend auto --out DIR [--seeds 0,1,2] [--resume] [--only PART,…] [--list]
 *  [--parallel K | --queue redis://HOST:PORT]`
 * Runs the paper's whole diagnosis at small scale (flows/reproduce.ts), one resumable part at a time (or K at
 * once in child processes, or as jobs for `asymflow worker`s, each part after the parts it needs), and
 * writes DIR/report.md with every table, the plots, the commands and the six verdicts. `--list` prints
 * the part names (for `--only`, e.g. one part per GPU call; a paper preset's with their H200 estimates) and exits.
 */
import type { Command } from 'commander';
import type { ReproduceResult } from '../../flows/reproduce.ts';
import { parseSeeds } from '../../flows/reproduce-seeds.ts';
import { ConfigError } from '../../src/config.ts';
import { toStderr, toStdout } from '../../src/output-lines.ts';
import { addExecutorOptions, executorFrom } from './executor-flags.ts';

export interface ReproduceFlags {
  readonly preset?: string;
  readonly tasks?: string;
  readonly backend?: string;
  readonly out?: string;
  readonly resume?: boolean;
  readonly only?: string;
  readonly seeds?: string;
  readonly list?: boolean;
  readonly queue?: string;
  readonly parallel?: string | number;
}

/** Runs `asymflow reproduce` with command-line style flags; `--list` returns the part names without running. */
export async function reproduceCommand(flags: ReproduceFlags, given?: (line: string) => void): Promise<ReproduceResult | string[]> {
  const log = given ?? toStderr;
  const result = given ?? toStdout;
  // Loaded on use, so `reproduce --help` loads no tfjs.
  const [{ listLines, parseTasks, partNames, presetOf, runReproduce }, { parseBackendRequest }] = await Promise.all([
    import('../../flows/reproduce.ts'),
    import('../../src/backend/index.ts'),
  ]);
  const preset = presetOf(flags.preset ?? 'smoke');
  const tasks = parseTasks(flags.tasks ?? 'gc,sudoku');
  if (flags.list) {
    for (const line of listLines(tasks, preset)) result(line);
    return partNames(tasks, preset);
  }
  if (!flags.out) throw new ConfigError('reproduce: --out DIR is required (the report and every run go there)');
  const backend = flags.backend ?? 'auto';
  parseBackendRequest(backend, '--backend');
  const only = flags.only
    ? flags.only
        .split(',')
        .map((p) => p.trim())
        .filter(Boolean)
    : undefined;
  const seeds = flags.seeds === undefined ? undefined : parseSeeds(flags.seeds);
  // No log given: the CLI's own stdout, where a terminal gets the live job board.
  const executor = executorFrom('reproduce', { queue: flags.queue, parallel: flags.parallel }, flags.out, log, undefined, given ? undefined : process.stdout);
  return runReproduce({ preset: preset.name, tasks, backend, out: flags.out, resume: flags.resume === true, only, seeds, log, result, executor });
}

export function registerReproduce(program: Command): void {
  const command = program
    .command('reproduce')
    .description("reproduce the paper's findings at small scale: every table and figure analogue, and a report with verdicts")
    .option(
      '--preset <name>',
      "smoke (CPU, minutes, numbers are noise), full (small model, one H100 hour) or paper (the paper's regime: ≤ 5% perception tokens, its grids, 512 test puzzles; H200 parts of ≤ 10 min, see --list)",
      'smoke',
    )
    .option('--tasks <list>', 'gc and/or sudoku', 'gc,sudoku')
    .option('--backend <name>', 'auto, tensorflow, webgpu, wasm or cpu', 'auto')
    .option('--out <dir>', 'the reproduce directory (runs, report.md, plots/)')
    .option('--resume', 'skip finished parts and continue the interrupted one from its checkpoints')
    .option('--seeds <list>', "training seeds, e.g. 0,1,2: each seed's parts in DIR/seed-S/, the report pools them (default: the preset's seed, in DIR)")
    .option('--only <parts>', 'run only these parts, e.g. gc/sft,gc/lambda (see --list)')
    .option('--list', 'print the part names and exit');
  addExecutorOptions(command).action(async (opts: ReproduceFlags) => {
    await reproduceCommand(opts);
  });
}
