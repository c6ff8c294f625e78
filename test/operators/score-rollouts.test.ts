import { firstValueFrom, from, Subject, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { scoreRollouts } from '../../operators/score-rollouts.ts';
import type { ResponseScore } from '../../src/eval/score.ts';
import type { StepRollouts } from '../../src/rl/rl-step.ts';
import { createScorePool, type ScorePool } from '../../src/rl/score-pool.ts';
import { puzzles, rolloutOf, sampleOf } from './rl-rollouts.ts';

const step = (n: number, kinds: ('right' | 'wrong-caption' | 'broken')[]): StepRollouts => ({
  step: n,
  samples: [sampleOf(puzzles[0])],
  rollouts: kinds.map((kind, g) => rolloutOf(puzzles[0], g, kind, n)),
  rolloutMs: 5,
});

describe('scoreRollouts (operator)', () => {
  it('scores every rollout with the oracle verdicts and forms R = α·a_p + (1−α)·a', async () => {
    const pool = createScorePool(0);
    const [scored] = await firstValueFrom(
      from([step(1, ['right', 'wrong-caption', 'broken'])]).pipe(scoreRollouts(pool, { task: 'gc', alpha: 0.25, spec: { kind: 'perception' } }), toArray()),
    );
    const rows = scored.unadvantaged.map((r) => ({ a: r.a, ap: r.ap, reward: r.reward, failure: r.parseFailure }));
    expect(rows).toEqual([
      { a: 1, ap: 1, reward: 1, failure: undefined },
      { a: 1, ap: 0, reward: 0.75, failure: undefined }, // right answer, caption missing an edge: 0.25·0 + 0.75·1
      { a: 0, ap: 0, reward: 0, failure: 'no-caption' },
    ]);
    expect(scored.rolloutMs).toBe(5); // the step's earlier fields pass through
    expect(scored.scoringMs).toBeGreaterThanOrEqual(0);
  });

  it('uses the outcome alone when the reward is the outcome, and refuses an α it has no perception term to weigh', async () => {
    const [scored] = await firstValueFrom(
      from([step(1, ['wrong-caption'])]).pipe(scoreRollouts(createScorePool(0), { task: 'gc', alpha: 0, spec: { kind: 'outcome' } }), toArray()),
    );
    expect(scored.unadvantaged[0].reward).toBe(1);
    const weighed = firstValueFrom(
      from([step(1, ['wrong-caption'])]).pipe(scoreRollouts(createScorePool(0), { task: 'gc', alpha: 0.5, spec: { kind: 'outcome' } })),
    );
    await expect(weighed).rejects.toThrow('combineRewards: α must be 0 with rl.reward outcome (there is no perception term), got 0.5'); // the config's rule (reward-spec.ts alphaProblem)
  });

  it('scores one step at a time, in order', async () => {
    const calls: number[] = [];
    const release: Array<() => void> = [];
    const pool: ScorePool = {
      score: (_task, items) => {
        calls.push(items.length);
        return new Promise<ResponseScore[]>((resolve) => release.push(() => resolve(items.map(() => ({ a: 0, ap: 0, arCond: 0 })))));
      },
      close: async () => {},
    };
    const source = new Subject<StepRollouts>();
    const out: number[] = [];
    source.pipe(scoreRollouts(pool, { task: 'gc', alpha: 0, spec: { kind: 'outcome' } })).subscribe((s) => out.push(s.step));
    source.next(step(1, ['right']));
    source.next(step(2, ['right', 'right']));
    await new Promise((r) => setImmediate(r));
    expect(calls).toEqual([1]); // step 2 waits for step 1
    release[0]();
    await new Promise((r) => setImmediate(r));
    expect(calls).toEqual([1, 2]);
    release[1]();
    await new Promise((r) => setImmediate(r));
    expect(out).toEqual([1, 2]);
  });

  it('fails naming the rollout whose sample is missing when a surrogate needs it', async () => {
    const surrogate = { name: 'fake', score: async (inputs: readonly unknown[]) => inputs.map(() => 1) };
    const orphan: StepRollouts = { ...step(1, ['right']), samples: [] };
    const run = firstValueFrom(from([orphan]).pipe(scoreRollouts(createScorePool(0), { task: 'gc', alpha: 0.5, spec: { kind: 'embed' }, surrogate })));
    await expect(run).rejects.toThrow(`rewardRollouts: no sample '${puzzles[0].id}' for rollout 0`);
  });
});
