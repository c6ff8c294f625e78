/**
 * `asymflow replay FILE|DIR [--jsonl] [--dashboard] [--speed X]`: reads a recording back (flows/replay.ts).
 *   (no flag)    a summary: the header and the number of records
 *   --jsonl      one JSON object per record on stdout (typed arrays as plain arrays)
 *   --dashboard  re-plays a metrics recording on the dashboard (plain log lines when stdout is not a TTY)
 *   --speed X    paces records by their `time` field at X× (default: as fast as possible)
 * A run directory stands for its metrics.msgpack.
 */
import type { Command } from 'commander';

export interface ReplayCommandOptions {
  readonly jsonl?: boolean;
  readonly dashboard?: boolean;
  readonly speed?: string | number;
}

export function parseSpeed(raw: string | number | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const speed = Number(raw);
  if (!(Number.isFinite(speed) && speed > 0)) throw new Error(`replay: --speed must be a positive number, got '${raw}'`);
  return speed;
}

/** The recorded run on the dashboard (or plain log lines); `q` or Ctrl-C ends the replay. */
export async function replayDashboard(file: string, speed?: number): Promise<void> {
  // Loaded on use (msgpackr, ink), so `replay --help` stays fast.
  const [{ replayWatch }, { watchRun }] = await Promise.all([import('../../flows/replay.ts'), import('../monitor.ts')]);
  // The re-played run is what the verb was asked for: its plain lines (no terminal) are the result, on stdout.
  await watchRun(await replayWatch(file, speed), { plainOut: process.stdout }).done;
}

export function registerReplay(program: Command): void {
  program
    .command('replay')
    .description('read a recording back: summary, JSON lines, or re-played on the dashboard')
    .argument('<file>', 'a recording (.msgpack) or a run directory (its metrics.msgpack)')
    .option('--jsonl', 'print one JSON object per record (typed arrays as arrays)')
    .option('--dashboard', 're-play a metrics recording on the dashboard')
    .option('--speed <x>', 'pace records by their time field at this many times real speed')
    .action(async (target: string, options: ReplayCommandOptions) => {
      const { replayJsonl, resolveRecordingPath, summarize } = await import('../../flows/replay.ts');
      const file = resolveRecordingPath(target);
      const speed = parseSpeed(options.speed);
      if (options.jsonl && options.dashboard) throw new Error('replay: choose one of --jsonl and --dashboard');
      if (options.jsonl) {
        process.stdout.on('error', (error: NodeJS.ErrnoException) => {
          if (error.code === 'EPIPE') process.exit(0); // `| head` closed the pipe: not an error
          throw error;
        });
        await replayJsonl(file, process.stdout, speed);
      } else if (options.dashboard) {
        await replayDashboard(file, speed);
      } else {
        process.stdout.write(`${await summarize(file)}\n`);
      }
    });
}
