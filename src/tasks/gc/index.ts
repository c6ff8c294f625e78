/**
 * The Graph Coloring task (docs/architecture.md §3) behind the Task interface, plus the plain functions the CLI's
 * `solve` and `check` verbs call.
 */
import { checks, resolveConfig, ConfigError } from '../../config.ts';
import type { Puzzle } from '../../records.ts';
import { Rng } from '../../rng.ts';
import { taskKnobs, type Task, type TaskOptions, type Verdict } from '../task.ts';
import { formatEdges, generateGraph } from './graph.ts';
import { circleLayout, springLayout, type Point } from './layout.ts';
import { impliedNodes, MAX_NODE_ID, parseEdges, samePerception } from './perception.ts';
import { renderGraph } from './render.ts';
import { colourGraph } from './chromatic.ts';
import { formatColouring, MAX_VERBOSITY, solveWithTrace } from './trace.ts';
import { verifyGc } from './verify.ts';
import { SearchBudgetError } from '../search-budget.ts';

// A type, not an interface: it then fits TaskOptions (a record) without a cast.
export type GcOptions = {
  readonly minNodes: number;
  readonly maxNodes: number;
  readonly edgeProb: number; // probability of each pair being an edge (before rejecting isolated nodes)
  readonly layout: string; // 'circle' | 'spring'
  readonly verbosity: number; // trace detail 0..4
  readonly inputSize: number; // model-input side in px (144 = 9 patches of 16)
  readonly pngSize: number; // dataset PNG side in px
};

export const GC_DEFAULTS: GcOptions = {
  minNodes: 7,
  maxNodes: 9,
  edgeProb: 0.35,
  layout: 'circle',
  verbosity: 2,
  inputSize: 144,
  pngSize: 448,
};

export const LAYOUTS = ['circle', 'spring'] as const;

/** Defaults merged with `options`, validated; a bad value throws a ConfigError naming `gc.<key>`. */
export function gcOptions(options: TaskOptions = {}): GcOptions {
  const resolved = resolveConfig('gc', GC_DEFAULTS, taskKnobs(options), {
    minNodes: checks.inRange(2, 10),
    maxNodes: checks.inRange(2, 10),
    edgeProb: (v) => (typeof v === 'number' && v > 0 && v <= 1 ? undefined : 'must be a number in (0, 1]'),
    layout: checks.oneOf(LAYOUTS),
    verbosity: (v) => (Number.isInteger(v) && (v as number) >= 0 && (v as number) <= MAX_VERBOSITY ? undefined : `must be an integer in [0, ${MAX_VERBOSITY}]`),
    inputSize: checks.positiveInt,
    pngSize: checks.positiveInt,
  });
  if (!Number.isInteger(resolved.minNodes) || !Number.isInteger(resolved.maxNodes) || resolved.minNodes > resolved.maxNodes) {
    throw new ConfigError(`gc.minNodes and gc.maxNodes must be integers with minNodes <= maxNodes, got ${resolved.minNodes} and ${resolved.maxNodes}`);
  }
  return resolved;
}

/** The puzzle's node count: meta.nodes, or max id + 1 when a puzzle (e.g. an imported one) lacks it. */
export function puzzleNodes(puzzle: Puzzle): number {
  const n = Number(puzzle.meta.nodes);
  return Math.max(Number.isInteger(n) && n > 0 ? n : 0, impliedNodes(parseEdges(puzzle.pStar)));
}

/** Node positions for `puzzle` under `options.layout`; spring layouts are seeded by the puzzle's seed and edges. */
export function layoutPuzzle(puzzle: Puzzle, options: GcOptions): Point[] {
  const n = puzzleNodes(puzzle);
  if (options.layout === 'circle') return circleLayout(n, options.maxNodes);
  return springLayout(n, parseEdges(puzzle.pStar), new Rng(`gc-layout/${puzzle.seed}/${puzzle.pStar}`));
}

export const GC_QUERY =
  'Colour the nodes with the fewest colours so no edge joins two nodes of one colour. ' +
  'Edges as (i,j) in <caption></caption>, then reasoning, then node:colour pairs in <answer></answer>.';

