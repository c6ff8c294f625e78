import { bufferCount, from, lastValueFrom, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { generateWith } from '../../operators/generate-with.ts';
import { scoreEval } from '../../operators/score-eval.ts';
import type { Completion, GenerateOptions, Policy } from '../../src/policy/policy.ts';
import { prefixFor } from '../../src/policy/policy.ts';
import type { Sample } from '../../src/records.ts';
import { reverseSample, reverseTask } from '../src/eval/fake-task.ts';

/** Answers every sample correctly after a tick; tracks how many calls overlap. */
class SlowPolicy implements Policy {
  readonly name = 'slow';
  inFlight = 0;
  maxInFlight = 0;
  calls = 0;
  async generate(samples: readonly Sample[], options: GenerateOptions): Promise<Completion[][]> {
    this.calls++;
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    await new Promise((resolve) => setTimeout(resolve, 5));
    this.inFlight--;
    return samples.map((s, i) => {
      const reversed = [...s.puzzle.pStar].reverse().join('');
      const text = prefixFor(options, i) ? `<answer>${reversed}</answer>` : `<caption>${s.puzzle.pStar}</caption><answer>${reversed}</answer>`;
      return Array.from({ length: options.n }, () => ({ text }));
    });
  }
}

describe('generateWith', () => {
  const samples = Array.from({ length: 10 }, (_, i) => reverseSample(`s${i}`, `w${i}x`));
  const sampling = { temperature: 0, topP: 1, maxTokens: 10, seed: 0, n: 2 };

  it('keeps at most `concurrency` policy calls in flight and emits every sample once per mode', async () => {
    for (const concurrency of [1, 3]) {
      const policy = new SlowPolicy();
      const generated = await lastValueFrom(from(samples).pipe(bufferCount(2), generateWith(policy, { modes: 'both', sampling, concurrency }), toArray()));
      expect(policy.calls).toBe(10); // 5 batches × 2 modes
      expect(policy.maxInFlight).toBe(concurrency);
      expect(generated.map((g) => `${g.mode}:${g.sample.puzzle.id}`).sort()).toEqual(
        samples.flatMap((s) => [`e2e:${s.puzzle.id}`, `counterfactual:${s.puzzle.id}`]).sort(),
      );
      generated.forEach((g) => expect(g.completions).toHaveLength(2));
    }
  });

  it('feeds scoreEval, which scores each completion', async () => {
    const records = await lastValueFrom(
      from(samples.slice(0, 3)).pipe(bufferCount(3), generateWith(new SlowPolicy(), { modes: 'both', sampling }), scoreEval(reverseTask), toArray()),
    );
    expect(records).toHaveLength(12);
    expect(records.filter((r) => r.mode === 'e2e').every((r) => r.a === 1 && r.ap === 1 && r.arCond === 1)).toBe(true);
    expect(records.filter((r) => r.mode === 'counterfactual').every((r) => r.ar === 1 && r.text.startsWith('<caption>'))).toBe(true);
  });

  it('rejects a bad concurrency with an exact message', () => {
    expect(() => generateWith(new SlowPolicy(), { modes: 'e2e', sampling, concurrency: 0 })).toThrow(
      'generateWith concurrency must be a positive integer, got 0',
    );
  });
});
