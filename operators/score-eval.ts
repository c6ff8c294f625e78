/**
 * scoreEval — scores each sample's completions under the disentangled protocol (a, a_p, ã_r end-to-end;
 * a_r counterfactual, oracle caption re-attached) and emits one EvalRecord per completion.
 *
 *   source: --g0------g1'--|
 *   output: --(r0 r1)-r2---|        n = 2 for g0; g1' had one completion
 */
import { mergeMap, from, type OperatorFunction } from 'rxjs';
import type { EvalRecord } from '../src/eval/eval-record.ts';
import { scoreGenerated, type Generated } from '../src/eval/evaluate.ts';
import type { Task } from '../src/tasks/task.ts';

export function scoreEval(task: Task): OperatorFunction<Generated, EvalRecord> {
  return (source) => source.pipe(mergeMap((generated) => from(scoreGenerated(task, generated))));
}
