/**
 * Flow: supervised fine-tuning with the paper's interventions (docs/architecture.md §5–§6) — `asymflow sft`.
 *
 *   claim DIR (flows/resume-policy.ts) ─ backend ─ model + AdamW: fresh from --seed, or DIR/checkpoints
 *     with --resume (src/sft/sft-start.ts) ─ offer the run to its watchers (flows/watch.ts)
 *   data: train_sft rows of both stages, the first M held-out samples for evaluation (src/sft/sft-data.ts)
 *
 *   per stage — perception pre-stage (K steps, targets <caption>p*</caption>, token-mean CE), then main —
 *   the training loop (flows/training-loop.ts):
 *     tick ─ batchSamples(B, padded to buckets) ─ sftUpdate(objective)
 *       ─ record: progress, step metrics, DIR/steps.msgpack (+ --record FILE)
 *       ─ evaluate every E steps ─ checkpoint every C steps
 *
 *   end: final evaluation (a, a_p, ã_r, a_r: the shared src/eval code; its records in DIR/records.jsonl)
 *     ─ checkpoint ─ summary.json ─ plots
 *
 * Stopping: `--stop-after K` ends after step K as if killed (periodic checkpoints only, no summary), and
 * `--resume` continues from DIR/checkpoints bit for bit (weights, AdamW moments, data cursor, RNG); a stop
 * request (`q` on the dashboard, SIGINT) ends after the current step with a checkpoint and a summary; an
 * evaluation under way is abandoned at its next batch, and --resume does it again (flows/sft-run.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import { pipe, Subject, type Observable, type Subscription } from 'rxjs';
import { batchSamples } from '../operators/batch-samples.ts';
import { record } from '../operators/record.ts';
import { sftUpdate } from '../operators/sft-update.ts';
import { writeFileAtomic } from '../src/io/atomic-write.ts';
import { resolveBackend } from '../src/backend/index.ts';
import { weightsSha256 } from '../src/model/checkpoint.ts';
import { disposeVlm } from '../src/model/vlm.ts';
import { loadMetrics } from '../src/plot/load-metrics.ts';
import { writeCurvePlots } from '../src/plot/write-plots.ts';
import { objectiveName, type SftObjective } from '../src/sft/objective.ts';
import { savedStep, sftIdentity, type SftIdentity } from '../src/sft/sft-checkpoint.ts';
import { SFT_DEFAULTS, totalSteps, type SftConfig } from '../src/sft/sft-config.ts';
import { loadSftData, type SftData } from '../src/sft/sft-data.ts';
import type { SampleView } from '../src/sft/sft-eval.ts';
import { startSft } from '../src/sft/sft-start.ts';
import { sftSummary, type SftSummary } from '../src/sft/sft-summary.ts';
import type { SftStage, SftStepRecord } from '../src/sft/step-record.ts';
import type { TrainRow } from '../src/sft/train-rows.ts';
import { outputLines, type LineSink } from '../src/output-lines.ts';
import { getTask } from '../src/tasks/registry.ts';
import type { Task, TaskOptions } from '../src/tasks/task.ts';
import { claimTrainingRun } from './resume-policy.ts';
import { openRun, type RunContext } from './run-context.ts';
import { checkpoint, evaluate, evaluateMissed, pct, recordStep, type SftRun, type SftVariant } from './sft-run.ts';
import { dueEvery, runTrainingLoop } from './training-loop.ts';
import type { RunWatch } from './watch.ts';

export type { SftVariant } from './sft-run.ts';

export interface SftRunOptions {
  readonly config: SftConfig;
  readonly taskOptions?: TaskOptions; // generation/rendering/trace knobs (inputSize comes from the model)
  readonly modelOptions?: Readonly<Record<string, unknown>>; // model overrides on the named size, e.g. { d: 32 }
  readonly log?: LineSink; // progress; default: stderr (src/output-lines.ts)
  readonly result?: LineSink; // the final figures line; default: the log given, else stdout
  /** Attach a dashboard, log or custom subscriber; the flow awaits the returned promise after the run ends. */
  readonly watch?: (watch: RunWatch) => Promise<void> | void;
  /** Another stage on the same machinery (`asymflow pretrain`); default: sft's own (sftVariant). */
  readonly variant?: SftVariant;
}

