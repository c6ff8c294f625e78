import { firstValueFrom, from, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { rescoreRollouts } from '../../operators/rescore-rollouts.ts';
import type { RewardInput, SurrogateReward } from '../../src/rl/rewards/surrogate.ts';
import { createScorePool } from '../../src/rl/score-pool.ts';
import { gcTask } from '../../src/tasks/gc/index.ts';
import { options, puzzles, rolloutOf, sampleOf } from './rl-rollouts.ts';

/** A surrogate that scores 1 for a caption and remembers what it was given. */
function recordingSurrogate(): SurrogateReward & { seen: { step: number; inputs: readonly RewardInput[] }[] } {
  const seen: { step: number; inputs: readonly RewardInput[] }[] = [];
  return { name: 'probe', seen, score: async (inputs, step) => (seen.push({ step, inputs }), inputs.map((i) => (i.caption ? 1 : 0))) };
}

describe('rescoreRollouts', () => {
  it('re-scores each batch into one scored row per rollout, in order, with the oracle verdicts', async () => {
    const batches = [[rolloutOf(puzzles[0], 0, 'right'), rolloutOf(puzzles[0], 1, 'broken')], [rolloutOf(puzzles[1], 0, 'wrong-caption')]];
    const rows = await firstValueFrom(
      from(batches).pipe(rescoreRollouts({ task: gcTask, taskOptions: options, pool: createScorePool(0), surrogates: [] }), toArray()),
    );
    expect(rows.map((r) => [r.sampleId, r.group, r.a, r.ap, r.reward])).toEqual([
      [puzzles[0].id, 0, 1, 1, 1],
      [puzzles[0].id, 1, 0, 0, 0],
      [puzzles[1].id, 0, 1, 0, 1], // the outcome alone: the recording is re-scored, not re-weighted
    ]);
  });

  it('re-renders the images a surrogate needs (recordings keep none), once per puzzle, and numbers the batches', async () => {
    const probe = recordingSurrogate();
    const batches = [[rolloutOf(puzzles[0], 0, 'right'), rolloutOf(puzzles[0], 1, 'broken')], [rolloutOf(puzzles[1], 0, 'right')]];
    const rows = await firstValueFrom(
      from(batches).pipe(rescoreRollouts({ task: gcTask, taskOptions: options, pool: createScorePool(0), surrogates: [probe] }), toArray()),
    );
    expect(rows.map((r) => r.rewards.probe)).toEqual([1, 0, 1]);
    expect(probe.seen.map((s) => s.step)).toEqual([0, 1]);
    const rendered = await gcTask.render(puzzles[0], options);
    const first = probe.seen[0].inputs;
    expect(first[0].sample.pixels).toEqual(rendered.pixels);
    expect(first[1].sample).toBe(first[0].sample); // one render for the puzzle's two rollouts
  });

  it('takes known samples as they are instead of rendering', async () => {
    const probe = recordingSurrogate();
    const known = { ...sampleOf(puzzles[0]), pixels: new Float32Array([7]), width: 1, height: 1 };
    await firstValueFrom(
      from([[rolloutOf(puzzles[0], 0, 'right')]]).pipe(
        rescoreRollouts({ task: gcTask, taskOptions: options, pool: createScorePool(0), surrogates: [probe], samples: new Map([[puzzles[0].id, known]]) }),
        toArray(),
      ),
    );
    expect(probe.seen[0].inputs[0].sample).toBe(known);
  });
});
