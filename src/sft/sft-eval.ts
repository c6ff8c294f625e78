/**
 * SFT's periodic evaluation: the live model behind a TfjsPolicy, scored by the shared disentangled
 * evaluation (src/eval/evaluate.ts — the same code `asymflow eval` runs), on a fixed held-out subset of the
 * `test` split. Also the one sample the dashboard shows: the model's caption against p*.
 */
import { parseResponse } from '../grammar.ts';
import { evaluatePolicy } from '../eval/evaluate.ts';
import type { EvalRecord } from '../eval/eval-record.ts';
import type { EvalSummary } from '../eval/eval-summary.ts';
import type { EvalModes } from '../eval/eval-record.ts';
import { accuracyValues, type Accuracy } from '../eval/accuracy.ts';
import { perPuzzleOf, type PerPuzzle } from '../eval/per-puzzle.ts';
import type { Vlm } from '../model/vlm.ts';
import { TfjsPolicy } from '../policy/tfjs-policy.ts';
import type { Sample } from '../records.ts';
import type { Task, Verdict } from '../tasks/task.ts';

export interface SftEvalOptions {
  readonly mode: EvalModes;
  readonly temperature: number;
  readonly topP: number;
  readonly maxTokens: number;
  readonly seed: number;
  readonly batchSize: number;
  /** Called after each batch in each mode with the records scored so far and the total (samples × modes). */
  readonly onProgress?: (records: number, total: number) => void;
  /** Asked before each batch: true abandons the evaluation (EvaluationStopped, src/eval/evaluate.ts). */
  readonly shouldStop?: () => boolean;
}

/** One evaluation's figures, kept in the run's history (checkpoint metadata and summary.json). */
export interface EvalPoint extends Accuracy<number> {
  readonly step: number;
  readonly n: number;
}

/** The caption-vs-p* view of one evaluated sample (the dashboard's LatestSample). */
export interface SampleView {
  readonly sampleId: string;
  readonly step: number;
  readonly caption: string;
  readonly pStar: string;
  readonly answer: string;
  readonly verdict: Verdict;
}

export interface SftEvaluation {
  readonly summary: EvalSummary;
  readonly records: readonly EvalRecord[]; // one per completion: what a paired comparison of two runs reads
  readonly point: EvalPoint;
  readonly perPuzzle: PerPuzzle; // for paired comparisons with another evaluation of the same samples
  readonly sample?: SampleView;
}

export async function evaluateAtStep(model: Vlm, task: Task, samples: readonly Sample[], step: number, options: SftEvalOptions): Promise<SftEvaluation> {
  const policy = new TfjsPolicy(model, { name: 'sft', maxBatch: options.batchSize });
  let first: EvalRecord | undefined;
  const total = samples.length * (options.mode === 'both' ? 2 : 1);
  const { summary, records } = await evaluatePolicy(policy, task, samples, {
    ...options,
    onRecord: (r) => {
      if (!first && r.mode === 'e2e') first = r;
    },
    onBatch: (records) => options.onProgress?.(records, total),
  });
  const point: EvalPoint = { step, ...accuracyValues(summary), n: summary.n };
  const sample = first && samples.find((s) => s.puzzle.id === first!.sampleId);
  return { summary, records, point, perPuzzle: perPuzzleOf(records), sample: first && sample ? sampleView(task, sample, first, step) : undefined };
}

export function sampleView(task: Task, sample: Sample, record: EvalRecord, step: number): SampleView {
  const parsed = parseResponse(record.text);
  const caption = parsed.ok ? parsed.perception : (parsed.perception ?? '');
  const answer = parsed.ok ? parsed.answer : '';
  const verdict: Verdict = parsed.ok
    ? task.verify(answer, sample.puzzle.pStar, sample.puzzle)
    : { correct: false, reason: `unparsable response (${parsed.failure})` };
  return { sampleId: sample.puzzle.id, step, caption, pStar: sample.puzzle.pStar, answer, verdict };
}
