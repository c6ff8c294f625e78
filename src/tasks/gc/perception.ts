/**
 * GC perception text: parsing an edge list `(i,j),(k,l),…` (whitespace and (j,i) orientation tolerated),
 * normalising it to the canonical p*, and comparing two perceptions as edge sets.
 */
import { canonicalEdges, formatEdges, type Edge } from './graph.ts';

/** Largest node id accepted in a perception (exact colouring is exponential; bitmasks hold 31 nodes). */
export const MAX_NODE_ID = 30;

/**
 * Edges of `text`, canonical (i<j, sorted, deduplicated). An empty or all-blank text is the empty list.
 * Throws an Error naming the character offset on anything else, including self-loops.
 */
export function parseEdges(text: string): Edge[] {
  if (typeof text !== 'string') throw new Error(`perception must be a string, got ${typeof text}`);
  const edges: Edge[] = [];
  let pos = 0;
  const skipSpace = () => {
    while (pos < text.length && /\s/.test(text[pos])) pos++;
  };
  const fail = (what: string): never => {
    const got = pos < text.length ? `'${text[pos]}'` : 'end of text';
    throw new Error(`perception: expected ${what} at character ${pos}, got ${got}`);
  };
  const expect = (ch: string) => {
    skipSpace();
    if (text[pos] !== ch) fail(`'${ch}'`);
    pos++;
  };
  const integer = (): number => {
    skipSpace();
    const start = pos;
    while (pos < text.length && text[pos] >= '0' && text[pos] <= '9') pos++;
    if (pos === start) fail('a node id');
    const id = Number(text.slice(start, pos));
    if (id > MAX_NODE_ID) throw new Error(`perception: node id ${id} at character ${start} exceeds ${MAX_NODE_ID}`);
    return id;
  };
  skipSpace();
  if (pos === text.length) return [];
  for (;;) {
    const start = pos;
    expect('(');
    const i = integer();
    expect(',');
    const j = integer();
    expect(')');
    if (i === j) throw new Error(`perception: self-loop (${i},${j}) at character ${start}`);
    edges.push([i, j]);
    skipSpace();
    if (pos === text.length) break;
    expect(',');
  }
  return canonicalEdges(edges);
}

/** The canonical p* of a perception text (throws like parseEdges). */
export function normalisePerception(text: string): string {
  return formatEdges(parseEdges(text));
}

/** Same edge set after normalisation; a malformed text never equals anything. */
export function samePerception(predicted: string, oracle: string): boolean {
  try {
    return normalisePerception(predicted) === normalisePerception(oracle);
  } catch {
    return false;
  }
}

/** Node count implied by an edge list: max id + 1 (0 for no edges). */
export function impliedNodes(edges: readonly Edge[]): number {
  let n = 0;
  for (const [, j] of edges) n = Math.max(n, j + 1);
  return n;
}
