/**
 * What differs between a model's caption and the oracle perception p*, for display. Edge lists (GC) and
 * 9×9 grids (Sudoku) are compared item by item, the way perception accuracy compares them; anything else
 * falls back to a character diff (longest common subsequence).
 */

/** A run of caption text: `same` as in p*, `extra` only in the caption, `missing` only in p*, `wrong` a differing cell. */
export interface DiffPart {
  readonly text: string;
  readonly kind: 'same' | 'extra' | 'missing' | 'wrong';
}

export interface CaptionDiff {
  readonly mode: 'edges' | 'grid' | 'chars';
  readonly equal: boolean;
  readonly parts: readonly DiffPart[]; // the caption, annotated (chars mode: missing text interleaved)
  readonly missing: readonly string[]; // items of p* absent from the caption (edges), or wrong cells 'r3c5: 7≠2' (grid)
  readonly extra: readonly string[]; // caption items absent from p* (edges)
}

const EDGE_LIST = /^\s*(\(\s*\d+\s*,\s*\d+\s*\)\s*,?\s*)*$/;
const EDGE = /\(\s*(\d+)\s*,\s*(\d+)\s*\)/g;

function edges(text: string): string[] {
  return [...text.matchAll(EDGE)].map(([, i, j]) => {
    const [lo, hi] = [Number(i), Number(j)].sort((x, y) => x - y);
    return `(${lo},${hi})`;
  });
}

function gridRows(text: string): string[] | undefined {
  const rows = text.trim().split('/');
  return rows.length === 9 && rows.every((r) => /^\d{9}$/.test(r)) ? rows : undefined;
}

export function captionDiff(caption: string, pStar: string, maxChars = 600): CaptionDiff {
  if (EDGE_LIST.test(pStar) && EDGE_LIST.test(caption) && pStar.trim() !== '') return edgeDiff(caption, pStar);
  const got = gridRows(caption);
  const want = gridRows(pStar);
  if (got && want) return gridDiff(got, want);
  return charDiff(caption.slice(0, maxChars), pStar.slice(0, maxChars));
}

function edgeDiff(caption: string, pStar: string): CaptionDiff {
  const want = new Set(edges(pStar));
  const got = edges(caption);
  const gotSet = new Set(got);
  const parts: DiffPart[] = [];
  got.forEach((e, i) => {
    if (i > 0) parts.push({ text: ',', kind: 'same' });
    parts.push({ text: e, kind: want.has(e) ? 'same' : 'extra' });
  });
  const missing = [...want].filter((e) => !gotSet.has(e));
  const extra = [...new Set(got.filter((e) => !want.has(e)))];
  return { mode: 'edges', equal: missing.length === 0 && extra.length === 0, parts, missing, extra };
}

function gridDiff(got: string[], want: string[]): CaptionDiff {
  const parts: DiffPart[] = [];
  const missing: string[] = [];
  got.forEach((row, r) => {
    if (r > 0) parts.push({ text: '/', kind: 'same' });
    for (let c = 0; c < 9; c++) {
      const ok = row[c] === want[r][c];
      if (!ok) missing.push(`r${r + 1}c${c + 1}: ${row[c]}≠${want[r][c]}`);
      const last = parts[parts.length - 1];
      const kind = ok ? 'same' : 'wrong';
      if (last && last.kind === kind && last.text !== '/') parts[parts.length - 1] = { text: last.text + row[c], kind };
      else parts.push({ text: row[c], kind });
    }
  });
  return { mode: 'grid', equal: missing.length === 0, parts, missing, extra: [] };
}

/** LCS character diff, O(n·m) memory and time: callers cap the lengths. */
function charDiff(caption: string, pStar: string): CaptionDiff {
  const n = caption.length;
  const m = pStar.length;
  const lcs = new Uint16Array((n + 1) * (m + 1)); // lcs[i*(m+1)+j] = LCS of caption[i:], pStar[j:]
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lcs[i * (m + 1) + j] = caption[i] === pStar[j] ? lcs[(i + 1) * (m + 1) + j + 1] + 1 : Math.max(lcs[(i + 1) * (m + 1) + j], lcs[i * (m + 1) + j + 1]);
    }
  }
  const parts: DiffPart[] = [];
  const push = (text: string, kind: DiffPart['kind']) => {
    const last = parts[parts.length - 1];
    if (last && last.kind === kind) parts[parts.length - 1] = { text: last.text + text, kind };
    else parts.push({ text, kind });
  };
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && caption[i] === pStar[j]) (push(caption[i++], 'same'), j++);
    else if (j < m && (i >= n || lcs[i * (m + 1) + j + 1] >= lcs[(i + 1) * (m + 1) + j])) push(pStar[j++], 'missing');
    else push(caption[i++], 'extra');
  }
  const missing = parts.filter((p) => p.kind === 'missing').map((p) => p.text);
  const extra = parts.filter((p) => p.kind === 'extra').map((p) => p.text);
  return { mode: 'chars', equal: missing.length === 0 && extra.length === 0, parts, missing, extra };
}
