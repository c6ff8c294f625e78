/**
 * A Piscina pool of score workers (score-worker.ts): verification of G·P rollouts per step runs off the
 * main thread while the main thread keeps the GPU busy. `threads: 0` scores in-process (same function), for
 * environments without worker threads and for tests that compare the two.
 */
import { Piscina } from 'piscina';
import type { ResponseScore } from '../eval/score.ts';
import type { Puzzle } from '../records.ts';
import scoreBatch, { type ScoreJob } from './score-worker.ts';

export interface ScorePool {
  score(task: string, items: readonly { readonly puzzle: Puzzle; readonly text: string }[]): Promise<ResponseScore[]>;
  close(): Promise<void>;
}

const WORKER = new URL('./score-worker.mjs', import.meta.url);

/** `threads` workers (0: in-process); jobs of up to `chunk` texts each. */
export function createScorePool(threads: number, chunk = 64): ScorePool {
  if (!Number.isInteger(threads) || threads < 0) throw new RangeError(`score pool threads must be a non-negative integer, got ${threads}`);
  if (threads === 0) return { score: (task, items) => scoreBatch({ task, items }), close: async () => {} };
  const pool = new Piscina({ filename: WORKER.href, minThreads: threads, maxThreads: threads });
  return {
    async score(task, items) {
      const jobs: Promise<ResponseScore[]>[] = [];
      for (let i = 0; i < items.length; i += chunk) jobs.push(pool.run({ task, items: items.slice(i, i + chunk) } satisfies ScoreJob));
      return (await Promise.all(jobs)).flat();
    },
    close: () => pool.destroy(),
  };
}
