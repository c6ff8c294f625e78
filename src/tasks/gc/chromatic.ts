/**
 * Exact chromatic number by backtracking (docs/architecture.md §3). The search starts at the size of a maximum clique
 * (a lower bound), tries k = ω, ω+1, … colours, and colours nodes in a fixed order (searchOrder), giving
 * each node the smallest free colour first and at most one colour beyond those already used (colour
 * symmetry breaking keeps the search exact and short). The same search, with its events
 * recorded, is the reasoning trace (trace.ts), so trace and answer agree by construction.
 */
import { neighbours, type Edge } from './graph.ts';

export type SearchEvent =
  | { readonly kind: 'try'; readonly k: number }
  /** `node` takes `colour`, the first of `candidates` (colours ≤ k free of its coloured neighbours). */
  | {
      readonly kind: 'assign';
      readonly node: number;
      readonly candidates: readonly number[];
      readonly colour: number;
      readonly blocked: readonly (readonly [number, number])[];
    }
  /** No colour fits `node`: `blocked` lists its coloured neighbours as [neighbour, colour]. */
  | { readonly kind: 'deadend'; readonly node: number; readonly blocked: readonly (readonly [number, number])[] }
  /** The search returns to `node` to try its next candidate (or gives it up when none is left). */
  | { readonly kind: 'back'; readonly node: number }
  | { readonly kind: 'fail'; readonly k: number }
  | { readonly kind: 'success'; readonly k: number };

export interface Colouring {
  readonly chromatic: number;
  readonly colours: readonly number[]; // colours[node] ∈ 1..chromatic
  readonly order: readonly number[]; // the node order the search used
  readonly clique: readonly number[]; // a maximum clique, sorted (the lower bound)
}

/**
 * Static search order: the highest-degree node first, then repeatedly the node with the most neighbours
 * already ordered (ties: higher degree, then lower id). Constrained nodes come early, so dead ends show
 * up near the top of the search and failed colour counts are refuted in few steps.
 */
export function searchOrder(adj: readonly (readonly number[])[]): number[] {
  const n = adj.length;
  const order: number[] = [];
  const placed = new Array<boolean>(n).fill(false);
  const links = new Array<number>(n).fill(0);
  for (let step = 0; step < n; step++) {
    let best = -1;
    for (let v = 0; v < n; v++) {
      if (placed[v]) continue;
      if (best < 0 || links[v] > links[best] || (links[v] === links[best] && adj[v].length > adj[best].length)) best = v;
    }
    order.push(best);
    placed[best] = true;
    for (const u of adj[best]) links[u]++;
  }
  return order;
}

/** A maximum clique (Bron–Kerbosch over bitmasks), as sorted node ids; the lexicographically first found. */
export function maximumClique(n: number, adj: readonly (readonly number[])[]): number[] {
  const masks = adj.map((list) => list.reduce((m, u) => m | (1 << u), 0));
  let best = 0;
  let bestSize = 0;
  const popcount = (x: number) => {
    let c = 0;
    for (; x; x &= x - 1) c++;
    return c;
  };
  const grow = (clique: number, size: number, candidates: number) => {
    if (candidates === 0) {
      if (size > bestSize) [best, bestSize] = [clique, size];
      return;
    }
    if (size + popcount(candidates) <= bestSize) return;
    for (let v = 0; v < n; v++) {
      if (!(candidates & (1 << v))) continue;
      grow(clique | (1 << v), size + 1, candidates & masks[v]);
      candidates &= ~(1 << v);
      if (size + popcount(candidates) <= bestSize) return;
    }
    if (size > bestSize) [best, bestSize] = [clique, size];
  };
  grow(0, 0, n >= 31 ? 0x7fffffff : (1 << n) - 1);
  const out: number[] = [];
  for (let v = 0; v < n; v++) if (best & (1 << v)) out.push(v);
  return out;
}

/** Exact χ and a χ-colouring of nodes 0..n-1; `onEvent` receives every search step in order. */
export function colourGraph(n: number, edges: readonly Edge[], onEvent?: (event: SearchEvent) => void): Colouring {
  const adj = neighbours(n, edges);
  const order = searchOrder(adj);
  const clique = maximumClique(n, adj);
  if (n === 0) return { chromatic: 0, colours: [], order, clique };
  const colours = new Array<number>(n).fill(0);
  const emit = onEvent ?? (() => {});

  const place = (pos: number, k: number, used: number): boolean => {
    if (pos === n) return true;
    const node = order[pos];
    const blocked = adj[node].filter((u) => colours[u] > 0).map((u) => [u, colours[u]] as const);
    const taken = new Set(blocked.map(([, c]) => c));
    const candidates: number[] = [];
    for (let c = 1; c <= Math.min(k, used + 1); c++) if (!taken.has(c)) candidates.push(c);
    if (candidates.length === 0) {
      emit({ kind: 'deadend', node, blocked });
      return false;
    }
    for (let t = 0; t < candidates.length; t++) {
      const colour = candidates[t];
      colours[node] = colour;
      emit({ kind: 'assign', node, candidates: candidates.slice(t), colour, blocked });
      if (place(pos + 1, k, Math.max(used, colour))) return true;
      colours[node] = 0;
      emit({ kind: 'back', node });
    }
    return false;
  };

  for (let k = Math.max(1, clique.length); ; k++) {
    emit({ kind: 'try', k });
    if (place(0, k, 0)) {
      emit({ kind: 'success', k });
      return { chromatic: k, colours, order, clique };
    }
    emit({ kind: 'fail', k });
  }
}
