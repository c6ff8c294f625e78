/**
 * The state of a run of the SFT machinery (flows/sft.ts) and the per-step pieces that read and update it:
 * fold a step into the progress, evaluate the live model, checkpoint. Apart from the flow so that another stage
 * trained with the same steps and objective — `asymflow pretrain` (flows/pretrain.ts) — is the same run with
 * another verb, other saved settings and other rows (an SftVariant), not a copy of the flow.
 *
 * An evaluation under way when a stop is requested (`q`, Ctrl-C) is abandoned at its next batch instead of
 * holding the stop for minutes on a CPU; the run checkpoints without it, and `--resume` evaluates that step
 * again (evaluateMissed), so the resumed run's history is the uninterrupted run's.
 */
import type { Subject } from 'rxjs';
import { evalMetrics } from '../src/eval/eval-metrics.ts';
import { EvaluationStopped } from '../src/eval/evaluate.ts';
import type { EvalSummary } from '../src/eval/eval-summary.ts';
import type { PerPuzzle } from '../src/eval/per-puzzle.ts';
import type { ResolvedBackend } from '../src/backend/index.ts';
import type { ModelConfig } from '../src/model/config.ts';
import type { LineSink } from '../src/output-lines.ts';
import { progressLines } from '../src/progress-lines.ts';
import { saveSftCheckpoint, type SftIdentity, type SftProgress } from '../src/sft/sft-checkpoint.ts';
import { totalSteps, type SftConfig } from '../src/sft/sft-config.ts';
import type { SftData } from '../src/sft/sft-data.ts';
import { evaluateAtStep, type SampleView, type SftEvaluation } from '../src/sft/sft-eval.ts';
import type { SftStart } from '../src/sft/sft-start.ts';
import { sftStepMetrics } from '../src/sft/step-metrics.ts';
import type { SftStepRecord } from '../src/sft/step-record.ts';
import type { Task, TaskOptions } from '../src/tasks/task.ts';
import type { RunContext } from './run-context.ts';
import { dueEvery } from './training-loop.ts';

/**
 * What makes a run of the SFT machinery one verb's: `sft` trains train_sft rows under its objective; `pretrain`
 * trains caption rows of another distribution and caption-given reasoning rows (src/pretrain/pretrain-data.ts).
 */
export interface SftVariant {
  readonly verb: string; // names the run directory's owner, the log lines and the errors
  readonly settings: Readonly<Record<string, unknown>>; // saved as the checkpoint's config: what --resume compares
  readonly defaults: object; // a setting saved before it existed compares as its default
  /** The stages' rows (perception: the pre-stage's, main: the main stage's) and the held-out samples. */
  readonly loadData: (model: ModelConfig, taskOptions: TaskOptions, log: (line: string) => void) => Promise<SftData>;
}

/** Everything a stage's steps read and update. */
export interface SftRun extends Omit<SftStart, 'progress'> {
  progress: SftProgress; // cursors, evaluations, trained tokens and time: what a checkpoint saves
  readonly config: SftConfig;
  readonly verb: string;
  readonly identity: SftIdentity;
  readonly ctx: RunContext;
  readonly task: Task;
  readonly backend: ResolvedBackend;
  data: SftData; // loaded once the run is offered to its watchers
  readonly samples$: Subject<SampleView>;
  readonly steps$: Subject<SftStepRecord>; // the main stream, recorded once per run (DIR/steps.msgpack, --record)
  readonly log: LineSink;
  readonly result: LineSink;
  lastEvaluation?: EvalSummary;
  lastPerPuzzle?: PerPuzzle;
  stopRequested: boolean;
}

export const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

/** Folds a step into the run's progress, emits its metrics (docs/architecture.md §5 diagnostics) and records it. */
export function recordStep(run: SftRun, r: SftStepRecord): void {
  const p = run.progress;
  run.progress = {
    ...p,
    cursors: { ...p.cursors, [r.stage]: r.cursor },
    trainTokens: p.trainTokens + r.tokens,
    trainSamples: p.trainSamples + r.samples,
    trainMs: p.trainMs + r.wallMs,
  };
  run.ctx.emitMany(r.step, sftStepMetrics(r));
  run.steps$.next(r);
}

/**
 * One evaluation of the live model on the held-out samples: metrics, the dashboard sample, a log line. A stop
 * request abandons it at the next batch (undefined): the run checkpoints without it, and --resume does it again.
 */
export async function evaluate(run: SftRun, step: number): Promise<SftEvaluation | undefined> {
  const { config, data } = run;
  // A CPU evaluation can take many minutes: a line at each tenth with an ETA, so the run never goes silent.
  const lines = progressLines(`${run.verb}: evaluating step ${step}`, data.evalSamples.length * (config.evalMode === 'both' ? 2 : 1), run.log);
  let e: SftEvaluation;
  try {
    e = await evaluateAtStep(run.model, run.task, data.evalSamples, step, {
      onProgress: (records) => lines(records),
      shouldStop: () => run.stopRequested,
      mode: config.evalMode,
      temperature: config.evalTemperature,
      topP: config.evalTopP,
      maxTokens: data.evalMaxTokens,
      seed: config.seed,
      batchSize: config.evalBatch,
    });
  } catch (error) {
    if (!(error instanceof EvaluationStopped)) throw error;
    run.log(`${run.verb}: evaluation at step ${step} abandoned after ${error.records} records (stop requested); --resume evaluates it again`);
    return undefined;
  }
  run.backend.throwIfGpuErrors(`${run.verb} evaluation at step ${step}`);
  run.lastEvaluation = e.summary;
  run.lastPerPuzzle = e.perPuzzle;
  run.progress = { ...run.progress, evaluations: [...run.progress.evaluations, e.point] };
  const s = e.summary;
  run.ctx.emitMany(step, evalMetrics(s));
  if (e.sample) run.samples$.next(e.sample);
  const figures = [
    s.a.count > 0 ? `a ${pct(s.a.value)} a_p ${pct(s.ap.value)} ã_r ${pct(s.arCond.value)}` : '',
    s.ar.count > 0 ? `a_r ${pct(s.ar.value)}` : '',
  ].filter(Boolean);
  run.log(`eval @ step ${step}: ${figures.join(' ')} (n=${s.n}, parse failures ${s.parseFailures.total})`);
  return e;
}

/** On resume, the periodic evaluation a stop abandoned at the checkpoint's step: the run's history as if uninterrupted. */
export async function evaluateMissed(run: SftRun): Promise<void> {
  const step = run.optimizer.step;
  if (dueEvery(step, run.config.evalEvery, totalSteps(run.config)) && !run.progress.evaluations.some((p) => p.step === step)) await evaluate(run, step);
}

export async function checkpoint(run: SftRun): Promise<void> {
  const { model, optimizer, dataRng, identity, progress } = run;
  await saveSftCheckpoint(run.ctx.file('checkpoints'), { model, optimizer, dataRng, identity, progress });
}
