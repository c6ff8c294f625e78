/**
 * `asymflow replay FILE|DIR [--jsonl] [--dashboard] [--speed X]`: reads a recording back (flows/replay.ts).
 *   (no flag)    a summary: the header and the number of records
 *   --jsonl      one JSON object per record on stdout (typed arrays as plain arrays)
 *   --dashboard  re-plays a metrics recording on the dashboard (plain log lines when stdout is not a TTY)
 *   --speed X    paces records by their `time` field at X× (default: as fast as possible)
 * A run directory stands for its metrics.msgpack.
 */
import type { Command } from 'commander';
import { REPLAY_OPTIONS, resolveReplayConfig } from '../../src/recording/replay-config.ts';
import { addOptionFlags } from './option-flags.ts';

/** The recorded run on the dashboard (or plain log lines); `q` or Ctrl-C ends the replay. */
export async function replayDashboard(file: string, speed?: number): Promise<void> {
  // Loaded on use (msgpackr, ink), so `replay --help` stays fast.
  const [{ replayWatch }, { watchRun }] = await Promise.all([import('../../flows/replay.ts'), import('../monitor.ts')]);
  // The re-played run is what the verb was asked for: its plain lines (no terminal) are the result, on stdout.
  await watchRun(await replayWatch(file, speed), { plainOut: process.stdout }).done;
}

export function registerReplay(program: Command): void {
  const command = program
    .command('replay')
    .description('read a recording back: summary, JSON lines, or re-played on the dashboard')
    .argument('<file>', 'a recording (.msgpack) or a run directory (its metrics.msgpack)');
  addOptionFlags(command, REPLAY_OPTIONS).action(async (target: string, flags: Record<string, unknown>) => {
    const { replayJsonl, resolveRecordingPath, summarize } = await import('../../flows/replay.ts');
    const file = resolveRecordingPath(target);
    const { jsonl, dashboard, speed } = resolveReplayConfig(flags);
    if (jsonl) {
      process.stdout.on('error', (error: NodeJS.ErrnoException) => {
        if (error.code === 'EPIPE') process.exit(0); // `| head` closed the pipe: not an error
        throw error;
      });
      await replayJsonl(file, process.stdout, speed);
    } else if (dashboard) {
      await replayDashboard(file, speed);
    } else {
      process.stdout.write(`${await summarize(file)}\n`);
    }
  });
}
