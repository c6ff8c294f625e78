/**
 * scoreEval: each generated sample's completions become one EvalRecord each, in completion order, in the frame
 * the sample arrived (marbles); end-to-end and counterfactual are scored by their own rule, a failed request
 * stays a record (nothing is lost).
 */
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import { scoreEval } from '../../operators/score-eval.ts';
import type { EvalRecord } from '../../src/eval/eval-record.ts';
import type { Generated } from '../../src/eval/evaluate.ts';
import { reverseSample, reverseTask } from '../src/eval/fake-task.ts';

const marbles = () => new TestScheduler((actual, expected) => expect(actual).toEqual(expected));

const abc = reverseSample('s0', 'abc');
const xy = reverseSample('s1', 'xy');

describe('scoreEval', () => {
  it('emits one record per completion, in order, when the sample arrives', () => {
    const generated: Record<string, Generated> = {
      g: {
        sample: abc,
        mode: 'e2e',
        completions: [
          { text: '<caption>abc</caption>so<answer>cba</answer>' }, // right caption, right answer
          { text: '<caption>abd</caption>so<answer>dba</answer>' }, // wrong caption, answer right for it
        ],
      },
      h: { sample: xy, mode: 'counterfactual', completions: [{ text: 'so<answer>yx</answer>' }] },
    };
    const records: Record<string, EvalRecord> = {
      a: { sampleId: 's0', mode: 'e2e', completion: 0, text: generated.g.completions[0].text, a: 1, ap: 1, arCond: 1 },
      b: { sampleId: 's0', mode: 'e2e', completion: 1, text: generated.g.completions[1].text, a: 0, ap: 0, arCond: 1 },
      c: { sampleId: 's1', mode: 'counterfactual', completion: 0, text: '<caption>xy</caption>so<answer>yx</answer>', ar: 1 },
    };
    marbles().run(({ cold, expectObservable }) => {
      expectObservable(cold('--g------h--|', generated).pipe(scoreEval(reverseTask))).toBe('--(ab)---c--|', records);
    });
  });

  it('keeps a failed completion as a record with its reason', () => {
    const failed: Generated = { sample: abc, mode: 'e2e', completions: [{ text: '', failed: 'policy error: timeout' }] };
    marbles().run(({ cold, expectObservable }) => {
      expectObservable(cold('-f|', { f: failed }).pipe(scoreEval(reverseTask))).toBe('-r|', {
        r: { sampleId: 's0', mode: 'e2e', completion: 0, text: '', failed: 'policy error: timeout' },
      });
    });
  });

  it('passes an upstream error on', () => {
    marbles().run(({ cold, expectObservable }) => {
      expectObservable(cold<Generated>('--#', undefined, new Error('generation failed')).pipe(scoreEval(reverseTask))).toBe(
        '--#',
        undefined,
        new Error('generation failed'),
      );
    });
  });
});
