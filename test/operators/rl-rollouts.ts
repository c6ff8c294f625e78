/** Shared by the RL operator tests: GC puzzles and hand-written rollouts of them (right, wrong caption, broken). */
import { puzzleAt } from '../../src/data/split-sample.ts';
import type { Puzzle, Sample } from '../../src/records.ts';
import type { RlRollout } from '../../src/rl/rl-records.ts';
import { gcTask } from '../../src/tasks/gc/index.ts';

export const options = { minNodes: 4, maxNodes: 4, verbosity: 0, inputSize: 32, heldOut: 0 };

export const puzzles: Puzzle[] = [0, 1].map((i) => puzzleAt(gcTask, { split: 'train_rl', seed: 3, options }, i));

/** A sample without an image (what the scoring needs: the puzzle). */
export const sampleOf = (puzzle: Puzzle): Sample => ({ puzzle, width: 0, height: 0, query: gcTask.query(puzzle) });

export type Kind = 'right' | 'wrong-caption' | 'broken';

/** A rollout of `puzzle`: the oracle caption and answer, a caption that misses an edge, or no grammar at all. */
export function rolloutOf(puzzle: Puzzle, group: number, kind: Kind, step = 1): RlRollout {
  const missing = puzzle.pStar
    .split(',(')
    .slice(1)
    .map((e) => `(${e}`)
    .join(',');
  const text =
    kind === 'right'
      ? `<caption>${puzzle.pStar}</caption>ok<answer>${puzzle.solution}</answer>`
      : kind === 'wrong-caption'
        ? `<caption>${missing}</caption>ok<answer>${puzzle.solution}</answer>`
        : 'no idea';
  return {
    sampleId: puzzle.id,
    group,
    step,
    puzzle,
    query: gcTask.query(puzzle),
    finish: 'eos',
    tokens: new Int32Array(0),
    logprobs: new Float32Array(0),
    text,
    perceptionSpan: [0, 0],
    reasoningSpan: [0, 0],
  };
}
