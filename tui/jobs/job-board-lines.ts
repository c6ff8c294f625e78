/**
 * The job board as text lines for a terminal WIDTH × HEIGHT (fits 80×24): a column header, one line a job —
 * label, state, step/total, ETA, the last a / a_p / a_r in %, worker — and, when the jobs do not all fit, the
 * running and failed ones first and a last line counting the rest. Plain text: the view colours by state.
 */
import { stateCounts, type JobRow } from '../../src/queue/job-board.ts';
import { formatDuration } from '../format.ts';

export interface BoardLine {
  readonly id: string;
  readonly state: string;
  readonly text: string;
}

export interface BoardText {
  readonly counts: string; // "4 jobs: 1 active · 3 completed"
  readonly columns: string;
  readonly lines: readonly BoardLine[];
  readonly more?: string; // "… 12 more: 10 completed · 2 waiting"
}

/** Which jobs to show first when not all fit. */
const PRIORITY: Readonly<Record<string, number>> = { active: 0, failed: 1, delayed: 2, waiting: 3, 'waiting-children': 4, prioritized: 3 };
const STATE_WIDTH = 10;
const STEP_WIDTH = 11;
const ETA_WIDTH = 7;
const ACCURACIES = [
  ['eval/a', 'a'],
  ['eval/ap', 'a_p'],
  ['eval/ar', 'a_r'],
] as const;

const fit = (text: string, width: number) => (text.length <= width ? text.padEnd(width) : `${text.slice(0, Math.max(0, width - 1))}…`);
const shortState = (state: string) => (state === 'waiting-children' ? 'needs deps' : state === 'completed' ? 'done' : state);

function accuracies(row: JobRow): string {
  return ACCURACIES.map(([name]) => {
    const v = row.metrics?.[name];
    return (v === undefined ? '—' : (100 * v).toFixed(1)).padStart(5);
  }).join(' ');
}

function stepText(row: JobRow): string {
  if (row.step === undefined) return '';
  return row.totalSteps ? `${row.step}/${row.totalSteps}` : `${row.step}`;
}

export function boardLines(rows: readonly JobRow[], width: number, height: number): BoardText {
  const labelWidth = Math.max(8, Math.min(24, Math.max(0, ...rows.map((r) => r.label.length))));
  const fixed = labelWidth + 1 + STATE_WIDTH + 1 + STEP_WIDTH + 1 + ETA_WIDTH + 1 + 17;
  const workerWidth = Math.max(0, width - fixed - 1);
  const columns = [
    fit('job', labelWidth),
    fit('state', STATE_WIDTH),
    'step'.padStart(STEP_WIDTH),
    'ETA'.padStart(ETA_WIDTH),
    ACCURACIES.map(([, l]) => l.padStart(5)).join(' '),
    workerWidth > 0 ? fit('worker', workerWidth) : '',
  ]
    .join(' ')
    .trimEnd()
    .slice(0, width);
  const line = (r: JobRow): BoardLine => {
    const head = `${fit(r.label, labelWidth)} ${fit(shortState(r.state), STATE_WIDTH)} `;
    if (r.state === 'failed') return { id: r.id, state: r.state, text: `${head}${(r.error ?? '').replace(/\s+/g, ' ')}`.slice(0, width) };
    const eta = r.state === 'active' && r.etaMs !== undefined ? formatDuration(r.etaMs) : '';
    const text = `${head}${stepText(r).padStart(STEP_WIDTH)} ${eta.padStart(ETA_WIDTH)} ${accuracies(r)} ${workerWidth > 0 ? fit(r.worker ?? '', workerWidth) : ''}`;
    return { id: r.id, state: r.state, text: text.trimEnd().slice(0, width) };
  };
  // title, column header, the "more" line and the line the cursor rests on
  const room = Math.max(1, height - 4);
  if (rows.length <= room) return { counts: stateCounts(rows), columns, lines: rows.map(line) };
  const rank = (r: JobRow) => PRIORITY[r.state] ?? 9;
  const shown = new Set(
    [...rows]
      .sort((a, b) => rank(a) - rank(b))
      .slice(0, room)
      .map((r) => r.id),
  );
  const hidden = rows.filter((r) => !shown.has(r.id));
  return {
    counts: stateCounts(rows),
    columns,
    lines: rows.filter((r) => shown.has(r.id)).map(line),
    more: `… ${hidden.length} more: ${stateCounts(hidden).replace(/^\d+ jobs?: /, '')}`,
  };
}
