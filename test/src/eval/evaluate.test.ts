import { describe, expect, it } from 'vitest';
import { evaluatePolicy, EvaluationStopped } from '../../../src/eval/evaluate.ts';
import type { Completion, GenerateOptions, Policy } from '../../../src/policy/policy.ts';
import { prefixFor } from '../../../src/policy/policy.ts';
import type { Sample } from '../../../src/records.ts';
import { reverseSample, reverseTask } from './fake-task.ts';

/** Answers by sample id from a script; records what it was asked. */
class ScriptedPolicy implements Policy {
  readonly name = 'scripted';
  readonly calls: { ids: string[]; prefixes: (string | undefined)[] }[] = [];
  constructor(private readonly script: (id: string, prefix: string | undefined) => Completion) {}
  async generate(samples: readonly Sample[], options: GenerateOptions): Promise<Completion[][]> {
    const prefixes = samples.map((_, i) => prefixFor(options, i));
    this.calls.push({ ids: samples.map((s) => s.puzzle.id), prefixes });
    if (samples.some((s) => s.puzzle.id === 'boom')) throw new Error('device lost');
    return samples.map((s, i) => Array.from({ length: options.n }, () => this.script(s.puzzle.id, prefixes[i])));
  }
}

describe('evaluatePolicy', () => {
  const samples = [reverseSample('s0', 'abc'), reverseSample('s1', 'xyz'), reverseSample('s2', 'pq'), reverseSample('s3', 'mn')];
  const script = (id: string, prefix: string | undefined): Completion => {
    if (prefix !== undefined) {
      // Counterfactual: continue after the oracle caption. s1 answers wrongly, s3's request failed.
      if (id === 's3') return { text: '', failed: 'HTTP 500: boom (after 3 attempts)' };
      return { text: id === 's1' ? 'so<answer>zzz</answer>' : `so<answer>${prefix.slice(9, -10).split('').reverse().join('')}</answer>` };
    }
    switch (id) {
      case 's0':
        return { text: '<caption>abc</caption>so<answer>cba</answer>' }; // all correct
      case 's1':
        return { text: '<caption>xyw</caption>so<answer>wyx</answer>' }; // wrong caption, consistent reasoning
      case 's2':
        return { text: '<caption>pq</caption> no answer' }; // parse failure, caption right
      default:
        return { text: 'gibberish' }; // no caption
    }
  };

  it('scores both modes, re-attaches the oracle caption, and counts every failure kind', async () => {
    const policy = new ScriptedPolicy(script);
    const seen: string[] = [];
    const { summary, records } = await evaluatePolicy(policy, reverseTask, samples, {
      mode: 'both',
      temperature: 0,
      topP: 1,
      maxTokens: 20,
      seed: 1,
      batchSize: 3,
      onRecord: (r) => seen.push(`${r.mode}:${r.sampleId}`),
    });
    expect(policy.calls.map((c) => c.ids)).toEqual([['s0', 's1', 's2'], ['s0', 's1', 's2'], ['s3'], ['s3']]);
    expect(policy.calls[1].prefixes).toEqual(['<caption>abc</caption>', '<caption>xyz</caption>', '<caption>pq</caption>']);
    expect(records).toHaveLength(8);
    expect(seen.sort()).toEqual(['counterfactual:s0', 'counterfactual:s1', 'counterfactual:s2', 'counterfactual:s3', 'e2e:s0', 'e2e:s1', 'e2e:s2', 'e2e:s3']);
    const cf0 = records.find((r) => r.mode === 'counterfactual' && r.sampleId === 's0');
    expect(cf0).toMatchObject({ text: '<caption>abc</caption>so<answer>cba</answer>', ar: 1 });

    expect(summary.n).toBe(4);
    expect(summary.a).toMatchObject({ successes: 1, count: 4, value: 0.25 });
    expect(summary.ap).toMatchObject({ successes: 2, count: 4 });
    expect(summary.arCond).toMatchObject({ successes: 2, count: 4 });
    expect(summary.ar).toMatchObject({ successes: 2, count: 3 }); // s3's failed request is excluded, not scored 0
    expect(summary.ar.ci95[0]).toBeLessThan(2 / 3);
    expect(summary.ar.ci95[1]).toBeGreaterThan(2 / 3);
    expect(summary.parseFailures).toEqual({ total: 2, e2e: { 'no-answer': 1, 'no-caption': 1 }, counterfactual: {} });
    expect(summary.requestFailures).toEqual({ total: 1, e2e: 0, counterfactual: 1, reasons: { 'HTTP 500: boom (after 3 attempts)': 1 } });
    expect(summary.records).toBe(8);
    expect(summary.sampling).toEqual({ temperature: 0, topP: 1, maxTokens: 20, seed: 1, n: 1 });
  });

  it('reports progress once a batch (its records arrive together), and a stop request abandons it at the next batch', async () => {
    const batches: number[] = [];
    const options = { mode: 'both' as const, temperature: 0, topP: 1, maxTokens: 20, seed: 1, batchSize: 3, onBatch: (n: number) => batches.push(n) };
    await evaluatePolicy(new ScriptedPolicy(script), reverseTask, samples, options);
    expect(batches).toEqual([3, 6, 7, 8]); // s0-s2 e2e, s0-s2 counterfactual, s3 e2e, s3 counterfactual

    const policy = new ScriptedPolicy(script);
    let stop = false;
    const stopped = evaluatePolicy(policy, reverseTask, samples, { ...options, onBatch: () => (stop = true), shouldStop: () => stop });
    await expect(stopped).rejects.toThrow(EvaluationStopped);
    await expect(stopped).rejects.toMatchObject({ records: 3 });
    expect(policy.calls).toHaveLength(1); // the counterfactual batch was never asked for
  });

  it('turns a policy that throws into failed records for its batch, and keeps going', async () => {
    const policy = new ScriptedPolicy(script);
    const { summary, records } = await evaluatePolicy(policy, reverseTask, [reverseSample('boom', 'ab'), samples[0]], {
      mode: 'e2e',
      temperature: 0.7,
      topP: 1,
      maxTokens: 20,
      seed: 1,
      n: 2,
      batchSize: 1,
    });
    expect(records.map((r) => [r.sampleId, r.completion, r.failed])).toEqual([
      ['boom', 0, 'policy error: device lost'],
      ['boom', 1, 'policy error: device lost'],
      ['s0', 0, undefined],
      ['s0', 1, undefined],
    ]);
    expect(summary.requestFailures.total).toBe(2);
    expect(summary.a).toMatchObject({ successes: 2, count: 2 });
    expect(summary.ar.count).toBe(0);
  });
});
