/**
 * Acc(answer | perception) for GC (docs/architecture.md §3): every node 0..n-1 coloured exactly once, exactly χ distinct
 * colours, no edge joining equal colours, with χ that of the graph the perception describes. Total: any
 * answer or perception text yields a Verdict, never a throw.
 */
import type { Verdict } from '../task.ts';
import { colourGraph } from './chromatic.ts';
import type { Edge } from './graph.ts';
import { impliedNodes, MAX_NODE_ID, parseEdges } from './perception.ts';

const ENTRY = /^\s*(\d+)\s*:\s*(\d+)\s*$/;

/**
 * Colours by node from `answer` (`node:colour,…`, whitespace tolerated), or the reason it is malformed.
 * Colours are non-negative integers; nodes must lie in 0..n-1 and appear once.
 */
export function parseColouring(answer: string, n: number): { colours: number[] } | { reason: string } {
  if (typeof answer !== 'string' || answer.trim() === '') return { reason: 'malformed answer: empty' };
  const colours = new Array<number>(n).fill(-1);
  const entries = answer.split(',');
  for (let e = 0; e < entries.length; e++) {
    const match = ENTRY.exec(entries[e]);
    if (!match) return { reason: `malformed answer: entry ${e + 1} '${entries[e].trim()}' is not node:colour` };
    const node = Number(match[1]);
    const colour = Number(match[2]);
    if (!Number.isSafeInteger(node) || !Number.isSafeInteger(colour)) {
      return { reason: `malformed answer: entry ${e + 1} '${entries[e].trim()}' has a number too large` };
    }
    if (node >= n) return { reason: `node ${node} is not in the graph (nodes 0-${n - 1})` };
    if (colours[node] >= 0) return { reason: `node ${node} coloured twice` };
    colours[node] = colour;
  }
  return { colours };
}

/** Verdict for `answer` on nodes 0..n-1 with `edges` (edges canonical, ids < n). */
export function verifyColouring(answer: string, n: number, edges: readonly Edge[]): Verdict {
  const parsed = parseColouring(answer, n);
  if ('reason' in parsed) return { correct: false, reason: parsed.reason };
  const { colours } = parsed;
  const missing = colours.findIndex((c) => c < 0);
  if (missing >= 0) return { correct: false, reason: `node ${missing} not coloured` };
  for (const [i, j] of edges) {
    if (colours[i] === colours[j]) return { correct: false, reason: `edge (${i},${j}) joins colour ${colours[i]}` };
  }
  const used = new Set(colours).size;
  const chromatic = colourGraph(n, edges).chromatic;
  if (used !== chromatic) return { correct: false, reason: `uses ${used} colours, chromatic number is ${chromatic}` };
  return { correct: true, reason: 'ok' };
}

/**
 * Acc(answer | perception). Nodes are max(`nodes`, max id in the perception + 1), so a perception that
 * drops the last node's edges is still checked over every node the puzzle has.
 */
export function verifyGc(answer: string, perception: string, nodes = 0): Verdict {
  let edges: Edge[];
  try {
    edges = parseEdges(perception);
  } catch (error) {
    return { correct: false, reason: `malformed ${(error as Error).message}` };
  }
  const n = Math.max(Number.isInteger(nodes) && nodes > 0 ? nodes : 0, impliedNodes(edges));
  if (n > MAX_NODE_ID + 1) return { correct: false, reason: `nodes ${n} exceeds ${MAX_NODE_ID + 1}` };
  if (n === 0) return { correct: false, reason: 'perception has no nodes' };
  return verifyColouring(answer, n, edges);
}
