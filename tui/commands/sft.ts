/**
 * `asymflow sft --task gc|sudoku --objective standard|lambda:X|ngdiff --model tiny|small|base --steps N
 *   --batch B --lr LR --pre-perception-steps K --eval-every E --eval-n M --seed S --backend NAME --out DIR
 *   [--stop-after K] [--resume] [--record FILE] [--data DIR] [--task-option k=v…] [--model-option k=v…]`
 * SFT with the paper's interventions (flows/sft.ts): the dashboard on a terminal, plain log lines otherwise.
 * With --resume, flags left out take the checkpoint's values; a flag that would change the run is refused.
 */
import path from 'node:path';
import type { Command } from 'commander';
import type { SftRunResult } from '../../flows/sft.ts';
import type { RunWatch } from '../../flows/watch.ts';
import { fitTraceVerbosity } from '../../src/sft/fit-trace.ts';
import { resolveSftConfig, RUN_ONLY_KEYS, SFT_OPTIONS, type SftConfig } from '../../src/sft/sft-config.ts';
import { resolveCheckpointDir } from '../../src/model/checkpoint-dir.ts';
import { hasCheckpoint, readSftIdentity } from '../../src/sft/sft-identity.ts';
import { getTask } from '../../src/tasks/registry.ts';
import type { TaskOptions } from '../../src/tasks/task.ts';
import { addOptionFlags } from './option-flags.ts';
import { parseOptionPairs, readTaskOptions, TASK_OPTION_HELP } from './task-flags.ts';

export { parseOptionPairs };

export interface SftCommandIo {
  /** Where lines go; given (tests, sweeps in code), no dashboard or plain-log monitor is attached. */
  readonly log?: (line: string) => void;
  /** Extra watcher of each run (e.g. the sweep's progress); called after the monitor. */
  readonly watch?: (watch: RunWatch) => Promise<void> | void;
}

export interface ResolvedSft {
  readonly config: SftConfig;
  readonly taskOptions: TaskOptions;
  readonly modelOptions: Record<string, unknown>;
}

/** Flags → validated config; with --resume the checkpoint's settings fill what the flags leave out. */
export async function resolveSftFlags(flags: Readonly<Record<string, unknown>>): Promise<ResolvedSft> {
  const { taskOption, modelOption, ...rest } = flags as { taskOption?: string[]; modelOption?: string[] } & Record<string, unknown>;
  const given = Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined));
  const modelOptions = parseOptionPairs('sft', '--model-option', modelOption ?? []);
  if (given.resume === true || given.resume === 'true') {
    if (typeof given.out !== 'string' || given.out === '') throw new Error('sft --resume needs --out DIR (the run to continue)');
    const checkpoints = path.join(path.resolve(given.out), 'checkpoints');
    if (!hasCheckpoint(checkpoints)) throw new Error(`sft --resume: no checkpoint in ${checkpoints} (checkpoint.json missing); run without --resume to start`);
    const saved = readSftIdentity(checkpoints);
    // --stop-after applies to one invocation: a resume without it runs to the end.
    const config = resolveSftConfig({ ...saved.config, stopAfter: 0, ...given });
    return {
      config,
      taskOptions: { ...(saved.taskOptions as TaskOptions), ...(await readTaskOptions('sft', config.task, taskOption ?? [])) },
      modelOptions: { ...saved.modelOptions, ...modelOptions },
    };
  }
  const init =
    typeof given.init === 'string' && given.init !== '' && given.model === undefined && modelOption === undefined ? initModel(given.init) : undefined;
  const config = resolveSftConfig({ ...(init ? { model: init.model } : {}), ...given });
  return { config, taskOptions: await readTaskOptions('sft', config.task, taskOption ?? []), modelOptions: init?.modelOptions ?? modelOptions };
}

/**
 * --init DIR without --model or --model-option: the size and model options its checkpoint was trained with
 * (an sft or pretrain run's identity), so the run builds the same model; a checkpoint without one (an rl run's)
 * leaves them to the flags, and the run names any difference.
 */
