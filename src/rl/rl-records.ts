/**
 * The records of an RL run (docs/architecture.md §2), as recorded to DIR/rollouts.msgpack: a Scored rollout plus what a
 * later re-scoring needs without the run — the puzzle (p*, verifier data), the query, the step and the
 * advantage it was trained with. Images are not stored: a re-scorer re-renders them from the puzzle.
 */
import type { FinishReason } from '../model/sample.ts';
import type { Puzzle, Rollout, Scored } from '../records.ts';

export interface RlRollout extends Rollout {
  readonly step: number; // 1-based optimizer step this rollout was sampled for
  readonly puzzle: Puzzle;
  readonly query: string;
  readonly finish: FinishReason;
}

export interface RlScored extends RlRollout, Scored {
  readonly advantage: number; // the group-normalised advantage of `reward`
}
