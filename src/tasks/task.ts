/**
 * The one interface every task implements (DESIGN §3). A task owns its generator, renderer, canonical
 * perception, prompt, reasoning trace and verifier; a third task is one new folder plus a registry line.
 */
import type { CaptionGrid } from '../model/caption-grid.ts';
import type { Puzzle } from '../records.ts';
import type { Rng } from '../rng.ts';

export type TaskName = 'gc' | 'sudoku';

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
  /** Perception equality after normalisation (GC: edge sets; Sudoku: grid cells). */
  samePerception(predicted: string, oracle: string): boolean;
  /** Acc(answer | perception): is `answer` correct for the puzzle described by `perception`? */
  verify(answer: string, perception: string, puzzle?: Puzzle): Verdict;
  /** Where a caption (and answer) that is a grid of the image's cells puts each cell (model caption grid). */
  captionGrid?(options: TaskOptions): CaptionGrid | undefined;
}
