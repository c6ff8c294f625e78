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
import { addOptionFlags } from './option-flags.ts';
import { REPRODUCE_OPTIONS, resolveReproduceOptions, type ReproduceOptions } from '../../src/reproduce/reproduce-options.ts';

/** The flags as commander (or a test) gives them: the table's, and the executor's. */
export type ReproduceFlags = Partial<ReproduceOptions> & { readonly queue?: string; readonly parallel?: string | number };

/** Runs `asymflow reproduce` with command-line style flags; `--list` returns the part names without running. */
export async function reproduceCommand(flagsGiven: ReproduceFlags, given?: (line: string) => void): Promise<ReproduceResult | string[]> {
  const { queue, parallel, ...own } = flagsGiven;
  const flags = resolveReproduceOptions(own);
  const log = given ?? toStderr;
  const result = given ?? toStdout;
  // Loaded on use, so `reproduce --help` loads no tfjs.
  const [{ listLines, parseTasks, partNames, presetOf, runReproduce }, { parseBackendRequest }] = await Promise.all([
    import('../../flows/reproduce.ts'),
    import('../../src/backend/index.ts'),
  ]);
  const preset = presetOf(flags.preset);
  const tasks = parseTasks(flags.tasks);
  if (flags.list) {
    for (const line of listLines(tasks, preset)) result(line);
    return partNames(tasks, preset);
  }
  if (!flags.out) throw new ConfigError('reproduce: --out DIR is required (the report and every run go there)');
  const backend = flags.backend;
  parseBackendRequest(backend, '--backend');
  const only = flags.only
    ? flags.only
        .split(',')
        .map((p) => p.trim())
        .filter(Boolean)
    : undefined;
  const seeds = flags.seeds === '' ? undefined : parseSeeds(flags.seeds);
  // No log given: the CLI's own stdout, where a terminal gets the live job board.
  const executor = executorFrom('reproduce', { queue, parallel }, flags.out, log, undefined, given ? undefined : process.stdout);
  return runReproduce({ preset: preset.name, tasks, backend, out: flags.out, resume: flags.resume, only, seeds, log, result, executor });
}

export function registerReproduce(program: Command): void {
  const command = program
    .command('reproduce')
    .description("reproduce the paper's findings at small scale: every table and figure analogue, and a report with verdicts");
  addOptionFlags(command, REPRODUCE_OPTIONS);
  addExecutorOptions(command).action(async (opts: ReproduceFlags) => {
    await reproduceCommand(opts);
  });
}
