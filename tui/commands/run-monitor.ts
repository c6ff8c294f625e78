/**
 * Log lines and monitors for the training verbs (sft, rl, sweep sft, demo), which attach a monitor (dashboard
 * or plain log) to each run in turn: while a monitor is attached, lines go through it (above the dashboard's
 * live panel, or between the plain log's step lines); between runs they go straight to stdout, so nothing is
 * lost before the first monitor and nothing is printed twice.
 */
import { Subject } from 'rxjs';
import type { RunWatch } from '../../flows/watch.ts';
import { watchRun } from '../monitor.ts';

export interface RunMonitor {
  readonly log: (line: string) => void;
  /** Attaches a monitor to one run; resolves when that run's metric stream has ended. */
  watch(w: RunWatch): Promise<void>;
  close(): void;
}

export function runMonitor(stdout: NodeJS.WriteStream = process.stdout): RunMonitor {
  const lines$ = new Subject<string>();
  let attached = 0;
  return {
    log: (line) => (attached > 0 ? lines$.next(line) : stdout.write(`${line}\n`)),
    watch(w) {
      attached++;
      // Subscribed before the monitor, so lines logged once the run's metrics have ended (e.g. the plots it
      // wrote) already go to stdout: the monitor has stopped listening by then.
      w.metrics$.subscribe({ complete: () => attached--, error: () => attached-- });
      return watchRun(w, { log$: lines$, stdout }).done;
    },
    close: () => lines$.complete(),
  };
}
