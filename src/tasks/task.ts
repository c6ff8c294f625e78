/**
 * The one interface every task implements (docs/architecture.md §3). A task owns its generator, renderer, canonical
 * perception, prompt, reasoning trace and verifier; a third task is one new folder plus a registry line.
 */
import type { CaptionGrid, Puzzle, TaskName } from '../records.ts';
import type { Rng } from '../rng.ts';

// The task's name lives on the ground floor with the records that carry it; re-exported for the task contract.
export type { TaskName } from '../records.ts';

export interface Verdict {
  readonly correct: boolean;
  readonly reason: string; // 'ok' or why not, e.g. 'edge (2,5) joins colour 1'
}

export interface Rendered {
  readonly png: Uint8Array; // dataset image
  readonly pixels: Float32Array; // model input, greyscale in [0,1], row-major height × width
  readonly width: number;
  readonly height: number;
}

/** Task-specific generation knobs; every field optional, each task validates its own. */
export type TaskOptions = Readonly<Record<string, string | number | boolean>>;

/**
 * Knobs of the split layer that travel with a task's options (so presets, `--task-option` and checkpoints carry
 * them) but are no task's business: `heldOut`, how many puzzles of each held-out split (test, val, …) training
 * excludes by content (src/data/held-out.ts). A task resolves its options without them.
 */
export const SPLIT_OPTION_KEYS = ['heldOut'] as const;

/** `options` without the split layer's keys: what a task validates. */
export function taskKnobs(options: TaskOptions): TaskOptions {
  if (!SPLIT_OPTION_KEYS.some((key) => key in options)) return options;
  const knobs: Record<string, string | number | boolean> = { ...options };
  for (const key of SPLIT_OPTION_KEYS) delete knobs[key];
  return knobs;
}

export interface Task {
  readonly name: TaskName;
  /** Defaults for generation/rendering/trace knobs (layout, nodes, blanks, verbosity, inputSize, …). */
  readonly defaults: TaskOptions;
  /** A puzzle from `rng` alone (same rng state ⇒ same puzzle). `id` and `seed` are the caller's. */
  generate(rng: Rng, id: string, seed: number, options: TaskOptions): Puzzle;
  /** Dataset PNG and model-input pixels, deterministic given the puzzle and options. */
  render(puzzle: Puzzle, options: TaskOptions): Promise<Rendered>;
  /** The user-turn text that accompanies the image. */
  query(puzzle: Puzzle): string;
  /** The full SFT target `<caption>p*</caption>TRACE<answer>A</answer>` written by the task's solver. */
  response(puzzle: Puzzle, options: TaskOptions): string;
  /**
   * The puzzle's content key: two puzzles with one key are the same puzzle to a model (same caption and answer
   * targets; images that differ at most in a drawing choice). Splits are kept disjoint by it (src/data/held-out.ts).
   */
  key(puzzle: Puzzle, options: TaskOptions): string;
  /**
   * Held-out test views beyond `test` (Sudoku: `test_seen_glyphs`, new puzzles in the training handwriting);
   * none when the task draws no glyph pool.
   */
  readonly extraTestViews?: readonly string[];
  /** The glyph pool a split's images draw from (Sudoku: 'test', 'val' or 'train'); undefined without handwriting. */
  glyphPool?(split: string): string;
  /** Perception equality after normalisation (GC: edge sets; Sudoku: grid cells). */
  samePerception(predicted: string, oracle: string): boolean;
  /** Acc(answer | perception): is `answer` correct for the puzzle described by `perception`? */
  verify(answer: string, perception: string, puzzle?: Puzzle): Verdict;
  /** Where a caption (and answer) that is a grid of the image's cells puts each cell (model caption grid). */
  captionGrid?(options: TaskOptions): CaptionGrid | undefined;
}
