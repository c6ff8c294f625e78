/**
 * What a flow's CLI command attaches to a run: the Ink dashboard when stdout is a terminal, plain log lines
 * otherwise (DESIGN §8). Both read the same shared metric stream; neither exits the process — `q` on the
 * dashboard and SIGINT under the plain log call `onQuit`, and the flow decides how to stop.
 */
import { render } from 'ink';
import { createElement } from 'react';
import type { Observable } from 'rxjs';
import type { Metric } from '../src/records.ts';
import { Dashboard } from './dashboard/dashboard.tsx';
import type { LatestSample, RunInfo } from './dashboard/dashboard-store.ts';
import { plainLogLines$, type PlainLogOptions } from './plain-log.ts';

export interface MonitorOptions {
  readonly metrics$: Observable<Metric>; // shared (hot): the monitor subscribes once
  readonly samples$?: Observable<LatestSample>;
  readonly log$?: Observable<string>;
  readonly info: RunInfo;
  readonly onQuit?: () => void; // checkpoint, then complete metrics$
  readonly isTTY?: boolean; // default: process.stdout.isTTY
  readonly stdout?: NodeJS.WriteStream; // default process.stdout
  readonly plain?: Pick<PlainLogOptions, 'everySteps' | 'everyMs'>;
  readonly frameMs?: number; // dashboard redraw cap, default 100 ms
  readonly patchConsole?: boolean; // dashboard: route console.* above the live panel (default true)
}

export interface Monitor {
  readonly kind: 'dashboard' | 'plain';
  /** Resolves once metrics$ has ended and the last frame or line is out. */
  readonly done: Promise<void>;
  /** Stops watching now (the run itself goes on). */
  detach(): void;
}

export function attachMonitor(options: MonitorOptions): Monitor {
  const stdout = options.stdout ?? process.stdout;
  const isTTY = options.isTTY ?? stdout.isTTY === true;
  return isTTY ? attachDashboard(options, stdout) : attachPlainLog(options, stdout);
}

function attachDashboard(options: MonitorOptions, stdout: NodeJS.WriteStream): Monitor {
  let resolve!: () => void;
  const done = new Promise<void>((r) => (resolve = r));
  let instance: ReturnType<typeof render> | undefined;
  const detach = () => {
    instance?.unmount();
    instance = undefined;
    resolve();
  };
  instance = render(
    createElement(Dashboard, {
      metrics$: options.metrics$,
      samples$: options.samples$,
      log$: options.log$,
      info: options.info,
      onQuit: options.onQuit,
      onFinish: () => setImmediate(detach), // let Ink flush the final frame first
      frameMs: options.frameMs,
    }),
    { stdout, exitOnCtrlC: false, patchConsole: options.patchConsole ?? true },
  );
  return { kind: 'dashboard', done, detach };
}

function attachPlainLog(options: MonitorOptions, stdout: NodeJS.WriteStream): Monitor {
  let resolve!: () => void;
  const done = new Promise<void>((r) => (resolve = r));
  const onSigint = () => {
    stdout.write('interrupt: stopping after the current step (checkpoint, then exit)\n');
    options.onQuit?.();
  };
  if (options.onQuit) process.once('SIGINT', onSigint);
  const cleanup = () => {
    process.removeListener('SIGINT', onSigint);
    resolve();
  };
  const subscription = plainLogLines$({ ...options, ...options.plain }).subscribe({
    next: (line) => stdout.write(`${line}\n`),
    complete: cleanup,
    error: cleanup,
  });
  return {
    kind: 'plain',
    done,
    detach: () => {
      subscription.unsubscribe();
      cleanup();
    },
  };
}
