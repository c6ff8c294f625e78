/**
 * Sudoku grid text and geometry: a grid is 81 cells row-major (0 = blank), written as 9 rows of 9 digits
 * joined by `/` (docs/architecture.md §3), e.g. `530070000/600195000/…`. Parsing ignores whitespace anywhere and throws an
 * Error naming the row and column of the first problem; the unit tables let solvers share one geometry.
 */

/** 81 cells row-major, each 0 (blank) or 1..9. */
export type Grid = Uint8Array;

export const SIZE = 9;
export const CELLS = 81;
/** Bit d set = digit d is a candidate (bits 1..9; bit 0 unused). */
export const ALL_DIGITS = 0b1111111110;

export const rowOf = (cell: number) => Math.floor(cell / 9);
export const colOf = (cell: number) => cell % 9;
export const boxOf = (cell: number) => 3 * Math.floor(cell / 27) + Math.floor((cell % 9) / 3);
/** `r3c5`: 1-based, as a human writes it. */
export const cellName = (cell: number) => `r${rowOf(cell) + 1}c${colOf(cell) + 1}`;

export type UnitKind = 'row' | 'column' | 'box';
export interface Unit {
  readonly kind: UnitKind;
  readonly index: number; // 0-based
  readonly cells: readonly number[];
}
/** `row 3`, `column 5`, `box 9`: 1-based; boxes numbered row-major. */
export const unitName = (unit: Unit) => `${unit.kind} ${unit.index + 1}`;

const range9 = Array.from({ length: 9 }, (_, i) => i);
export const ROWS: readonly Unit[] = range9.map((r) => ({ kind: 'row', index: r, cells: range9.map((c) => r * 9 + c) }));
export const COLUMNS: readonly Unit[] = range9.map((c) => ({ kind: 'column', index: c, cells: range9.map((r) => r * 9 + c) }));
export const BOXES: readonly Unit[] = range9.map((b) => ({
  kind: 'box',
  index: b,
  cells: range9.map((k) => (3 * Math.floor(b / 3) + Math.floor(k / 3)) * 9 + 3 * (b % 3) + (k % 3)),
}));
/** Rows, then columns, then boxes: the order every scan uses, so traces are deterministic. */
export const UNITS: readonly Unit[] = [...ROWS, ...COLUMNS, ...BOXES];

/** The 20 other cells sharing a row, column or box with each cell, ascending. */
export const PEERS: readonly (readonly number[])[] = Array.from({ length: CELLS }, (_, cell) => {
  const peers = new Set<number>();
  for (const unit of [ROWS[rowOf(cell)], COLUMNS[colOf(cell)], BOXES[boxOf(cell)]]) for (const p of unit.cells) peers.add(p);
  peers.delete(cell);
  return [...peers].sort((a, b) => a - b);
});

/** Number of set bits in a candidate mask. */
export function popcount(mask: number): number {
  let n = 0;
  for (let m = mask; m; m &= m - 1) n++;
  return n;
}

/** Digits of a candidate mask, ascending. */
export function maskDigits(mask: number): number[] {
  const digits: number[] = [];
  for (let d = 1; d <= 9; d++) if (mask & (1 << d)) digits.push(d);
  return digits;
}

/**
 * The grid `text` describes (`what` names it in errors: 'perception', 'answer'). Whitespace anywhere is
 * ignored; anything else must be exactly 9 rows of 9 digits 0-9 joined by '/'.
 */
export function parseGrid(text: string, what = 'grid'): Grid {
  if (typeof text !== 'string') throw new Error(`${what}: expected a string, got ${typeof text}`);
  const rows = text.replace(/\s+/g, '').split('/');
  if (rows.length !== 9) throw new Error(`${what}: expected 9 rows joined by '/', got ${rows.length}`);
  const grid = new Uint8Array(CELLS);
  for (let r = 0; r < 9; r++) {
    const row = rows[r];
    if (row.length !== 9) throw new Error(`${what}: row ${r + 1} has ${row.length} cells, expected 9`);
    for (let c = 0; c < 9; c++) {
      const ch = row.charCodeAt(c) - 48;
      if (ch < 0 || ch > 9) throw new Error(`${what}: row ${r + 1} column ${c + 1} is '${row[c]}', expected a digit 0-9`);
      grid[r * 9 + c] = ch;
    }
  }
  return grid;
}

/** Canonical text of a grid: 9 rows of 9 digits joined by '/'. */
export function formatGrid(grid: ArrayLike<number>): string {
  if (grid.length !== CELLS) throw new Error(`formatGrid: expected ${CELLS} cells, got ${grid.length}`);
  const rows: string[] = [];
  for (let r = 0; r < 9; r++) {
    let row = '';
    for (let c = 0; c < 9; c++) row += String(grid[r * 9 + c]);
    rows.push(row);
  }
  return rows.join('/');
}

/** Number of blank (0) cells. */
export function countBlanks(grid: Grid): number {
  let n = 0;
  for (let i = 0; i < CELLS; i++) if (grid[i] === 0) n++;
  return n;
}

/** The first digit repeated within a unit (rows, columns, boxes in order), e.g. 'row 3 has two 5s'; else undefined. */
export function findDuplicate(grid: Grid): string | undefined {
  for (const unit of UNITS) {
    let seen = 0;
    for (const cell of unit.cells) {
      const d = grid[cell];
      if (d === 0) continue;
      if (seen & (1 << d)) return `${unitName(unit)} has two ${d}s`;
      seen |= 1 << d;
    }
  }
  return undefined;
}
