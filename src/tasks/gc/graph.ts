/**
 * GC graph generation (docs/architecture.md §3): G(n, p) random graphs conditioned on having no isolated node, and the
 * canonical edge-list text that is the oracle perception p*.
 */
import type { Rng } from '../../rng.ts';

/** An undirected edge with `[0] < [1]`. */
export type Edge = readonly [number, number];

/** Edges sorted lexicographically, each with i < j; duplicates removed. */
export function canonicalEdges(edges: readonly Edge[]): Edge[] {
  const keyed = new Map<number, Edge>();
  for (const [a, b] of edges) {
    const e: Edge = a < b ? [a, b] : [b, a];
    keyed.set(e[0] * 1024 + e[1], e);
  }
  return [...keyed.values()].sort((x, y) => x[0] - y[0] || x[1] - y[1]);
}

/** Canonical p*: `(i,j)` with i<j, lexicographic, joined by ','. */
export function formatEdges(edges: readonly Edge[]): string {
  return canonicalEdges(edges)
    .map(([i, j]) => `(${i},${j})`)
    .join(',');
}

/** Sorted neighbour lists of nodes 0..n-1. */
export function neighbours(n: number, edges: readonly Edge[]): number[][] {
  const adj: number[][] = Array.from({ length: n }, () => []);
  for (const [i, j] of edges) {
    adj[i].push(j);
    adj[j].push(i);
  }
  for (const list of adj) list.sort((a, b) => a - b);
  return adj;
}

/**
 * Each of the n(n-1)/2 pairs is an edge with probability `edgeProb`; graphs with an isolated node are
 * redrawn (rejection keeps the distribution exactly G(n,p) conditioned on min degree ≥ 1).
 */
export function generateGraph(rng: Rng, n: number, edgeProb: number): Edge[] {
  if (!Number.isInteger(n) || n < 2) throw new RangeError(`gc: nodes must be an integer ≥ 2, got ${n}`);
  if (!(edgeProb > 0 && edgeProb <= 1)) throw new RangeError(`gc: edgeProb must be in (0, 1], got ${edgeProb}`);
  for (let attempt = 0; attempt < 10_000; attempt++) {
    const edges: Edge[] = [];
    const degree = new Array<number>(n).fill(0);
    for (let i = 0; i < n; i++) {
      for (let j = i + 1; j < n; j++) {
        if (rng.next() < edgeProb) {
          edges.push([i, j]);
          degree[i]++;
          degree[j]++;
        }
      }
    }
    if (degree.every((d) => d > 0)) return edges;
  }
  throw new Error(`gc: no graph without isolated nodes after 10000 draws (nodes=${n}, edgeProb=${edgeProb})`);
}
