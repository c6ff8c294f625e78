/**
 * A toy task for evaluation tests: perception is a word, the answer must be that word reversed. Small enough
 * to reason about by hand, and independent of the real tasks' generators.
 */
import type { Puzzle, Sample } from '../../../src/records.ts';
import type { Task } from '../../../src/tasks/task.ts';

export const reverseTask: Task = {
  name: 'gc',
  defaults: {},
  generate: () => {
    throw new Error('not used');
  },
  render: async () => {
    throw new Error('not used');
  },
  query: (puzzle) => `reverse ${puzzle.id}`,
  response: (puzzle) => `<caption>${puzzle.pStar}</caption>so<answer>${[...puzzle.pStar].reverse().join('')}</answer>`,
  key: (puzzle) => `reverse:${puzzle.pStar}`,
  samePerception: (a, b) => a.trim() === b.trim(),
  verify: (answer, perception) => {
    const ok = answer === [...perception].reverse().join('');
    return { correct: ok, reason: ok ? 'ok' : 'not reversed' };
  },
};

export function reverseSample(id: string, word: string): Sample {
  const puzzle: Puzzle = { id, task: 'gc', seed: 0, difficulty: 'toy', pStar: word, solution: [...word].reverse().join(''), meta: {} };
  return { puzzle, png: Uint8Array.from([1, 2, 3]), width: 1, height: 1, query: id };
}