export const gcTask: Task = {
  name: 'gc',
  defaults: GC_DEFAULTS,

  generate(rng, id, seed, options) {
    const o = gcOptions(options);
    const n = rng.range(o.minNodes, o.maxNodes);
    const edges = generateGraph(rng, n, o.edgeProb);
    const solution = solveWithTrace(n, edges, 0);
    return {
      id,
      task: 'gc',
      seed,
      difficulty: `n=${n}`,
      pStar: formatEdges(edges),
      solution: solution.answer,
      meta: { nodes: n, chromatic: solution.chromatic, edges: edges.length },
    };
  },

  async render(puzzle, options) {
    const o = gcOptions(options);
    return renderGraph(layoutPuzzle(puzzle, o), parseEdges(puzzle.pStar), o.pngSize, o.inputSize);
  },

  query() {
    return GC_QUERY;
  },

  response(puzzle, options) {
    const o = gcOptions(options);
    const { trace, answer } = solveWithTrace(puzzleNodes(puzzle), parseEdges(puzzle.pStar), o.verbosity);
    return `<caption>${puzzle.pStar}</caption>${trace}<answer>${answer}</answer>`;
  },

  // The labelled graph: node count + canonical edge set, and the layout's name. Labels are drawn and p* and the
  // answer name them, so an isomorphic relabelling is another image, caption and answer: another puzzle. The
  // circle layout places node i by (n, maxNodes) alone, so the key fixes the image. A spring drawing varies
  // with the puzzle's seed, but two drawings of one labelled graph share both targets (a test graph seen in
  // training under another drawing would leak its answer), so the key leaves the drawing out on purpose.
  key(puzzle, options) {
    return `gc:${gcOptions(options).layout}:n=${puzzleNodes(puzzle)}:${puzzle.pStar}`;
  },

  samePerception,

  verify(answer, perception, puzzle) {
    const nodes = puzzle ? Number(puzzle.meta.nodes) : 0; // the checked perception may name more
    return verifyGc(answer, perception, Number.isInteger(nodes) ? nodes : 0);
  },
};

/** Node count for solve/check: `nodes` when given (must cover every id), else max id + 1. */
function nodeCount(perception: string, nodes: number | undefined): { n: number; edges: ReturnType<typeof parseEdges> } {
  const edges = parseEdges(perception);
  const implied = impliedNodes(edges);
  if (nodes === undefined || nodes === null) {
    if (implied === 0) throw new Error('perception has no edges; give "nodes" to say how many nodes there are');
    return { n: implied, edges };
  }
  if (!Number.isInteger(nodes) || nodes < 1 || nodes > MAX_NODE_ID + 1) {
    throw new Error(`nodes must be an integer in [1, ${MAX_NODE_ID + 1}], got ${JSON.stringify(nodes)}`);
  }
  if (nodes < implied) throw new Error(`nodes is ${nodes} but the perception mentions node ${implied - 1}`);
  return { n: nodes, edges };
}

/**
 * `solve --task gc`: χ and one χ-colouring of the graph `perception` describes (isolated nodes allowed).
 * Throws an Error with a clear message on a malformed perception or node count.
 */
export function solveGc(perception: string, nodes?: number, deadline?: number): { chromatic: number; answer: string } {
  const { n, edges } = nodeCount(perception, nodes);
  let events = 0;
  // the search's own event hook checks the deadline: a dense 31-node graph can search for minutes
  const watch =
    deadline === undefined
      ? undefined
      : () => {
          if ((++events & 0xfff) === 0 && Date.now() > deadline) throw new SearchBudgetError(`no answer within the time budget (${events} search steps)`);
        };
  const { chromatic, colours } = colourGraph(n, edges, watch);
  return { chromatic, answer: formatColouring(colours) };
}

/**
 * `check --task gc`: Acc(answer | perception). A malformed perception or node count throws (the CLI
 * reports it as an error line); a malformed answer is a verdict with correct: false.
 */
export function checkGc(perception: string, answer: string, nodes?: number): Verdict {
  const { n } = nodeCount(perception, nodes);
  if (typeof answer !== 'string') throw new Error(`answer must be a string, got ${typeof answer}`);
  return verifyGc(answer, perception, n);
}

export { formatEdges, generateGraph } from './graph.ts';
export { normalisePerception, parseEdges, samePerception } from './perception.ts';
export { colourGraph } from './chromatic.ts';
export { solveWithTrace } from './trace.ts';
export { verifyColouring, verifyGc } from './verify.ts';
