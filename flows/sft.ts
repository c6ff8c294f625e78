/**
 * Flow: supervised fine-tuning with the paper's interventions (DESIGN §5–§6) — `asymflow sft`.
 *
 *   open run DIR ─ backend ─ model + AdamW: fresh from --seed, or DIR/checkpoints with --resume
 *   train_sft split (--data shards, or generated) ─ trainRows: prompt + target tokens (too long: dropped)
 *   test split, first M samples ─ held out for evaluation
 *
 *   per stage — perception pre-stage (K steps, targets <caption>p*</caption>, token-mean CE), then main:
 *     stepTicks ─ batchSamples(B, padded to buckets) ─ sftUpdate(objective) ─ emit step metrics
 *       ─ record DIR/steps.msgpack (+ --record FILE) ─ evaluate every E steps ─ checkpoint every C steps
 *       ─ next tick                                          (one step in flight: see operators/step-ticks.ts)
 *
 *   end: final evaluation (a, a_p, ã_r, a_r: the shared src/eval code; its records in DIR/records.jsonl)
 *     ─ checkpoint ─ summary.json ─ plots
 *
 * Stopping: `--stop-after K` ends after step K as if killed (periodic checkpoints only, no summary), and
 * `--resume` continues from DIR/checkpoints bit for bit (weights, AdamW moments, data cursor, RNG); a stop
 * request (`q` on the dashboard, SIGINT) ends after the current step with a checkpoint and a summary.
 */
import fs from 'node:fs';
import path from 'node:path';
import { concatMap, lastValueFrom, Subject, takeWhile, tap, type Observable, type Subscription } from 'rxjs';
import { batchSamples } from '../operators/batch-samples.ts';
import { record } from '../operators/record.ts';
import { sftUpdate } from '../operators/sft-update.ts';
import { stepTicks } from '../operators/step-ticks.ts';
import { overlapLine } from '../src/data/split-audit.ts';
import { auditedSamples } from '../src/data/training-samples.ts';
import type { EvalRecord } from '../src/eval/eval-record.ts';
import { writeFileAtomic } from '../src/io/atomic-write.ts';
import type { EvalSummary } from '../src/eval/eval-summary.ts';
import type { PerPuzzle } from '../src/eval/per-puzzle.ts';
import { MetricNames as N } from '../src/metric-names.ts';
import { AdamW } from '../src/model/adamw.ts';
import { resolveBackend, type ResolvedBackend } from '../src/backend/index.ts';
import { weightsSha256 } from '../src/model/checkpoint.ts';
import { modelConfig, type ModelConfig, type ModelSize } from '../src/model/config.ts';
import { createVlm, disposeVlm, type Vlm } from '../src/model/vlm.ts';
import { loadMetrics } from '../src/plot/load-metrics.ts';
import { writeCurvePlots } from '../src/plot/write-plots.ts';
import type { Metric, Sample } from '../src/records.ts';
import { Rng } from '../src/rng.ts';
import { objectiveName, type SftObjective } from '../src/sft/objective.ts';
import {
  hasCheckpoint, loadSftCheckpoint, NO_PROGRESS, saveSftCheckpoint, savedStep, sftIdentity, type SftIdentity, type SftProgress,
} from '../src/sft/sft-checkpoint.ts';
import { configChanges, SFT_DEFAULTS, totalSteps, type SftConfig } from '../src/sft/sft-config.ts';
import { progressLines } from '../src/progress-lines.ts';
import { evaluateAtStep, type SampleView, type SftEvaluation } from '../src/sft/sft-eval.ts';
import { sftSummary, type SftSummary } from '../src/sft/sft-summary.ts';
import type { SftStage, SftStepRecord } from '../src/sft/step-record.ts';
import { trainRows, type SftTarget, type TrainRow } from '../src/sft/train-rows.ts';
import { getTask } from '../src/tasks/registry.ts';
import type { Task, TaskOptions } from '../src/tasks/task.ts';
import { checkRecordPath, claimRunDir } from '../src/io/output-path.ts';
import { trimRecording } from '../src/recording/index.ts';
import { dropMetricsAfter, openRun, type RunContext } from './run-context.ts';

export interface SftRunOptions {
  readonly config: SftConfig;
  readonly taskOptions?: TaskOptions; // generation/rendering/trace knobs (inputSize comes from the model)
  readonly modelOptions?: Readonly<Record<string, unknown>>; // model overrides on the named size, e.g. { d: 32 }
  readonly log?: (line: string) => void; // default: stdout
  /** Attach a dashboard, log or custom subscriber; the flow awaits the returned promise after the run ends. */
  readonly watch?: (watch: SftWatch) => Promise<void> | void;
}

