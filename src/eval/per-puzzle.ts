/**
 * One evaluation's outcomes puzzle by puzzle (the first completion of each sample in each mode), kept beside
 * its summary so two evaluations of the same puzzles can be compared pairwise (src/stats/paired.ts). A
 * puzzle a mode did not score (a failed request, or a mode not run) holds null.
 */
import type { EvalRecord } from './eval-record.ts';

export type Outcome = 0 | 1 | null;

export interface PerPuzzle {
  readonly ids: readonly string[]; // sample ids, in evaluation order
  readonly a: readonly Outcome[];
  readonly ap: readonly Outcome[];
  readonly arCond: readonly Outcome[];
  readonly ar: readonly Outcome[]; // counterfactual
}

const bit = (v: number | undefined): Outcome => (v === undefined ? null : v > 0 ? 1 : 0);

/** The per-puzzle outcomes of `records`, puzzles in the order their first record appears. */
export function perPuzzleOf(records: readonly EvalRecord[]): PerPuzzle {
  const index = new Map<string, number>();
  const ids: string[] = [];
  const a: Outcome[] = [];
  const ap: Outcome[] = [];
  const arCond: Outcome[] = [];
  const ar: Outcome[] = [];
  for (const r of records) {
    let i = index.get(r.sampleId);
    if (i === undefined) {
      i = ids.length;
      index.set(r.sampleId, i);
      ids.push(r.sampleId);
      (a.push(null), ap.push(null), arCond.push(null), ar.push(null));
    }
    if (r.completion !== 0 || r.failed !== undefined) continue;
    if (r.mode === 'e2e') {
      a[i] = bit(r.a);
      ap[i] = bit(r.ap);
      arCond[i] = bit(r.arCond);
    } else ar[i] = bit(r.ar);
  }
  return { ids, a, ap, arCond, ar };
}

/** Two evaluations' vectors aligned on the puzzles both scored under the same id (refuses disjoint puzzle sets). */
export function alignPuzzles(x: PerPuzzle, y: PerPuzzle, where: string): { x: PerPuzzle; y: PerPuzzle } {
  if (x.ids.length === y.ids.length && x.ids.every((id, i) => id === y.ids[i])) return { x, y };
  const at = new Map(y.ids.map((id, i) => [id, i]));
  const keep = x.ids.flatMap((id, i) => (at.has(id) ? [[i, at.get(id)!] as const] : []));
  if (keep.length === 0) throw new Error(`${where}: the two evaluations share no puzzle; a paired comparison needs the same puzzles`);
  const pick = (p: PerPuzzle, k: 0 | 1): PerPuzzle => ({
    ids: keep.map((pair) => p.ids[pair[k]]),
    a: keep.map((pair) => p.a[pair[k]]),
    ap: keep.map((pair) => p.ap[pair[k]]),
    arCond: keep.map((pair) => p.arCond[pair[k]]),
    ar: keep.map((pair) => p.ar[pair[k]]),
  });
  return { x: pick(x, 0), y: pick(y, 1) };
}
