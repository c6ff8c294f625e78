/**
 * Rebuilds a Puzzle from one parquet row (ours, or the paper's xqwu/asymmetric-VLM__gc / __sudoku).
 *
 * - Ours: `ground_truth` is our JSON (ground-truth.ts) and the puzzle comes back exactly (id, seed, p*,
 *   solution, meta).
 * - Foreign rows: p* is recovered from, in order, the response's `<caption>`, a perception-like field of a
 *   JSON `ground_truth` (perception, p_star, pStar, caption, edges, puzzle, grid, board, question), or the
 *   `ground_truth` text itself — accepted when it parses as the task's perception: GC edges `(i,j),…` (also
 *   `[(0, 1), …]` and `[[0,1],…]`), a Sudoku grid as 9 rows joined by `/`, 81 digits, or `.` for blanks
 *   (a grid without blanks is a solution, not givens). The solution is the row's answer (the response's
 *   `<answer>`, or an answer/solution field or text) when it verifies against p*, else the task's solver's.
 *   GC's node count is the largest of max id + 1 and the nodes the answer colours (isolated nodes are only
 *   visible there). id is `<task>-<split>-<row>`, seed 0, difficulty from the puzzle (n=…, blanks=…).
 * A row whose p* cannot be recovered is an error that names the row and says what was looked at.
 */
import { clip } from '../clip.ts';
import { parseResponse } from '../grammar.ts';
import type { Puzzle } from '../records.ts';
import { checkGc, formatEdges, parseEdges, solveGc } from '../tasks/gc/index.ts';
import { impliedNodes } from '../tasks/gc/perception.ts';
import { checkSudoku, countBlanks, formatGrid, parseGrid, solveSudoku } from '../tasks/sudoku/index.ts';
import type { TaskName } from '../tasks/task.ts';
import type { HfRow } from './hf-parquet.ts';
import { puzzleFromGroundTruth } from './ground-truth.ts';

const PERCEPTION_KEYS = ['perception', 'p_star', 'pStar', 'caption', 'edges', 'puzzle', 'grid', 'board', 'question'];
const ANSWER_KEYS = ['answer', 'solution', 'coloring', 'colouring'];