/** What a watcher sees: the run's shared metric stream, evaluated samples, and a way to stop the run. */
export interface SftWatch {
  readonly metrics$: Observable<Metric>; // hot, shared; completes when the run ends
  readonly samples$: Observable<SampleView>;
  readonly info: { readonly run: string; readonly task: string; readonly backend: string; readonly device: string; readonly totalSteps: number };
  /** Stop after the current step: checkpoint, summary, done. */
  requestStop(): void;
}

export interface SftRunResult {
  readonly dir: string;
  readonly step: number; // optimizer steps done
  readonly summary: SftSummary | null; // null after --stop-after (stopped as if killed)
}

/** Everything a stage's steps read and update. */
interface Run {
  readonly config: SftConfig;
  readonly identity: SftIdentity;
  readonly ctx: RunContext;
  readonly task: Task;
  readonly backend: ResolvedBackend;
  readonly model: Vlm;
  readonly optimizer: AdamW;
  readonly dataRng: Rng;
  evalSamples: readonly Sample[]; // set once the data is loaded
  evalMaxTokens: number;
  readonly samples$: Subject<SampleView>;
  readonly steps$: Subject<SftStepRecord>; // the main stream, recorded once per run (DIR/steps.msgpack, --record)
  readonly log: (line: string) => void;
  progress: SftProgress;
  lastEvaluation?: EvalSummary;
  lastPerPuzzle?: PerPuzzle;
  stopRequested: boolean;
}

interface StagePlan {
  readonly stage: SftStage;
  readonly first: number; // global step numbers
  readonly last: number;
  readonly rows: readonly TrainRow[];
  readonly objective: SftObjective;
}

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