function initModel(init: string): { model: unknown; modelOptions: Record<string, unknown> } | undefined {
  const dir = resolveCheckpointDir(init);
  let saved: ReturnType<typeof readSftIdentity>;
  try {
    saved = readSftIdentity(dir);
  } catch {
    return undefined;
  }
  return { model: saved.config.model, modelOptions: { ...saved.modelOptions } };
}

/**
 * The task options a new run trains with: with generated data and no verbosity given, one whose traces fit
 * the model (src/sft/fit-trace.ts), said in one line. A resumed run keeps its checkpoint's options.
 */
export async function fittedTaskOptions(
  verb: string,
  config: SftConfig,
  taskOptions: TaskOptions,
  modelOptions: Record<string, unknown>,
  log: (line: string) => void,
): Promise<TaskOptions> {
  if (config.resume || config.data !== '') return taskOptions;
  const fit = fitTraceVerbosity(await getTask(config.task), taskOptions, { size: config.model, options: modelOptions }, config.seed);
  if (fit.note) log(`${verb}: ${fit.note}`);
  return fit.taskOptions;
}

/** Runs `asymflow sft` with command-line style flags (strings or typed values). */
export async function sftCommand(flags: Readonly<Record<string, unknown>>, io: SftCommandIo = {}): Promise<SftRunResult> {
  const { config, taskOptions, modelOptions } = await resolveSftFlags(flags);
  const { runSft } = await import('../../flows/sft.ts'); // loaded on use, so `sft --help` loads no tfjs
  return runMonitored('sft', config, taskOptions, modelOptions, io, (run) => runSft({ config, modelOptions, ...run }));
}

/** What a verb on the SFT machinery hands its flow: the fitted task options, where log and result lines go, the watchers. */
export interface MonitoredRun {
  readonly taskOptions: TaskOptions;
  readonly log: (line: string) => void;
  readonly result: (line: string) => void;
  readonly watch: (w: RunWatch) => Promise<void> | void;
}

/**
 * A verb on the SFT machinery (sft, pretrain) from the command line: task options fitted to the model, the
 * backend, and the dashboard or plain log (none when `io.log` is given) around `run`.
 */
export async function runMonitored(
  verb: string,
  config: SftConfig,
  given: TaskOptions,
  modelOptions: Record<string, unknown>,
  io: SftCommandIo,
  run: (r: MonitoredRun) => Promise<SftRunResult>,
): Promise<SftRunResult> {
  // Loaded on use, so `--help` loads no tfjs, vega or ink.
  const [{ resolveBackend }, { runMonitor }] = await Promise.all([import('../../src/backend/index.ts'), import('./run-monitor.ts')]);
  const monitor = runMonitor();
  const log = io.log ?? monitor.log;
  const taskOptions = await fittedTaskOptions(verb, config, given, modelOptions, log);
  const backend = await resolveBackend(config.backend || undefined, { log, precision: config.precision });
  try {
    return await run({
      taskOptions,
      log,
      result: io.log ?? monitor.result,
      watch: (w) => {
        const extra = io.watch?.(w);
        if (io.log) return extra;
        return Promise.all([monitor.watch(w), extra]).then(() => undefined);
      },
    });
  } finally {
    monitor.close();
    await backend.dispose();
  }
}

/**
 * The training flags shared by `sft` and `sweep sft`: every SFT option but the run's own (RUN_ONLY_KEYS), from
 * the option table with its defaults in the help, plus the task and model knobs.
 */
export function addTrainingOptions(command: Command): Command {
  return addOptionFlags(command, SFT_OPTIONS, { omit: RUN_ONLY_KEYS })
    .option('--task-option <key=value...>', 'task generation/trace knob, e.g. verbosity=1 (repeatable)')
    .option('--model-option <key=value...>', 'model override on the named size, e.g. d=32 (repeatable)')
    .addHelpText('after', TASK_OPTION_HELP);
}

export function registerSft(program: Command): void {
  const command = program
    .command('sft')
    .description("SFT with the paper's interventions (standard, fixed-λ reweighting, NGDiff, perception pre-stage) and periodic disentangled evaluation");
  addOptionFlags(command, SFT_OPTIONS, { keys: RUN_ONLY_KEYS, required: ['out'] });
  addTrainingOptions(command).action(async (opts: Record<string, unknown>) => {
    await sftCommand(opts);
  });
}
