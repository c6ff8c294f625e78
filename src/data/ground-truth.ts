/**
 * The `ground_truth` column of our parquet files: a JSON object string with what a verifier and an importer
 * need to rebuild the Puzzle exactly — key order fixed so the same puzzle gives the same bytes:
 *
 *   {"task":"gc","id":"gc-test-0","seed":123,"difficulty":"n=8","perception":"(0,1),…","answer":"0:1,…",
 *    "meta":{"nodes":8,"chromatic":3,"edges":9}}
 *
 * `perception` is p* (the caption a perfect reader writes), `answer` one correct answer (Acc(answer | p*) = 1).
 */
import type { Puzzle } from '../records.ts';
import { isTaskName } from '../tasks/registry.ts';

export interface GroundTruth {
  readonly task: string;
  readonly id: string;
  readonly seed: number;
  readonly difficulty: string;
  readonly perception: string;
  readonly answer: string;
  readonly meta: Readonly<Record<string, number | string>>;
}

export function groundTruthOf(puzzle: Puzzle): string {
  const truth: GroundTruth = {
    task: puzzle.task,
    id: puzzle.id,
    seed: puzzle.seed,
    difficulty: puzzle.difficulty,
    perception: puzzle.pStar,
    answer: puzzle.solution,
    meta: puzzle.meta,
  };
  return JSON.stringify(truth);
}

/** Our ground_truth back as a Puzzle, or undefined when `text` is not ours (e.g. the paper's plain strings). */
export function puzzleFromGroundTruth(text: string): Puzzle | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  const t = value as Partial<GroundTruth> | null;
  if (!t || typeof t !== 'object' || !isTaskName(t.task) || typeof t.perception !== 'string' || typeof t.answer !== 'string') return undefined;
  return {
    id: typeof t.id === 'string' ? t.id : '',
    task: t.task,
    seed: typeof t.seed === 'number' ? t.seed : 0,
    difficulty: typeof t.difficulty === 'string' ? t.difficulty : '',
    pStar: t.perception,
    solution: t.answer,
    meta: t.meta && typeof t.meta === 'object' ? t.meta : {},
  };
}
