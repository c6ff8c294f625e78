/**
 * What a flow's CLI command attaches to a run: the Ink dashboard when stdout is a terminal, plain log lines
 * on stderr otherwise (docs/architecture.md §8; progress is never the result: src/output-lines.ts). Both read the same shared metric stream. `q` on the dashboard, and the first Ctrl-C
 * (SIGINT, or the key in the dashboard's raw mode) call `onQuit` and the flow decides how to stop; a second
 * Ctrl-C exits at once (tui/interrupt.ts).
 */
import { render } from 'ink';
import { createElement } from 'react';
import type { Observable } from 'rxjs';
import type { Metric } from '../src/records.ts';
import type { RunWatch } from '../flows/watch.ts';
import { Dashboard } from './dashboard/dashboard.tsx';
import type { LatestSample, RunInfo } from './dashboard/dashboard-store.ts';
import { handleInterrupts } from './interrupt.ts';
import { plainLogLines$, type PlainLogOptions } from './plain-log.ts';

export interface MonitorOptions {
  readonly metrics$: Observable<Metric>; // shared (hot): the monitor subscribes once
  readonly samples$?: Observable<LatestSample>;
  readonly log$?: Observable<string>;
  readonly info: RunInfo;
  readonly onQuit?: () => void; // checkpoint, then complete metrics$
  readonly isTTY?: boolean; // default: process.stdout.isTTY
  readonly stdout?: NodeJS.WriteStream; // the dashboard's terminal; default process.stdout
  readonly plainOut?: NodeJS.WritableStream; // the plain log's lines and interrupt notices; default process.stderr
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
  return isTTY ? attachDashboard(options, stdout) : attachPlainLog(options, options.plainOut ?? process.stderr);
}

/** Attaches a monitor to what a flow offers its watchers (flows/watch.ts): `q` / Ctrl-C request its stop. */
export function watchRun(watch: RunWatch, options: Omit<MonitorOptions, 'metrics$' | 'samples$' | 'info' | 'onQuit'> = {}): Monitor {
  return attachMonitor({ ...options, metrics$: watch.metrics$, samples$: watch.samples$, info: watch.info, onQuit: () => watch.requestStop() });
}

function attachDashboard(options: MonitorOptions, stdout: NodeJS.WriteStream): Monitor {
  let resolve!: () => void;
  const done = new Promise<void>((r) => (resolve = r));
  let instance: ReturnType<typeof render> | undefined;
  const interrupts = options.onQuit
    ? handleInterrupts({
        onStop: options.onQuit,
        notify: () => {}, // the panel's last line says "stopping…"
        exit: (code) => {
          instance?.unmount(); // leaves raw mode: the shell gets its terminal back
          process.exit(code);
        },
      })
    : undefined;
  const detach = () => {
    interrupts?.dispose();
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
      onQuit: interrupts && (() => interrupts.stop()),
      onInterrupt: interrupts && (() => interrupts.interrupt(false)),
      onFinish: () => setImmediate(detach), // let Ink flush the final frame first
      frameMs: options.frameMs,
    }),
    { stdout, exitOnCtrlC: false, patchConsole: options.patchConsole ?? true },
  );
  return { kind: 'dashboard', done, detach };
}

function attachPlainLog(options: MonitorOptions, out: NodeJS.WritableStream): Monitor {
  let resolve!: () => void;
  const done = new Promise<void>((r) => (resolve = r));
  const interrupts = options.onQuit ? handleInterrupts({ onStop: options.onQuit, notify: (line) => out.write(`${line}\n`) }) : undefined;
  const cleanup = () => {
    interrupts?.dispose();
    resolve();
  };
  const subscription = plainLogLines$({ ...options, ...options.plain }).subscribe({
    next: (line) => out.write(`${line}\n`),
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
