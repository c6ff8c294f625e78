/**
 * The coordinator's picture of its jobs, one row a job, for the live view (tui/jobs/) and the plain log:
 * the job's state as the executor knows it (BullMQ's states for the queue; waiting/active/completed/failed
 * for --parallel), and what its run last reported through JobProgress (step, accuracies, worker), with an
 * ETA from the pace seen since this coordinator first saw the job on its current worker.
 */
import type { JobProgress } from './job-spec.ts';

export interface JobRow {
  readonly id: string;
  readonly label: string;
  readonly state: string; // waiting, waiting-children, delayed, active, completed, failed, …
  readonly step?: number;
  readonly totalSteps?: number;
  readonly etaMs?: number;
  readonly metrics?: Readonly<Record<string, number>>; // the last evaluation accuracies, eval/* in [0, 1]
  readonly worker?: string; // host:pid
  readonly line?: string; // the run's last log line
  readonly error?: string; // a failed job's reason
}

/** The order states are listed in a count ("1 active · 2 waiting · 3 completed"). */
const STATE_ORDER = ['active', 'waiting', 'waiting-children', 'delayed', 'prioritized', 'failed', 'completed'];

/** `4 jobs: 1 active · 1 waiting · 2 completed`. */
export function stateCounts(rows: readonly JobRow[]): string {
  const counts = new Map<string, number>();
  for (const r of rows) counts.set(r.state, (counts.get(r.state) ?? 0) + 1);
  const rank = (s: string) => (STATE_ORDER.includes(s) ? STATE_ORDER.indexOf(s) : STATE_ORDER.length);
  const parts = [...counts].sort(([a], [b]) => rank(a) - rank(b)).map(([s, n]) => `${n} ${s}`);
  return `${rows.length} job${rows.length === 1 ? '' : 's'}${parts.length > 0 ? `: ${parts.join(' · ')}` : ''}`;
}

/** Where a job's pace is measured from: its first step seen on its current worker. */
export interface PaceMark {
  readonly step: number;
  readonly t: number;
  readonly worker?: string;
}

/** Tracks each job's pace mark; `eta` is undefined until the job has moved on since its mark. */
export class JobPace {
  private readonly marks = new Map<string, PaceMark>();

  /** Notes progress `p` of job `id` at time `now` (a new worker starts a new mark: a resumed run's pace is its own). */
  see(id: string, p: JobProgress, now: number): void {
    const mark = this.marks.get(id);
    if (p.step !== undefined && (!mark || mark.worker !== p.worker)) this.marks.set(id, { step: p.step, t: now, worker: p.worker });
  }

  /** Milliseconds left at the pace since the mark. */
  eta(id: string, p: JobProgress, now: number): number | undefined {
    const mark = this.marks.get(id);
    if (!mark || p.step === undefined || !p.totalSteps || p.step <= mark.step) return undefined;
    return ((p.totalSteps - p.step) * (now - mark.t)) / (p.step - mark.step);
  }
}

/** A row from a job's label, state and last progress. */
export function jobRow(id: string, label: string, state: string, p: JobProgress, etaMs?: number, error?: string): JobRow {
  return { id, label, state, step: p.step, totalSteps: p.totalSteps, etaMs, metrics: p.metrics, worker: p.worker, line: p.line, error };
}
