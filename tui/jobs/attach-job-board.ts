/**
 * What a `--queue`/`--parallel` coordinator attaches while its jobs run: on a terminal, the live job board
 * (job-board-view.tsx) with the executor's log lines above it; otherwise (CI, pipes, `> file`) the plain log:
 * the executor's own lines (a line per state change, step lines with an ETA) and no board.
 */
import { render } from 'ink';
import { createElement } from 'react';
import { BehaviorSubject, Subject } from 'rxjs';
import type { JobRow } from '../../src/queue/job-board.ts';
import { JobBoardView } from './job-board-view.tsx';

export interface JobBoardIo {
  readonly log: (line: string) => void;
  /** Given only when a live board is shown: the executor then leaves step lines to it. */
  readonly board?: (rows: readonly JobRow[]) => void;
}

/** Runs `run` with the board attached to `stdout` when it is a terminal (else with `log` alone), detaching after. */
export async function withJobBoard<T>(
  title: string,
  stdout: NodeJS.WriteStream | undefined,
  log: (line: string) => void,
  run: (io: JobBoardIo) => Promise<T>,
  frameMs = 200,
): Promise<T> {
  if (!stdout?.isTTY) return run({ log });
  const board$ = new BehaviorSubject<readonly JobRow[]>([]);
  const log$ = new Subject<string>();
  const instance = render(createElement(JobBoardView, { title, board$, log$, frameMs }), { stdout, patchConsole: true });
  try {
    return await run({ log: (line) => log$.next(line), board: (rows) => board$.next(rows) });
  } finally {
    await new Promise((r) => setTimeout(r, 2 * frameMs)); // the last board's frame out first
    instance.unmount();
  }
}