export interface SftRunResult {
  readonly dir: string;
  readonly step: number; // optimizer steps done
  readonly summary: SftSummary | null; // null after --stop-after (stopped as if killed)
}

interface StagePlan {
  readonly stage: SftStage;
  readonly first: number; // global step numbers
  readonly last: number;
  readonly rows: readonly TrainRow[];
  readonly objective: SftObjective;
}

const NO_DATA: SftData = { main: [], perception: [], dropped: 0, evalSamples: [], evalMaxTokens: 0 };

/** `asymflow sft` itself: the config saved as it is, train_sft rows (src/sft/sft-data.ts). */
export function sftVariant(config: SftConfig, task: Task): SftVariant {
  return { verb: 'sft', settings: config, defaults: SFT_DEFAULTS, loadData: (mc, taskOptions, log) => loadSftData(config, task, mc, taskOptions, log) };
}

export async function runSft(options: SftRunOptions): Promise<SftRunResult> {
  const started = Date.now();
  const { config } = options;
  const { log, result } = outputLines(options);
  const task = await getTask(config.task);
  const variant = options.variant ?? sftVariant(config, task);
  const verb = variant.verb;
  const identity: SftIdentity = { ...sftIdentity(config, task, options.taskOptions, options.modelOptions), config: { ...variant.settings } };
  const dir = path.resolve(config.out);
  const checkpoints = path.join(dir, 'checkpoints');
  const { out, resume, overwrite, record } = config;
  const { claim } = await claimTrainingRun({
    verb,
    out,
    resume,
    overwrite,
    record,
    checkpoints,
    savedStep,
    recordings: [path.join(dir, 'steps.msgpack')],
  });
  const ctx = openRun({ out: config.out, config: identity, append: config.resume, verb, claim });
  const samples$ = new Subject<SampleView>();
  const steps$ = new Subject<SftStepRecord>();
  const recorded = recordSteps(steps$, ctx, config, identity);
  let watched: Promise<void> | void = undefined;
  let run: SftRun | undefined;
  try {
    const backend = await resolveBackend(config.backend || undefined, { log, precision: config.precision });
    ctx.setBackend(backend.name, backend.device);
    const start = await startSft(config, identity, checkpoints, { verb, defaults: variant.defaults });
    if (config.resume) log(`${verb}: resuming ${ctx.dir} at step ${start.optimizer.step} of ${totalSteps(config)}`);
    const r: SftRun = (run = { ...start, config, verb, identity, ctx, task, backend, data: NO_DATA, samples$, steps$, log, result, stopRequested: false });
    watched = options.watch?.({
      metrics$: ctx.metrics$,
      samples$: samples$.asObservable(),
      info: { run: ctx.run, task: task.name, backend: backend.name, device: backend.device, totalSteps: totalSteps(config) },
      requestStop: () => void (r.stopRequested = true),
    });
    r.data = await variant.loadData(r.model.config, options.taskOptions ?? {}, log);
    if (config.resume) await evaluateMissed(r);
    for (const plan of stagePlans(config, r.data)) {
      const end = await trainStage(r, plan);
      if (end === 'stopped') {
        log(`${verb}: stopped after step ${r.optimizer.step} (--stop-after); continue with --resume`);
        return { dir: ctx.dir, step: r.optimizer.step, summary: null };
      }
      if (end === 'quit') break;
    }
    const summary = await finish(r, started);
    return { dir: ctx.dir, step: r.optimizer.step, summary };
  } finally {
    samples$.complete();
    steps$.complete();
    recorded.unsubscribe();
    ctx.close();
    if (run) {
      run.optimizer.dispose();
      disposeVlm(run.model);
    }
    await watched;
  }
}

/** Records the step stream to DIR/steps.msgpack and --record FILE (continued, not truncated, on resume). */
function recordSteps(steps$: Subject<SftStepRecord>, ctx: RunContext, config: SftConfig, identity: SftIdentity): Subscription {
  const extra = config.record
    ? record<SftStepRecord>(config.record, { kind: 'sft-steps', config: identity }, { append: config.resume })
    : (s: Observable<SftStepRecord>) => s;
  // --record FILE is continued by --resume like the run's own streams, so it is written in place
  return steps$.pipe(ctx.record<SftStepRecord>('steps', { append: config.resume }), extra).subscribe({
    error: (error: unknown) => process.stderr.write(`asymflow: error: recording the steps of ${ctx.run}: ${(error as Error).message}\n`),
  });
}

