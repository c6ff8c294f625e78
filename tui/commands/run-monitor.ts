/**
 * Log lines, result lines and monitors for the training verbs (sft, rl, sweep sft, demo), which attach a
 * monitor (dashboard or plain log) to each run in turn. Progress and logs go to stderr and results to stdout
 * (src/output-lines.ts): while a monitor is attached, log lines go through it (above the dashboard's live
 * panel, or between the plain log's step lines on stderr), and so do result lines on the dashboard, which
 * owns the terminal; otherwise each goes straight to its stream, so nothing is lost before the first
 * monitor and nothing is printed twice.
 */
import { Subject } from 'rxjs';
import type { RunWatch } from '../../flows/watch.ts';
import { watchRun } from '../monitor.ts';

export interface RunMonitor {
  readonly log: (line: string) => void;
  readonly result: (line: string) => void;
  /** Attaches a monitor to one run; resolves when that run's metric stream has ended. */
  watch(w: RunWatch): Promise<void>;
  close(): void;
}

export function runMonitor(stdout: NodeJS.WriteStream = process.stdout, stderr: NodeJS.WritableStream = process.stderr): RunMonitor {
  const lines$ = new Subject<string>();
  let attached = 0;
  let dashboards = 0;
  return {
    log: (line) => (attached > 0 ? lines$.next(line) : stderr.write(`${line}\n`)),
    result: (line) => (dashboards > 0 ? lines$.next(line) : stdout.write(`${line}\n`)),
    watch(w) {
      const dashboard = stdout.isTTY === true ? 1 : 0; // what attachMonitor picks
      attached++;
      dashboards += dashboard;
      // Subscribed before the monitor, so lines logged once the run's metrics have ended (e.g. the plots it
      // wrote) already go straight to their stream: the monitor has stopped listening by then.
      const ended = () => ((attached -= 1), (dashboards -= dashboard));
      w.metrics$.subscribe({ complete: ended, error: ended });
      return watchRun(w, { log$: lines$, stdout, plainOut: stderr }).done;
    },
    close: () => lines$.complete(),
  };
}
