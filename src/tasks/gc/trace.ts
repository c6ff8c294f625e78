/**
 * The GC reasoning trace (docs/architecture.md §3), written from the exact solver's own search events (chromatic.ts):
 * node order, the clique lower bound, candidate colours per node, conflicts, backtracks, and a final check.
 * `verbosity` sets the length, and with it the perception token fraction:
 *   0  one line with the colour count
 *   1  node order, clique lower bound, and every assignment / dead end / backtrack in compact form
 *   2  the same search one step per line: coloured neighbours, candidate colours, conflicts, backtracks
 *   3  plus neighbour lists and degrees up front and an edge-by-edge check at the end
 *   4  plus the colouring so far after every assignment and each node checked against its neighbours at the
 *      end: the state a long chain of thought restates, so perception is ≤ 5% of the response at 7–9 nodes
 *      (the paper's GC traces: 2.2%; bench/perception-share.ts measures it)
 * ASCII only: the tokenizer maps anything else to UNK.
 */
import { colourGraph, type SearchEvent } from './chromatic.ts';
import { neighbours, type Edge } from './graph.ts';

export const MAX_VERBOSITY = 4;

export interface GcSolution {
  readonly chromatic: number;
  readonly answer: string; // `node:colour,…` in node order
  readonly trace: string;
}

export function formatColouring(colours: readonly number[]): string {
  return colours.map((c, v) => `${v}:${c}`).join(',');
}

const pairs = (blocked: readonly (readonly [number, number])[]) => blocked.map(([u, c]) => `${u}=${c}`).join(',');

function compactStep(e: SearchEvent): string | undefined {
  switch (e.kind) {
    case 'assign':
      return `${e.node}=${e.colour}`;
    case 'deadend':
      return `${e.node}:none`;
    case 'back':
      return `back${e.node}`;
    default:
      return undefined;
  }
}

function detailedStep(e: SearchEvent): string {
  switch (e.kind) {
    case 'try':
      return `Try ${e.k} colours.`;
    case 'assign': {
      const seen = e.blocked.length ? `neighbours ${pairs(e.blocked)}` : 'no coloured neighbours';
      return `Node ${e.node}: ${seen}; candidates ${e.candidates.join(',')}; set ${e.node}=${e.colour}.`;
    }
    case 'deadend':
      return `Node ${e.node}: neighbours ${pairs(e.blocked)} use all colours; conflict, backtrack.`;
    case 'back':
      return `Back to ${e.node}.`;
    case 'fail':
      return `${e.k} colours fail: every choice conflicts.`;
    case 'success':
      return `All nodes coloured with ${e.k} colours.`;
  }
}

/**
 * One line per event, except that a run of backtracks is one line ('Back to 2,1,0.'). With `state`, an
 * assignment's line ends with the colouring so far: the search colours nodes in a fixed order, so the
 * coloured nodes are a stack that an assignment to a node already on it cuts back to that node.
 */
function detailedSteps(events: readonly SearchEvent[], state = false): string[] {
  const lines: string[] = [];
  let backs: number[] = [];
  let coloured: (readonly [number, number])[] = [];
  for (const e of events) {
    if (e.kind === 'back') {
      backs.push(e.node);
      continue;
    }
    if (backs.length) lines.push(`Back to ${backs.join(',')}.`);
    backs = [];
    if (e.kind === 'try') coloured = [];
    if (state && e.kind === 'assign') {
      const at = coloured.findIndex(([v]) => v === e.node);
      if (at >= 0) coloured = coloured.slice(0, at);
      coloured.push([e.node, e.colour]);
      lines.push(`${detailedStep(e)} Coloured so far: ${pairs(coloured)}.`);
    } else lines.push(detailedStep(e));
  }
  return lines;
}

/** Verbosity 4's closing check: every node against its neighbours' colours. */
function nodeChecks(adj: readonly (readonly number[])[], colours: readonly number[]): string[] {
  return adj.map((list, v) =>
    list.length === 0
      ? `Node ${v}=${colours[v]}: no neighbours.`
      : `Node ${v}=${colours[v]}: neighbours ${list.map((u) => `${u}=${colours[u]}`).join(',')}, none is ${colours[v]}.`,
  );
}

/** One line per colour count tried: its steps in compact form and the outcome. */
function compactTries(events: readonly SearchEvent[]): string[] {
  const lines: string[] = [];
  let steps: string[] = [];
  for (const e of events) {
    if (e.kind === 'try') steps = [];
    else if (e.kind === 'fail') lines.push(`Try ${e.k}: ${steps.join(' ')} fails.`);
    else if (e.kind === 'success') lines.push(`Try ${e.k}: ${steps.join(' ')} fits.`);
    else {
      const step = compactStep(e);
      if (step) steps.push(step);
    }
  }
  return lines;
}

/** Solves nodes 0..n-1 with `edges` and writes the trace at `verbosity` (0..4). */
export function solveWithTrace(n: number, edges: readonly Edge[], verbosity: number): GcSolution {
  if (!Number.isInteger(verbosity) || verbosity < 0 || verbosity > MAX_VERBOSITY) {
    throw new RangeError(`gc: verbosity must be an integer in [0, ${MAX_VERBOSITY}], got ${verbosity}`);
  }
  const events: SearchEvent[] = [];
  const result = colourGraph(n, edges, (e) => events.push(e));
  const answer = formatColouring(result.colours);
  const k = result.chromatic;
  const lines: string[] = [];
  const bound = `Clique ${result.clique.join(',')}, so at least ${result.clique.length} colours.`;

  if (verbosity >= 1) {
    const adj = neighbours(n, edges);
    if (verbosity >= 3) {
      lines.push(`Nodes 0-${n - 1}. Neighbours: ${adj.map((list, v) => `${v}:${list.join(',')}`).join('; ')}.`);
    }
    lines.push(`Order: ${result.order.map((v) => (verbosity >= 3 ? `${v}(${adj[v].length})` : v)).join(',')}.`);
    lines.push(bound);
    if (verbosity === 1) lines.push(...compactTries(events));
    else lines.push(...detailedSteps(events, verbosity === 4));
    if (verbosity >= 3) {
      const checks = edges.map(([i, j]) => `(${i},${j}) ${result.colours[i]}!=${result.colours[j]}`);
      lines.push(`Check edges: ${checks.join(', ')}. No conflict.`);
    }
    if (verbosity === 4) lines.push(...nodeChecks(adj, result.colours));
  }
  lines.push(`Minimum colours: ${k}.`);
  return { chromatic: k, answer, trace: lines.join('\n') };
}
