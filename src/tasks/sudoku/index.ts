/**
 * The Sudoku task (docs/architecture.md §3) behind the Task interface, plus the plain functions the CLI's `solve` and
 * `check` verbs call.
 */
import { checks, resolveConfig } from '../../config.ts';
import { promptTokens } from '../../prompt.ts';
import { encode, TAG_IDS } from '../../tokenizer.ts';
import type { Puzzle } from '../../records.ts';
import { Rng } from '../../rng.ts';
import { taskKnobs, type Task, type TaskOptions, type Verdict } from '../task.ts';
import { generateSudoku, MAX_BLANKS } from './generate.ts';
import { CELLS, formatGrid, parseGrid, type Grid } from './grid.ts';
import { glyphCount } from './mnist.ts';
import { samePerception } from './perception.ts';
import { renderSudoku, type DigitChoice } from './render.ts';
import { countSolutions } from './solver.ts';
import { MAX_VERBOSITY, solveWithTrace } from './trace.ts';
import { verifyAnswer, verifySudoku } from './verify.ts';

// A type, not an interface: it then fits TaskOptions (a record) without a cast.
export type SudokuOptions = {
  readonly blanks: number; // empty cells per puzzle (the difficulty knob)
  readonly verbosity: number; // trace detail 0..3
  readonly inputSize: number; // model-input side in px, a multiple of 9 (72 = 9 patches of 8, 144 = 9 of 16)
  readonly pngSize: number; // dataset PNG side in px
};

/**
 * Defaults chosen for a small model trained from scratch (docs/architecture.md §3, Learnability), measured with
 * bench/sudoku-trace-tokens.ts over 200 puzzles: at 20 blanks every puzzle falls to naked singles alone and
 * 75% of the blanks are fixed by the givens alone (30 blanks: 47%, 40: 20%; hidden singles, locked
 * candidates and guesses only appear from ~45), so the reasoning is short lookups in one row, column and
 * box with little chaining. The verbosity-2 response is 483 tokens (perception 18.4% of them), inside the
 * small model's 1024-position window after the 173-token query; verbosity 3 (793 tokens on average) already
 * overflows that window for 7.5% of puzzles. The paper-like regime (~2.5% perception) is blanks=55 at
 * verbosity 3 (options `blanks: 55, verbosity: 3`).
 */
export const SUDOKU_DEFAULTS: SudokuOptions = {
  blanks: 20,
  verbosity: 2,
  inputSize: 72,
  pngSize: 448,
};

/** Defaults merged with `options`, validated; a bad value throws a ConfigError naming `sudoku.<key>`. */
export function sudokuOptions(options: TaskOptions = {}): SudokuOptions {
  return resolveConfig('sudoku', SUDOKU_DEFAULTS, taskKnobs(options), {
    blanks: (v) => (Number.isInteger(v) && (v as number) >= 1 && (v as number) <= MAX_BLANKS ? undefined : `must be an integer in [1, ${MAX_BLANKS}]`),
    verbosity: (v) => (Number.isInteger(v) && (v as number) >= 0 && (v as number) <= MAX_VERBOSITY ? undefined : `must be an integer in [0, ${MAX_VERBOSITY}]`),
    inputSize: (v) =>
      Number.isInteger(v) && (v as number) >= 36 && (v as number) % 9 === 0 ? undefined : 'must be a multiple of 9, at least 36 (one patch per cell)',
    pngSize: (v) => (Number.isInteger(v) && (v as number) >= 36 ? undefined : 'must be an integer >= 36'),
  });
}

export const SUDOKU_QUERY =
  'Fill the blanks so every row, column and 3x3 box holds the digits 1-9 once. ' +
  "Givens as 9 rows joined by '/' with 0 for blanks in <caption></caption>, then reasoning, then the full grid in <answer></answer>.";

/** Share of each digit's MNIST images kept for the test split: its handwriting is never seen in training. */
export const TEST_DIGIT_SHARE = 0.1;
/** Share kept for the val split, just below test's: val's handwriting is held out too, and is not test's. */
export const VAL_DIGIT_SHARE = 0.1;

/** The test view drawn in the training handwriting (new puzzles): separates perception from the glyph shift. */
export const SEEN_GLYPHS_VIEW = 'test_seen_glyphs';

/** Which glyph pool each split draws from. */
export type GlyphPool = 'test' | 'val' | 'train' | 'all';

/**
 * The glyph pool of a puzzle, from the split its id names (imported puzzles name none: every image). The
 * pretraining streams (src/pretrain/pretrain-data.ts) are training: they draw the training handwriting.
 */
export function glyphPoolOf(puzzle: Puzzle): GlyphPool {
  const split = /^sudoku-(test|val|test_seen_glyphs|train_sft|train_rl|pretrain_caption|pretrain_reasoning)-\d+$/.exec(puzzle.id)?.[1];
  if (split === 'test' || split === 'val') return split;
  return split ? 'train' : 'all';
}

