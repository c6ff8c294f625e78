import { firstValueFrom, of } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import { groupAdvantages } from '../../operators/group-advantages.ts';
import type { Puzzle } from '../../src/records.ts';
import type { Unadvantaged } from '../../src/rl/rewards/combine.ts';
import type { StepScored } from '../../src/rl/rl-step.ts';

const marbles = () => new TestScheduler((actual, expected) => expect(actual).toEqual(expected));

const puzzle: Puzzle = { id: 'gc-train-0', task: 'gc', seed: 0, difficulty: 'n=4', pStar: '', solution: '', meta: {} };

function scored(sampleId: string, group: number, reward: number): Unadvantaged {
  return {
    sampleId,
    group,
    step: 1,
    puzzle,
    query: 'q',
    finish: 'eos',
    tokens: new Int32Array(0),
    logprobs: new Float32Array(0),
    text: '',
    perceptionSpan: [0, 0],
    reasoningSpan: [0, 0],
    a: reward,
    ap: 0,
    arCond: 0,
    rewards: { outcome: reward },
    reward,
  };
}

function step(n: number, rows: readonly Unadvantaged[]): StepScored {
  return { step: n, samples: [], rollouts: [], rolloutMs: 0, unadvantaged: rows, scoringMs: 0 };
}

describe('groupAdvantages', () => {
  it('emits one advantaged step per scored step, at the same frame', () => {
    const s1 = step(1, [scored('p', 0, 1), scored('p', 1, 0)]);
    const s2 = step(2, [scored('q', 0, 0), scored('q', 1, 0)]);
    marbles().run(({ cold, expectObservable }) => {
      const out = cold('-a---b|', { a: s1, b: s2 }).pipe(groupAdvantages(0));
      // two rewards 1, 0: mean ½, unbiased std √½ → ±1/√2; an all-equal group carries no preference
      const r = 1 / Math.sqrt(2);
      expectObservable(out).toBe('-a---b|', {
        a: expect.objectContaining({
          step: 1,
          advantaged: expect.objectContaining({
            scored: [expect.objectContaining({ advantage: expect.closeTo(r, 6) }), expect.objectContaining({ advantage: expect.closeTo(-r, 6) })],
          }),
        }),
        b: expect.objectContaining({
          step: 2,
          advantaged: expect.objectContaining({ scored: [expect.objectContaining({ advantage: 0 }), expect.objectContaining({ advantage: 0 })] }),
        }),
      });
    });
  });

  it('normalises within each prompt, keeps input order and groups interleaved rollouts by prompt', async () => {
    const rows = [scored('p', 0, 1), scored('q', 0, 3), scored('p', 1, 0), scored('q', 1, 1), scored('q', 2, 2)];
    const { advantaged } = await firstValueFrom(of(step(4, rows)).pipe(groupAdvantages(1e-6)));
    // q's rewards 3, 1, 2: mean 2, unbiased std 1 → 1, −1, 0 (ε = 10⁻⁶ shrinks them by a millionth)
    expect(advantaged.scored.map((r) => Math.round(r.advantage * 1e4) / 1e4)).toEqual([0.7071, 1, -0.7071, -1, 0]);
    expect(advantaged.scored.map((r) => `${r.sampleId}${r.group}`)).toEqual(['p0', 'q0', 'p1', 'q1', 'q2']);
    expect(advantaged.groups.map((g) => `${g.sampleId}:${g.scored.map((r) => r.group).join(',')}`)).toEqual(['p:0,1', 'q:0,1,2']);
    expect(Array.from(advantaged.groups[1].advantages, (a) => Math.round(a * 1e4) / 1e4)).toEqual([1, -1, 0]);
  });

  it('keeps everything the scored step carried', async () => {
    const s = step(7, [scored('p', 0, 1)]);
    const out = await firstValueFrom(of(s).pipe(groupAdvantages(0)));
    expect(out).toEqual({ ...s, advantaged: expect.anything() });
  });
});
