/**
 * The Piscina worker that verifies rollouts (docs/architecture.md §5 "score"): parsing and the task's verifier are CPU
 * work that would otherwise stall the event loop between GPU steps. Each call scores one batch of texts.
 * Loaded through score-worker.mjs, which registers tsx's ESM loader so this .ts file runs in a plain
 * worker thread (Node cannot import .ts by itself).
 */
import { scoreResponse, type ResponseScore } from '../eval/score.ts';
import type { Puzzle } from '../records.ts';
import { getTask } from '../tasks/registry.ts';

export interface ScoreJob {
  readonly task: string;
  readonly items: readonly { readonly puzzle: Puzzle; readonly text: string }[];
}

export default async function scoreBatch(job: ScoreJob): Promise<ResponseScore[]> {
  const task = await getTask(job.task);
  return job.items.map((item) => scoreResponse(task, item.puzzle, item.text));
}