/** A GC edge list in any of the accepted spellings, canonical; undefined if `text` is not one. */
export function gcPerception(value: unknown): string | undefined {
  if (Array.isArray(value)) {
    if (!value.every((e) => Array.isArray(e) && e.length === 2 && e.every(Number.isInteger))) return undefined;
    value = value.map(([i, j]) => `(${i},${j})`).join(',');
  }
  if (typeof value !== 'string') return undefined;
  const text = value
    .trim()
    .replace(/^\[(.*)\]$/s, '$1')
    .replace(/\[(\s*\d+\s*,\s*\d+\s*)\]/g, '($1)');
  if (!/^\s*\(/.test(text)) return undefined;
  try {
    return formatEdges(parseEdges(text));
  } catch {
    return undefined;
  }
}

/** A Sudoku grid as 9 rows joined by '/', or undefined. */
export function sudokuGrid(value: unknown): string | undefined {
  if (Array.isArray(value)) value = value.flat().join('');
  if (typeof value !== 'string') return undefined;
  const t = value.trim();
  try {
    if (t.includes('/')) return formatGrid(parseGrid(t));
    const digits = t.replace(/[\s,[\]|+-]/g, '').replace(/\./g, '0');
    return /^[0-9]{81}$/.test(digits) ? formatGrid(parseGrid(digits.match(/.{9}/g)!.join('/'))) : undefined;
  } catch {
    return undefined;
  }
}

function parseJson(text: string): Record<string, unknown> | undefined {
  try {
    const value = JSON.parse(text) as unknown;
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** The task a foreign row is about: its perception's shape first, then the query's words. */
export function inferTask(row: HfRow): TaskName | undefined {
  const ours = puzzleFromGroundTruth(row.ground_truth);
  if (ours) return ours.task;
  const { perceptions, answers } = candidates(row);
  const all = [...perceptions, ...answers];
  if (all.some((c) => sudokuGrid(c) !== undefined)) return 'sudoku';
  if (all.some((c) => gcPerception(c) !== undefined)) return 'gc';
  if (/sudoku/i.test(row.query)) return 'sudoku';
  if (/colou?r|graph|node/i.test(row.query)) return 'gc';
  return undefined;
}

function candidates(row: HfRow): { perceptions: unknown[]; answers: unknown[] } {
  const perceptions: unknown[] = [];
  const answers: unknown[] = [];
  const parsed = row.response ? parseResponse(row.response) : undefined;
  if (parsed?.perception !== undefined) perceptions.push(parsed.perception);
  if (parsed?.ok) answers.push(parsed.answer);
  const json = parseJson(row.ground_truth);
  if (json) {
    for (const key of PERCEPTION_KEYS) if (json[key] !== undefined) perceptions.push(json[key]);
    for (const key of ANSWER_KEYS) if (json[key] !== undefined) answers.push(json[key]);
  } else {
    perceptions.push(row.ground_truth);
    answers.push(row.ground_truth);
  }
  return { perceptions, answers };
}

const snippet = (text: string) => JSON.stringify(text.length > 60 ? `${text.slice(0, 57)}...` : text);

export interface ImportedPuzzleAt {
  readonly task: TaskName;
  readonly split: string;
  readonly index: number;
}

export interface ImportedPuzzle {
  readonly puzzle: Puzzle;
  readonly source: 'asymflow' | 'rebuilt'; // our ground_truth JSON, or recovered from a foreign row
}

/**
 * The row's Puzzle; throws (without file or row: the caller adds them) when p* cannot be recovered or is
 * not a puzzle (a self-loop, an edge past the node count, a Sudoku grid that is not digits), or when the
 * stored answer does not solve it: eval would take such a p* as the oracle caption.
 */
export function importPuzzle(row: HfRow, at: ImportedPuzzleAt): ImportedPuzzle {
  const ours = puzzleFromGroundTruth(row.ground_truth);
  if (ours) {
    if (ours.task !== at.task) throw new Error(`ground_truth is a ${ours.task} puzzle, not ${at.task}`);
    checkPuzzle(ours);
    return { puzzle: ours, source: 'asymflow' };
  }
  const rebuilt = rebuildPuzzle(row, at);
  checkPuzzle(rebuilt);
  return { puzzle: rebuilt, source: 'rebuilt' };
}

/** p* well formed for its task, and the solution one of its answers. */
function checkPuzzle(puzzle: Puzzle): void {
  if (puzzle.task === 'gc') {
    const edges = parseEdges(puzzle.pStar);
    const given = (puzzle.meta as { nodes?: unknown }).nodes;
    const nodes = given === undefined ? impliedNodes(edges) : Number(given);
    if (!Number.isInteger(nodes) || nodes < 1) throw new Error(`GC node count must be a positive integer, got ${clip(String(given))}`);
    for (const [i, j] of edges) {
      if (i === j) throw new Error(`GC edge (${i},${j}) in p* ${snippet(puzzle.pStar)} is a self-loop`);
      if (Math.max(i, j) >= nodes)
        throw new Error(`GC edge (${i},${j}) in p* ${snippet(puzzle.pStar)} names a node beyond the ${nodes} nodes (ids 0..${nodes - 1})`);
    }
    const verdict = checkGc(puzzle.pStar, puzzle.solution, nodes);
    if (!verdict.correct) throw new Error(`the answer ${snippet(puzzle.solution)} does not colour p* ${snippet(puzzle.pStar)}: ${clip(verdict.reason)}`);
    return;
  }
  parseGrid(puzzle.pStar, 'perception'); // 81 digits 0-9 in 9 rows, or it throws naming the problem
  const verdict = checkSudoku(puzzle.pStar, puzzle.solution);
  if (!verdict.correct)
    throw new Error(`the answer ${snippet(puzzle.solution)} does not solve the Sudoku p* ${snippet(puzzle.pStar)}: ${clip(verdict.reason)}`);
}

function rebuildPuzzle(row: HfRow, { task, split, index }: ImportedPuzzleAt): Puzzle {
  const { perceptions, answers } = candidates(row);
  const id = `${task}-${split}-${index}`;
  if (task === 'gc') {
    const pStar = perceptions.map(gcPerception).find((p) => p !== undefined);
    if (pStar === undefined)
      throw new Error(`cannot recover the GC edge list p*: no <caption> in response, and ground_truth ${snippet(row.ground_truth)} holds no edge list`);
    const edges = parseEdges(pStar);
    let nodes = impliedNodes(edges);
    const answer = answers.find((a): a is string => typeof a === 'string' && /^\s*\d+\s*:\s*\d+/.test(a));
    if (answer)
      nodes = Math.max(
        nodes,
        ...answer
          .split(',')
          .map((pair) => Number(pair.split(':')[0]) + 1)
          .filter(Number.isInteger),
      );
    if (nodes === 0) throw new Error('the GC edge list p* is empty and no answer names the nodes');
    const solved = solveGc(pStar, nodes);
    const solution = answer && checkGc(pStar, answer, nodes).correct ? answer.replace(/\s+/g, '') : solved.answer;
    return { id, task, seed: 0, difficulty: `n=${nodes}`, pStar, solution, meta: { nodes, chromatic: solved.chromatic, edges: edges.length } };
  }
  const pStar = perceptions.map(sudokuGrid).find((g) => g !== undefined && g.includes('0')); // a full grid is an answer
  if (pStar === undefined) {
    throw new Error(`cannot recover the Sudoku givens p*: no <caption> in response, and ground_truth ${snippet(row.ground_truth)} holds no grid with blanks`);
  }
  const solved = solveSudoku(pStar);
  if (solved.solutions === 0 || solved.answer === null) throw new Error(`the Sudoku givens ${pStar} have no solution`);
  const answer = answers.map(sudokuGrid).find((g) => g !== undefined && checkSudoku(pStar, g).correct);
  const blanks = countBlanks(parseGrid(pStar));
  return { id, task, seed: 0, difficulty: `blanks=${blanks}`, pStar, solution: answer ?? solved.answer, meta: { blanks } };
}