/** The stages still to run: the perception pre-stage (if any), then the main stage. */
function stagePlans(config: SftConfig, data: SftData): StagePlan[] {
  const k = config.prePerceptionSteps;
  const plans: StagePlan[] = [];
  if (k > 0) plans.push({ stage: 'perception', first: 1, last: k, rows: data.perception, objective: { kind: 'standard' } });
  plans.push({ stage: 'main', first: k + 1, last: k + config.steps, rows: data.main, objective: config.objective });
  return plans;
}

/** Runs one stage's remaining steps through the training loop; says why it ended. */
async function trainStage(run: SftRun, plan: StagePlan): Promise<'done' | 'stopped' | 'quit'> {
  const { config } = run;
  const first = Math.max(plan.first, run.optimizer.step + 1);
  if (first > plan.last) return 'done';
  if (plan.stage === 'perception') run.log(`${run.verb}: perception pre-stage, steps ${first}..${plan.last}`);
  const total = totalSteps(config);
  await runTrainingLoop<SftStepRecord>({
    first,
    last: plan.last,
    keepGoing: (step) => !run.stopRequested && (config.stopAfter === 0 || step <= config.stopAfter),
    step: pipe(
      batchSamples({
        rows: plan.rows,
        model: run.model.config,
        rng: run.dataRng.split(plan.stage),
        cursor: run.progress.cursors[plan.stage],
        batch: config.batch,
        bucket: config.bucket,
      }),
      sftUpdate({ model: run.model, optimizer: run.optimizer, objective: plan.objective, stage: plan.stage, check: (w) => run.backend.throwIfGpuErrors(w) }),
    ),
    record: (r) => recordStep(run, r),
    evaluateIfDue: async (r) => {
      if (dueEvery(r.step, config.evalEvery, total)) await evaluate(run, r.step);
    },
    checkpointIfDue: async (r) => {
      if (dueEvery(r.step, config.checkpointEvery, total)) await checkpoint(run);
    },
  });
  if (run.optimizer.step >= plan.last) return 'done';
  return run.stopRequested ? 'quit' : 'stopped';
}

/** Final evaluation (unless the user stopped the run), checkpoint, summary.json and plots. */
async function finish(run: SftRun, started: number): Promise<SftSummary> {
  const step = run.optimizer.step;
  let stopped = run.stopRequested && step < totalSteps(run.config) ? ('quit' as const) : undefined;
  if (!stopped) {
    // the final evaluation's scored completions, one JSON object a line (as `asymflow eval` writes them)
    const e = await evaluate(run, step);
    if (e) writeFileAtomic(run.ctx.file('records.jsonl'), e.records.map((r) => `${JSON.stringify(r)}\n`).join(''));
    else stopped = 'quit'; // stopped during it: --resume evaluates the checkpoint
  }
  if (step > 0) await checkpoint(run);
  const summary = sftSummary({
    run: run.ctx.run,
    config: run.config,
    steps: step,
    totalSteps: totalSteps(run.config),
    stopped,
    evaluation: run.lastEvaluation,
    perPuzzle: run.lastPerPuzzle,
    progress: run.progress,
    wallTimeMs: Date.now() - started,
    droppedSamples: run.data.dropped,
    weightsSha256: await weightsSha256(run.model),
    backend: { name: run.backend.name, device: run.backend.device },
  });
  run.ctx.writeSummary(summary);
  run.result(
    `${run.verb} ${objectiveName(run.config.objective)}: a ${pct(summary.a.value)} a_p ${pct(summary.ap.value)} a_r ${pct(summary.ar.value)} ` +
      `ã_r ${pct(summary.arCond.value)} after ${step} steps, ${summary.tokensPerSec.toFixed(0)} tokens/s`,
  );
  if (run.config.plots) await writePlots(run);
  return summary;
}

/** Curve plots from the recorded metric stream (closed first, so every metric is on disk). */
async function writePlots(run: SftRun): Promise<void> {
  run.ctx.close();
  const file = run.ctx.file('metrics.msgpack');
  if (!fs.existsSync(file)) return;
  const written = await writeCurvePlots(await loadMetrics(file), run.ctx.file('plots'));
  run.log(`${run.verb}: plots ${written.map((f) => path.basename(f)).join(', ')} in ${run.ctx.file('plots')}`);
}
