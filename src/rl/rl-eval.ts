/**
 * The before/after evaluation of an RL run: our model as a TfjsPolicy on a held-out subset (val or test), through the one
 * evaluation path (src/eval/evaluate.ts), both modes, so a, a_p, ã_r and counterfactual a_r are scored as
 * `asymflow eval` scores them.
 */
import type { EvalSplit } from '../data/held-out.ts';
import { evaluatePolicy } from '../eval/evaluate.ts';
import { generatedSamples } from '../data/generated-samples.ts';
import { accuracyOf, type Accuracy } from '../eval/accuracy.ts';
import { perPuzzleOf, type PerPuzzle } from '../eval/per-puzzle.ts';
import type { Vlm } from '../model/vlm.ts';
import { TfjsPolicy } from '../policy/tfjs-policy.ts';
import type { Task, TaskOptions } from '../tasks/task.ts';

export interface EvalFigures extends Accuracy {
  readonly n: number;
  readonly parseFailures: number;
  readonly perPuzzle?: PerPuzzle; // absent in runs recorded before it existed
}

export interface ModelEvalOptions {
  readonly n: number;
  readonly split: EvalSplit; // the held-out split: val when scouting, test for reported tables
  readonly seed: number;
  readonly temperature: number;
  readonly maxTokens: number;
  readonly taskOptions: TaskOptions;
  readonly batch: number;
  /** Called after each batch in each mode with the records scored so far and the total (n × both modes). */
  readonly onProgress?: (records: number, total: number) => void;
  /** Asked before each batch: true abandons the evaluation (EvaluationStopped, src/eval/evaluate.ts). */
  readonly shouldStop?: () => boolean;
}

export async function evaluateHeldOut(model: Vlm, task: Task, o: ModelEvalOptions): Promise<EvalFigures> {
  const policy = new TfjsPolicy(model, { name: 'rl', maxBatch: o.batch });
  const { summary, records } = await evaluatePolicy(policy, task, generatedSamples(task, { split: o.split, n: o.n, seed: o.seed, options: o.taskOptions }), {
    mode: 'both',
    temperature: o.temperature,
    topP: 1,
    maxTokens: o.maxTokens,
    seed: o.seed,
    batchSize: o.batch,
    onBatch: (records) => o.onProgress?.(records, 2 * o.n),
    shouldStop: o.shouldStop,
  });
  return { n: summary.n, ...accuracyOf(summary), parseFailures: summary.parseFailures.total, perPuzzle: perPuzzleOf(records) };
}