export async function runSft(options: SftRunOptions): Promise<SftRunResult> {
  const started = Date.now();
  const { config } = options;
  const log = options.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  const task = await getTask(config.task);
  const identity = sftIdentity(config, task, options.taskOptions, options.modelOptions);
  const checkpoints = path.join(path.resolve(config.out), 'checkpoints');
  const claim = claimRunDir(config.out, { verb: 'sft', resume: config.resume, overwrite: config.overwrite });
  try {
    if (config.record && !config.resume) checkRecordPath(config.record, claim.dir, 'sft', config.overwrite);
    checkResumable(config, checkpoints);
    if (config.resume) await dropRecordsAfter(config, savedStep(checkpoints));
  } catch (error) {
    claim.release();
    throw error;
  }

  const ctx = openRun({ out: config.out, config: identity, append: config.resume, verb: 'sft', claim });
  const samples$ = new Subject<SampleView>();
  const steps$ = new Subject<SftStepRecord>();
  const recorded = recordSteps(steps$, ctx, config, identity);
  let watched: Promise<void> | void = undefined;
  let run: Run | undefined;
  try {
    const backend = await resolveBackend(config.backend || undefined, { log, precision: config.precision });
    ctx.setBackend(backend.name, backend.device);
    run = await startModel({ config, identity, ctx, task, backend, samples$, steps$, log, checkpoints });
    const r = run;
    watched = options.watch?.({
      metrics$: ctx.metrics$,
      samples$: samples$.asObservable(),
      info: { run: ctx.run, task: task.name, backend: backend.name, device: backend.device, totalSteps: totalSteps(config) },
      requestStop: () => {
        r.stopRequested = true;
      },
    });
    const data = await loadData(r, options.taskOptions ?? {});
    for (const plan of stagePlans(config, data)) {
      const end = await trainStage(r, plan);
      if (end === 'stopped') {
        log(`sft: stopped after step ${r.optimizer.step} (--stop-after); continue with --resume`);
        return { dir: ctx.dir, step: r.optimizer.step, summary: null };
      }
      if (end === 'quit') break;
    }
    const summary = await finish(r, data.dropped, started);
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

/** Resuming: drops what was recorded after the checkpoint's step (metrics, steps, --record), since it is redone. */
async function dropRecordsAfter(config: SftConfig, step: number): Promise<void> {
  await dropMetricsAfter(config.out, step);
  for (const file of [path.join(path.resolve(config.out), 'steps.msgpack'), config.record]) {
    if (file) await trimRecording<SftStepRecord>(file, (r) => r.step <= step);
  }
}

/** Records the step stream to DIR/steps.msgpack and --record FILE (continued, not truncated, on resume). */
function recordSteps(steps$: Subject<SftStepRecord>, ctx: RunContext, config: SftConfig, identity: SftIdentity): Subscription {
  const extra = config.record ? record<SftStepRecord>(config.record, { kind: 'sft-steps', config: identity }, { append: config.resume }) : (s: Observable<SftStepRecord>) => s;
  // --record FILE is continued by --resume like the run's own streams, so it is written in place
  return steps$.pipe(ctx.record<SftStepRecord>('steps', { append: config.resume }), extra).subscribe({
    error: (error: unknown) => process.stderr.write(`asymflow: error: recording the steps of ${ctx.run}: ${(error as Error).message}\n`),
  });
}

/** Refuses to overwrite a checkpointed run without --resume, and --resume without a checkpoint. */
function checkResumable(config: SftConfig, checkpoints: string): void {
  const exists = hasCheckpoint(checkpoints);
  if (config.resume && !exists) throw new Error(`sft --resume: no checkpoint in ${checkpoints} (checkpoint.json missing); run without --resume to start`);
  if (!config.resume && exists) {
    throw new Error(`sft: ${checkpoints} already holds a checkpoint; pass --resume to continue that run, or choose another --out`);
  }
}

/** A fresh model and optimizer from the seed, or the checkpoint's (refusing changed settings). */
async function startModel(
  base: Pick<Run, 'config' | 'identity' | 'ctx' | 'task' | 'backend' | 'samples$' | 'steps$' | 'log'> & { checkpoints: string },
): Promise<Run> {
  const { config, identity, log } = base;
  const common = { ...base, evalSamples: [], evalMaxTokens: 0, stopRequested: false };
  if (config.resume) {
    const saved = await loadSftCheckpoint(base.checkpoints);
    const changed = [
      ...configChanges(saved.identity.config, identity.config, SFT_DEFAULTS),
      ...configChanges(saved.identity.taskOptions, identity.taskOptions).map((c) => `task option ${c}`),
      ...configChanges(saved.identity.modelOptions, identity.modelOptions).map((c) => `model option ${c}`),
    ];
    if (changed.length > 0) {
      saved.optimizer.dispose();
      disposeVlm(saved.model);
      throw new Error(`sft --resume: settings differ from the checkpoint's: ${changed.join(', ')}`);
    }
    log(`sft: resuming ${base.ctx.dir} at step ${saved.optimizer.step} of ${totalSteps(config)}`);
    return { ...common, model: saved.model, optimizer: saved.optimizer, dataRng: saved.dataRng, progress: saved.progress };
  }
  const mc = modelConfig(config.model as ModelSize, identity.modelOptions);
  const model = createVlm(mc, config.seed);
  const optimizer = new AdamW(model.params, {
    lr: config.lr,
    warmupSteps: config.warmupSteps,
    totalSteps: totalSteps(config),
    minLrRatio: config.minLrRatio,
    weightDecay: config.weightDecay,
    clipNorm: config.clipNorm,
  });
  return { ...common, model, optimizer, dataRng: new Rng(config.seed).split('sft-data'), progress: NO_PROGRESS };
}

interface RunData {
  readonly main: readonly TrainRow[];
  readonly perception: readonly TrainRow[];
  readonly dropped: number;
}

/** Training rows for both stages and the held-out evaluation samples (set on `run`). */
async function loadData(run: Run, taskOptions: TaskOptions): Promise<RunData> {
  const { config, task, log } = run;
  const mc: ModelConfig = run.model.config;
  const options = { ...taskOptions, inputSize: mc.inputSize }; // render at the model's input size
  const common = { task, seed: config.seed, options, data: config.data, inputSize: mc.inputSize, log: (line: string) => log(`sft: ${line}`) };
  const audited = await auditedSamples({ ...common, split: 'train_sft', n: config.trainN }, { ...common, split: config.evalSplit, n: config.evalN });
  const train = audited.train;
  const main = trainRows(task, train, mc, options, 'full', { share: config.imageDropout, seed: config.seed });
  if (main.withoutImage > 0) log(`sft: ${main.withoutImage} of ${main.rows.length} training samples without the image, caption given (--image-dropout ${config.imageDropout})`);
  if (main.dropped > 0) log(`sft: dropped ${main.dropped} of ${train.length} training samples longer than model.maxText ${mc.maxText}`);
  if (main.rows.length === 0) throw new Error(`sft: no training sample fits model.maxText ${mc.maxText}; use a smaller trace (e.g. --task-option verbosity=1) or a larger model`);
  const perception = config.prePerceptionSteps > 0 ? trainRows(task, train, mc, options, 'perception').rows : [];
  const evalSamples = audited.evaluation;
  run.evalSamples = evalSamples;
  // Auto: a little past the longest target — a model that has learned the format stops well before.
  run.evalMaxTokens = config.evalMaxTokens || Math.min(main.longestTarget + 8, mc.maxText);
  log(`sft: ${main.rows.length} training samples, ${evalSamples.length} held-out ${config.evalSplit} samples, ${task.name}, model ${config.model}`);
  log(`sft: ${overlapLine(audited.overlap, audited.skipped)}`);
  return { main: main.rows, perception, dropped: main.dropped };
}

/** The stages still to run: the perception pre-stage (if any), then the main stage. */
function stagePlans(config: SftConfig, data: RunData): StagePlan[] {
  const k = config.prePerceptionSteps;
  const plans: StagePlan[] = [];
  if (k > 0) plans.push({ stage: 'perception', first: 1, last: k, rows: data.perception, objective: { kind: 'standard' } });
  plans.push({ stage: 'main', first: k + 1, last: k + config.steps, rows: data.main, objective: config.objective });
  return plans;
}

/** Runs one stage's remaining steps; says why it ended. */
async function trainStage(run: Run, plan: StagePlan): Promise<'done' | 'stopped' | 'quit'> {
  const { config, ctx } = run;
  const first = Math.max(plan.first, run.optimizer.step + 1);
  if (first > plan.last) return 'done';
  if (plan.stage === 'perception') run.log(`sft: perception pre-stage, steps ${first}..${plan.last}`);
  const ticks = stepTicks(first, plan.last);
  const steps$ = ticks.ticks$.pipe(
    takeWhile((step) => !run.stopRequested && (config.stopAfter === 0 || step <= config.stopAfter)),
    batchSamples({
      rows: plan.rows,
      model: run.model.config,
      rng: run.dataRng.split(plan.stage),
      cursor: run.progress.cursors[plan.stage],
      batch: config.batch,
      bucket: config.bucket,
    }),
    sftUpdate({ model: run.model, optimizer: run.optimizer, objective: plan.objective, stage: plan.stage, check: (w) => run.backend.throwIfGpuErrors(w) }),
    tap((r) => advance(run, r)),
    tap((r) => run.steps$.next(r)),
    concatMap((r) => evaluateIfDue(run, r)),
    concatMap((r) => checkpointIfDue(run, r)),
    tap(() => ticks.next()),
  );
  await lastValueFrom(steps$, { defaultValue: undefined });
  if (run.optimizer.step >= plan.last) return 'done';
  return run.stopRequested ? 'quit' : 'stopped';
}

/** Folds a step into the run's progress and emits its metrics (DESIGN §5 diagnostics). */
function advance(run: Run, r: SftStepRecord): void {
  const p = run.progress;
  run.progress = {
    ...p,
    cursors: { ...p.cursors, [r.stage]: r.cursor },
    trainTokens: p.trainTokens + r.tokens,
    trainSamples: p.trainSamples + r.samples,
    trainMs: p.trainMs + r.wallMs,
  };
  run.ctx.emitMany(r.step, {
    [N.loss]: r.loss,
    [N.lossP]: r.lossP,
    [N.lossR]: r.lossR,
    [N.lambda]: r.lambda,
    [N.gradNormP]: r.gradNormP,
    [N.gradNormR]: r.gradNormR,
    [N.gradShareP]: r.gradShareP,
    [N.gradNorm]: r.gradNorm,
    [N.perceptionTokenFraction]: r.tokenFraction,
    [N.perceptionLossShare]: r.lossShareP,
    [N.lr]: r.lr,
    [N.tokensPerSec]: r.tokensPerSec,
    [N.samplesPerSec]: r.samplesPerSec,
  });
  if (Number.isFinite(r.rawGradNormP)) run.ctx.emitMany(r.step, { [N.gradNormRawP]: r.rawGradNormP, [N.gradNormRawR]: r.rawGradNormR });
}

const due = (step: number, every: number, total: number) => every > 0 && step % every === 0 && step < total;

async function evaluateIfDue(run: Run, r: SftStepRecord): Promise<SftStepRecord> {
  if (due(r.step, run.config.evalEvery, totalSteps(run.config))) await evaluate(run, r.step);
  return r;
}

async function checkpointIfDue(run: Run, r: SftStepRecord): Promise<SftStepRecord> {
  if (due(r.step, run.config.checkpointEvery, totalSteps(run.config))) await checkpoint(run);
  return r;
}

/** One evaluation of the live model on the held-out samples: metrics, the dashboard sample, a log line. */
async function evaluate(run: Run, step: number): Promise<SftEvaluation> {
  const { config } = run;
  // A CPU evaluation can take many minutes: a line at each tenth with an ETA, so the run never goes silent.
  const lines = progressLines(`sft: evaluating step ${step}`, run.evalSamples.length * (config.evalMode === 'both' ? 2 : 1), run.log);
  const e = await evaluateAtStep(run.model, run.task, run.evalSamples, step, {
    onProgress: (records) => lines(records),
    mode: config.evalMode,
    temperature: config.evalTemperature,
    topP: config.evalTopP,
    maxTokens: run.evalMaxTokens,
    seed: config.seed,
    batchSize: config.evalBatch,
  });
  run.backend.throwIfGpuErrors(`sft evaluation at step ${step}`);
  run.lastEvaluation = e.summary;
  run.lastPerPuzzle = e.perPuzzle;
  run.progress = { ...run.progress, evaluations: [...run.progress.evaluations, e.point] };
  const s = e.summary;
  if (s.a.count > 0) run.ctx.emitMany(step, { [N.a]: s.a.value, [N.ap]: s.ap.value, [N.arCond]: s.arCond.value });
  if (s.ar.count > 0) run.ctx.emit(step, N.ar, s.ar.value);
  run.ctx.emit(step, N.parseFailures, s.parseFailures.total);
  if (e.sample) run.samples$.next(e.sample);
  const figures = [
    s.a.count > 0 ? `a ${pct(s.a.value)} a_p ${pct(s.ap.value)} ã_r ${pct(s.arCond.value)}` : '',
    s.ar.count > 0 ? `a_r ${pct(s.ar.value)}` : '',
  ].filter(Boolean);
  run.log(`eval @ step ${step}: ${figures.join(' ')} (n=${s.n}, parse failures ${s.parseFailures.total})`);
  return e;
}

/** The final evaluation's scored completions, one JSON object a line (as `asymflow eval` writes them). */
function writeRecords(run: Run, records: readonly EvalRecord[]): void {
  writeFileAtomic(run.ctx.file('records.jsonl'), records.map((r) => `${JSON.stringify(r)}\n`).join(''));
}

async function checkpoint(run: Run): Promise<void> {
  await saveSftCheckpoint(run.ctx.file('checkpoints'), {
    model: run.model,
    optimizer: run.optimizer,
    dataRng: run.dataRng,
    identity: run.identity,
    progress: run.progress,
  });
}

/** Final evaluation (unless the user stopped the run), checkpoint, summary.json and plots. */
async function finish(run: Run, dropped: number, started: number): Promise<SftSummary> {
  const step = run.optimizer.step;
  const stopped = run.stopRequested && step < totalSteps(run.config) ? ('quit' as const) : undefined;
  if (!stopped) writeRecords(run, (await evaluate(run, step)).records);
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
    droppedSamples: dropped,
    weightsSha256: await weightsSha256(run.model),
    backend: { name: run.backend.name, device: run.backend.device },
  });
  run.ctx.writeSummary(summary as unknown as Record<string, unknown>);
  run.log(
    `sft ${objectiveName(run.config.objective)}: a ${pct(summary.a.value)} a_p ${pct(summary.ap.value)} a_r ${pct(summary.ar.value)} ` +
      `ã_r ${pct(summary.arCond.value)} after ${step} steps, ${summary.tokensPerSec.toFixed(0)} tokens/s`,
  );
  if (run.config.plots) await writePlots(run);
  return summary;
}

/** Curve plots from the recorded metric stream (closed first, so every metric is on disk). */
async function writePlots(run: Run): Promise<void> {
  run.ctx.close();
  const file = run.ctx.file('metrics.msgpack');
  if (!fs.existsSync(file)) return;
  const written = await writeCurvePlots(await loadMetrics(file), run.ctx.file('plots'));
  run.log(`sft: plots ${written.map((f) => path.basename(f)).join(', ')} in ${run.ctx.file('plots')}`);
}
