/**
 * Where the dashboard's panels go for the terminal it has. The live area (header, metric panels, latest
 * sample, footer) must stay shorter than the terminal, or Ink redraws the whole screen every frame; on an
 * 80×24 terminal panels lose their borders and rows, on a large one they gain columns and keep everything.
 * Pure: sizes in, a plan out (tested without a terminal).
 */

export interface PanelSpec {
  readonly title: string;
  readonly names: readonly string[]; // metric names in display order
  readonly color?: string;
}

export interface PanelPlan extends PanelSpec {
  readonly hidden: number; // rows left out for want of room (said in the title)
}

export interface DashboardLayout {
  readonly width: number;
  readonly columns: readonly (readonly PanelPlan[])[];
  readonly columnWidths: readonly number[];
  readonly bordered: boolean;
  readonly sampleRows: number; // 0: no sample panel
}

export interface TerminalSize {
  readonly columns: number;
  readonly rows: number;
}

const HEADER_ROWS = 2;
const FOOTER_ROWS = 1;
/** Below this many rows the panels drop their borders (2 rows each) to keep the metrics. */
export const ROOMY_ROWS = 34;
const MAX_WIDTH = 240;

/** Rows a panel takes with `rows` metric rows: its title, plus a border above and below when bordered. */
const panelHeight = (rows: number, bordered: boolean) => rows + 1 + (bordered ? 2 : 0);

export function planLayout(panels: readonly PanelSpec[], size: TerminalSize, withSample: boolean): DashboardLayout {
  const width = Math.max(40, Math.min(size.columns, MAX_WIDTH));
  const bordered = size.rows >= ROOMY_ROWS;
  const sampleRows = withSample ? 4 + (bordered ? 2 : 0) : 0; // title, p*, caption, answer
  // One row short of the terminal: Ink keeps its cursor on the line below the frame.
  const room = Math.max(2, size.rows - 1 - HEADER_ROWS - FOOTER_ROWS - sampleRows);
  const count = width >= 150 ? 3 : width >= 70 ? 2 : 1;
  const columns: { shown: number; spec: PanelSpec }[][] = Array.from({ length: count }, () => []);
  const height = (column: { shown: number }[]) => column.reduce((h, p) => h + panelHeight(p.shown, bordered), 0);
  for (const spec of panels) {
    const target = columns.reduce((best, column) => (height(column) < height(best) ? column : best));
    target.push({ shown: Math.max(1, spec.names.length), spec });
  }
  for (const column of columns) {
    while (height(column) > room) {
      const tallest = column.reduce((best, p) => (p.shown > best.shown ? p : best));
      if (tallest.shown > 1) tallest.shown--;
      else column.pop(); // not even one row each: the last panel goes
    }
  }
  const base = Math.floor(width / count);
  return {
    width,
    bordered,
    sampleRows,
    columnWidths: columns.map((_, i) => (i === count - 1 ? width - base * (count - 1) : base)),
    columns: columns.map((column) =>
      column.map(({ shown, spec }) => ({ ...spec, names: spec.names.slice(0, shown), hidden: Math.max(0, spec.names.length - shown) })),
    ),
  };
}

/**
 * Labels cut to `width` characters that stay distinct: a long label keeps its head, unless two would then
 * read the same — those keep head and tail around an ellipsis (`diag/perce…Fraction`).
 */
export function distinctLabels(labels: readonly string[], width: number): string[] {
  const head = (l: string) => (l.length <= width ? l : `${l.slice(0, Math.max(1, width - 1))}…`);
  const middle = (l: string) => {
    if (l.length <= width) return l;
    const keep = Math.max(2, width - 1);
    const front = Math.ceil(keep / 2);
    return `${l.slice(0, front)}…${l.slice(l.length - (keep - front))}`;
  };
  const heads = labels.map(head);
  const seen = new Map<string, number>();
  for (const h of heads) seen.set(h, (seen.get(h) ?? 0) + 1);
  return labels.map((l, i) => (seen.get(heads[i])! > 1 ? middle(l) : heads[i]));
}