/**
 * The [start, end) range of `digit`'s MNIST images a puzzle may draw from: the last TEST_DIGIT_SHARE for the
 * test split, the VAL_DIGIT_SHARE before it for val, the rest for the train splits and the seen-glyphs test
 * view, every image for a puzzle whose id names no split (imported ones).
 */
export function digitPool(puzzle: Puzzle, digit: number): readonly [number, number] {
  const count = glyphCount(digit);
  const testCut = Math.floor(count * (1 - TEST_DIGIT_SHARE));
  const valCut = Math.floor(count * (1 - TEST_DIGIT_SHARE - VAL_DIGIT_SHARE));
  const pool = glyphPoolOf(puzzle);
  if (pool === 'test') return [testCut, count];
  if (pool === 'val') return [valCut, testCut];
  return pool === 'train' ? [0, valCut] : [0, count];
}

/** Which MNIST image draws each given: seeded by the puzzle alone, so images vary across puzzles. */
export function digitChoice(puzzle: Puzzle, givens: Grid): DigitChoice {
  const rng = new Rng(`sudoku-digits/${puzzle.seed}/${puzzle.pStar}`);
  const choice = new Int32Array(CELLS).fill(-1);
  for (let i = 0; i < CELLS; i++) {
    if (givens[i] === 0) continue;
    const [start, end] = digitPool(puzzle, givens[i]);
    choice[i] = start + rng.int(end - start);
  }
  return choice;
}

export const sudokuTask: Task = {
  name: 'sudoku',
  defaults: SUDOKU_DEFAULTS,

  generate(rng, id, seed, options) {
    const o = sudokuOptions(options);
    const { givens, solution } = generateSudoku(rng, o.blanks);
    return {
      id,
      task: 'sudoku',
      seed,
      difficulty: `blanks=${o.blanks}`,
      pStar: formatGrid(givens),
      solution: formatGrid(solution),
      meta: { blanks: o.blanks },
    };
  },

  async render(puzzle, options) {
    const o = sudokuOptions(options);
    const givens = parseGrid(puzzle.pStar, `puzzle ${puzzle.id} pStar`);
    return renderSudoku(givens, digitChoice(puzzle, givens), o.pngSize, o.inputSize);
  },

  query() {
    return SUDOKU_QUERY;
  },

  response(puzzle, options) {
    const o = sudokuOptions(options);
    const { trace, answer } = solveWithTrace(parseGrid(puzzle.pStar, `puzzle ${puzzle.id} pStar`), o.verbosity);
    return `<caption>${puzzle.pStar}</caption>${trace}<answer>${answer}</answer>`;
  },

  // The givens grid: the same givens in other handwriting are the same puzzle (same caption and answer).
  key(puzzle) {
    return `sudoku:${puzzle.pStar}`;
  },

  extraTestViews: [SEEN_GLYPHS_VIEW],

  glyphPool(split) {
    return glyphPoolOf({ id: `sudoku-${split}-0` } as Puzzle);
  },

  samePerception,

  verify(answer, perception) {
    return verifySudoku(answer, perception);
  },

  // Caption and answer are 9 rows of 9 digits joined by '/': cell (r, c) is the token 10r + c after the
  // opening tag, predicted by the token before it (the tag for the first, '/' for each row's first).
  captionGrid(options) {
    const o = sudokuOptions(options);
    const start = promptTokens(SUDOKU_QUERY).length;
    if (o.verbosity !== 0) return { start, side: 9, stride: 10 }; // the trace's length varies: no fixed answer position
    // At verbosity 0 the trace is one line fixed by the blank count, so every answer starts at the same token.
    const puzzle = this.generate(new Rng('sudoku-caption-grid'), 'layout', 0, o);
    const answerStart = start + encode(this.response(puzzle, o)).indexOf(TAG_IDS.answerOpen);
    return { start, side: 9, stride: 10, answerStart };
  },
};

/**
 * `solve --task sudoku`: how many solutions the givens have (2 = two or more) and one of them when there is
 * one. Throws an Error with a clear message on a malformed perception; conflicting givens are 0 solutions.
 */
export function solveSudoku(perception: string, deadline?: number): { solutions: 0 | 1 | 2; answer: string | null } {
  const givens = parseGrid(perception, 'perception');
  const { count, solution } = countSolutions(givens, 2, undefined, deadline);
  return { solutions: Math.min(count, 2) as 0 | 1 | 2, answer: solution ? formatGrid(solution) : null };
}

/**
 * `check --task sudoku`: Acc(answer | perception). A malformed perception throws (the CLI reports it as an
 * error line); a malformed answer is a verdict with correct: false.
 */
export function checkSudoku(perception: string, answer: string): Verdict {
  const givens = parseGrid(perception, 'perception');
  if (typeof answer !== 'string') throw new Error(`answer must be a string, got ${typeof answer}`);
  return verifyAnswer(answer, givens);
}

export { countBlanks, formatGrid, parseGrid } from './grid.ts';
export { generateSudoku, MAX_BLANKS } from './generate.ts';
export { normalisePerception, samePerception } from './perception.ts';
export { countSolutions } from './solver.ts';
export { solveWithTrace } from './trace.ts';
export { verifyGrid, verifySudoku } from './verify.ts';
