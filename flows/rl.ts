/**
 * Flow: GRPO with reward augmentation, RL token reweighting and surrogate perception rewards (docs/architecture.md §5) —
 * `asymflow rl`. Read top to bottom, like GRPO-Zero's grpo.py and nanochat's chat_rl.py:
 *
 *   claim DIR (flows/resume-policy.ts) ─ reference from --init; policy, AdamW, RNGs fresh or from
 *     DIR/checkpoints/latest (src/rl/rl-start.ts) ─ offer the run to its watchers (flows/watch.ts)
 *   before: evaluation on a held-out subset (--eval-split: val, or test) (a, a_p, ã_r, a_r)
 *   the training loop (flows/training-loop.ts), one GRPO step a tick:
 *     prompts (train_rl, P per step, generated on the fly)
 *     ─ rollout          G samples per prompt, KV cache, sampling log-probs; reference log-probs (frozen init)
 *     ─ scoreRollouts    verification in a Piscina pool → a, a_p, ã_r; surrogate (self:N | teacher | embed);
 *                        R = α·perception + (1−α)·a
 *     ─ groupAdvantages  A = (R − mean)/(std + ε) per prompt
 *     ─ grpoUpdate       PPO epochs × mini-batches: ratio clamp, clip low/high, dual clip, k3 KL,
 *                        token-mean | seq-mean-token-mean, GSPO; optional token reweighting (λ)
 *     ─ record           DIR/rollouts.msgpack (+ --record FILE; every reward, tokens, log-probs, spans), metrics
 *     ─ checkpoint       every C steps, at the last step of this invocation, and on a stop request
 *     (the next step samples from the updated policy: strictly on-policy)
 *   after: the same evaluation → DIR/summary.json
 *
 * Resume: DIR/checkpoints/latest holds weights, AdamW state, both RNG streams, the step and the running
 * reward totals (src/rl/rl-checkpoint.ts); --resume reloads it, drops recorded rollouts of steps after it,
 * and continues the same sequence of prompts and samples (the same weights as an uninterrupted run, on one backend).
 */
import path from 'node:path';
import { concatMap, defer, identity, pipe, Subject, type MonoTypeOperatorFunction, type Subscription } from 'rxjs';
import { groupAdvantages } from '../operators/group-advantages.ts';
import { grpoUpdate } from '../operators/grpo-update.ts';
import { record } from '../operators/record.ts';
import { rollout } from '../operators/rollout.ts';
import { scoreRollouts } from '../operators/score-rollouts.ts';
import { handwritingOf, runAudit } from '../src/data/split-audit.ts';
import { collect } from '../src/data/training-samples.ts';
import { generatedSamples } from '../src/data/generated-samples.ts';
import { MetricNames } from '../src/metric-names.ts';
import { disposeVlm } from '../src/model/vlm.ts';
import { progressLines } from '../src/progress-lines.ts';
import { RewardTotals } from '../src/rl/reward-totals.ts';
import { figuresLine, type RlSummary } from '../src/rl/rl-summary.ts';
import { updateConfig } from '../src/rl/update-config.ts';
import { rewardSpecText, type RewardSpec } from '../src/rl/reward-spec.ts';
import { makeSurrogateReward } from '../src/rl/rewards/make-reward.ts';
import type { SurrogateReward } from '../src/rl/rewards/surrogate.ts';
import { rlCheckpointDir, rlSavedStep, saveRlCheckpoint } from '../src/rl/rl-checkpoint.ts';
import type { RlConfig } from '../src/rl/rl-config.ts';
import { evaluateHeldOut, type EvalFigures } from '../src/rl/rl-eval.ts';
import { EvaluationStopped } from '../src/eval/evaluate.ts';
import type { RlScored } from '../src/rl/rl-records.ts';
import { startRl, type RlStart } from '../src/rl/rl-start.ts';
import type { StepUpdated } from '../src/rl/rl-step.ts';
import { createScorePool, type ScorePool } from '../src/rl/score-pool.ts';
import { stepMetrics } from '../src/rl/step-metrics.ts';
import { outputLines, type LineSink } from '../src/output-lines.ts';
import { getTask } from '../src/tasks/registry.ts';
import type { Task, TaskOptions } from '../src/tasks/task.ts';
import { claimTrainingRun } from './resume-policy.ts';
import { openRun, type RunContext } from './run-context.ts';
import { runTrainingLoop } from './training-loop.ts';
import type { RunWatch } from './watch.ts';

export type { RlSummary } from '../src/rl/rl-summary.ts';

export interface RlRunOptions {
  readonly config: RlConfig;
  readonly taskOptions?: TaskOptions;
  /** A perception reward written in code; used in R in place of the one `config.reward` names (not with outcome). */
  readonly surrogate?: SurrogateReward;
  /** More rewards to score and record beside R (diagnostics; not trained on). */
  readonly extraRewards?: readonly SurrogateReward[];
  /** `throwIfGpuErrors`: a GPU error (e.g. out of memory) makes a step's numbers garbage; the run stops before saving them. */
  readonly backend?: { readonly name: string; readonly device?: string; throwIfGpuErrors?(where: string): void };
  readonly log?: LineSink; // progress; default: stderr (src/output-lines.ts)
  readonly result?: LineSink; // the before/after figures; default: the log given, else stdout
  /** Attach a dashboard, log or custom subscriber once the run directory is open; awaited after the run ends. */
  readonly watch?: (watch: RunWatch) => Promise<void> | void;
}

/** Everything the steps read and update. */
interface Run extends RlStart {
  readonly config: RlConfig;
  readonly options: RlRunOptions;
  readonly ctx: RunContext;
  readonly task: Task;
  readonly taskOptions: TaskOptions;
  readonly rollouts$: Subject<RlScored>; // the main stream, recorded once (DIR/rollouts.msgpack, --record)
  readonly totals: RewardTotals;
  readonly log: LineSink;
  readonly result: LineSink;
  before: EvalFigures | null;
  done: number; // GRPO steps done
  stopRequested: boolean;
}

export async function runRl(o: RlRunOptions): Promise<RlSummary> {
  const c = o.config;
  const spec = c.reward;
  if (o.surrogate && spec.kind === 'outcome') throw new Error('rl: a custom perception reward needs a reward other than outcome (R = α·custom + (1−α)·a)');
  const { log, result } = outputLines(o);
  const latest = rlCheckpointDir(c.out);
  const rolloutsFile = path.resolve(c.out, 'rollouts.msgpack');
  const claimed = await claimTrainingRun({
    verb: 'rl',
    out: c.out,
    resume: c.resume,
    overwrite: c.overwrite,
    record: c.record,
    checkpoints: latest,
    savedStep: rlSavedStep,
    recordings: [rolloutsFile],
  });
  let task: Task;
  let start: RlStart;
  try {
    task = await getTask(c.task);
    start = await startRl(c, latest, claimed.resumed);
  } catch (error) {
    claimed.claim.release(); // the run context takes it over below
    throw error;
  }
  const taskOptions: TaskOptions = { ...o.taskOptions, inputSize: start.policy.config.inputSize };
  const ctx = openRun({ out: c.out, config: { rl: c, taskOptions }, append: claimed.resumed, verb: 'rl', claim: claimed.claim });
  if (o.backend) ctx.setBackend(o.backend.name, o.backend.device);
  if (claimed.resumed)
    log(`rl: resuming after step ${start.step} from ${latest}${claimed.dropped ? ` (dropped ${claimed.dropped} rollouts of the interrupted step)` : ''}`);
  const rollouts$ = new Subject<RlScored>();
  const recorder = recordRollouts(rollouts$, ctx, c, log);
  const pool = createScorePool(c.scoreThreads);
  const run: Run = {
    ...start,
    config: c,
    options: o,
    ctx,
    task,
    taskOptions,
    rollouts$,
    log,
    result,
    totals: new RewardTotals(start.progress?.totals),
    before: start.progress?.before ?? null,
    done: start.step,
    stopRequested: false,
  };
  let surrogate: SurrogateReward | undefined;
  let watched: Promise<void> | void = undefined;
  try {
    surrogate =
      o.surrogate ??
      (await makeSurrogateReward(spec, {
        task,
        policy: run.policy,
        embedDir: c.embed || undefined,
        maxTokens: c.selfMaxTokens,
        temperature: c.temperature,
        seed: c.seed,
        taskOptions,
        batch: c.rolloutBatch,
      }));
    watched = o.watch?.({
      metrics$: ctx.metrics$,
      info: { run: ctx.run, task: c.task, backend: o.backend?.name ?? 'default', device: o.backend?.device, totalSteps: c.steps },
      requestStop: () => void (run.stopRequested = true),
    });
    const audit = runAudit(task, c.seed, taskOptions, { split: 'train_rl', n: c.steps * c.prompts }, { split: c.evalSplit, n: c.evalN });
    log(`rl: prompts train_rl${handwritingOf(task, 'train_rl')}, evaluation ${c.evalSplit}${handwritingOf(task, c.evalSplit)}; ${audit.line}`);
    if (!claimed.resumed) run.before = c.evalN > 0 ? await evaluate(run, 'before', 0) : null;
    else if (run.before) result(figuresLine('before', run.before));
    await train(run, pool, surrogate, spec);
    const after = run.done >= c.steps && c.evalN > 0 ? await evaluate(run, 'after', run.done) : null;
    return summarize(run, after, surrogate, audit.line);
  } finally {
    recorder.unsubscribe();
    rollouts$.complete();
    ctx.close();
    await pool.close();
    await surrogate?.close?.();
    run.optimizer.dispose();
    disposeVlm(run.policy);
    disposeVlm(run.reference);
    await watched;
  }
}

/** Records the rollout stream to DIR/rollouts.msgpack and --record FILE (continued, not truncated, on resume). */
function recordRollouts(rollouts$: Subject<RlScored>, ctx: RunContext, c: RlConfig, log: (line: string) => void): Subscription {
  const extra: MonoTypeOperatorFunction<RlScored> = c.record ? record<RlScored>(c.record, { kind: 'rollouts', config: c }, { append: c.resume }) : identity;
  return rollouts$.pipe(ctx.record<RlScored>('rollouts', { append: c.resume }), extra).subscribe({
    error: (e: unknown) => log(`rl: error: recording rollouts: ${(e as Error).message}`),
  });
}

/** The GRPO steps of this invocation through the training loop: up to --steps, or --stop-after more. */
async function train(run: Run, pool: ScorePool, surrogate: SurrogateReward | undefined, spec: RewardSpec): Promise<void> {
  const c = run.config;
  const end = c.stopAfter > 0 ? Math.min(c.steps, run.done + c.stopAfter) : c.steps;
  await runTrainingLoop<StepUpdated>({
    first: run.done + 1,
    last: end,
    keepGoing: () => !run.stopRequested,
    step: pipe(
      concatMap((step: number) => defer(async () => ({ step, samples: await prompts(run, step) }))),
      rollout(run.policy, run.reference, {
        group: c.group,
        temperature: c.temperature,
        topP: c.topP,
        maxTokens: c.maxTokens,
        batch: c.rolloutBatch,
        rng: run.rngs.rollout,
        bucket: c.bucket,
      }),
      scoreRollouts(pool, { task: c.task, alpha: c.alpha, spec, surrogate, extra: run.options.extraRewards }),
      groupAdvantages(c.epsilon),
      grpoUpdate(run.policy, run.optimizer, updateConfig(c), run.rngs.update),
    ),
    record: (s) => recordStep(run, s),
    checkpointIfDue: async (s) => {
      if (s.step % c.checkpointEvery === 0 || s.step === end || run.stopRequested) await checkpoint(run);
    },
  });
}

/** Step s's prompts: train_rl samples (s−1)·P … s·P−1, generated on the fly (the prompt cursor is the step). */
function prompts(run: Run, step: number) {
  const c = run.config;
  return collect(generatedSamples(run.task, { split: 'train_rl', n: c.prompts, seed: c.seed, options: run.taskOptions, start: (step - 1) * c.prompts }));
}

/** Records the step's rollouts, folds them into the reward totals, emits the step's metrics and a log line. */
function recordStep(run: Run, s: StepUpdated): void {
  for (const r of s.advantaged.scored) run.rollouts$.next(r);
  run.totals.add(s.advantaged.scored, { rollout: s.rolloutMs, scoring: s.scoringMs, update: s.updateMs });
  run.options.backend?.throwIfGpuErrors?.(`rl step ${s.step}`);
  const m = stepMetrics(s.advantaged, s.update, { rolloutMs: s.rolloutMs, scoringMs: s.scoringMs, updateMs: s.updateMs });
  run.ctx.emitMany(s.step, m);
  run.done = s.step;
  run.log(
    `rl step ${s.step}/${run.config.steps}: R ${m[MetricNames.reward].toFixed(3)}  a ${m['reward/outcome/mean'].toFixed(3)}  a_p ${m['reward/perception/mean'].toFixed(3)}  kl ${s.update.kl.toExponential(2)}  ${m[MetricNames.rolloutsPerSec].toFixed(1)} rollouts/s`,
  );
}

async function checkpoint(run: Run): Promise<void> {
  const { policy, optimizer, rngs, done, before, totals, config } = run;
  await saveRlCheckpoint(rlCheckpointDir(config.out), { model: policy, optimizer, rngs, step: done, progress: { before, totals: totals.state() }, config });
}

/**
 * The before/after evaluation on the held-out subset: metrics at `step`, a figures line (and a line a tenth with
 * an ETA: minutes on CPU). A stop request abandons it at the next batch (null): an abandoned `after` leaves the
 * run not completed, so --resume evaluates it.
 */
async function evaluate(run: Run, when: 'before' | 'after', step: number): Promise<EvalFigures | null> {
  const c = run.config;
  const onProgress = progressLines(`rl: evaluating ${when}`, 2 * c.evalN, run.log);
  let f: EvalFigures;
  try {
    f = await evaluateHeldOut(run.policy, run.task, {
      n: c.evalN,
      split: c.evalSplit,
      seed: c.seed,
      temperature: c.evalTemperature,
      maxTokens: c.evalMaxTokens,
      taskOptions: run.taskOptions,
      batch: c.rolloutBatch,
      onProgress,
      shouldStop: () => run.stopRequested,
    });
  } catch (error) {
    if (!(error instanceof EvaluationStopped)) throw error;
    const next = when === 'before' ? 'nothing was trained: start again with --overwrite' : 'continue with --resume to evaluate it';
    run.log(`rl: evaluation ${when} training abandoned after ${error.records} records (stop requested); ${next}`);
    return null;
  }
  run.options.backend?.throwIfGpuErrors?.(`rl evaluation ${when} training`);
  run.ctx.emitMany(step, { [MetricNames.a]: f.a.value, [MetricNames.ap]: f.ap.value, [MetricNames.ar]: f.ar.value, [MetricNames.arCond]: f.arCond.value });
  run.result(figuresLine(when, f));
  return f;
}

function summarize(run: Run, after: EvalFigures | null, surrogate: SurrogateReward | undefined, splits: string): RlSummary {
  const c = run.config;
  const t = run.totals;
  const summary: RlSummary = {
    task: c.task,
    reward: surrogate?.name ?? rewardSpecText(c.reward),
    alpha: c.alpha,
    tokenLambda: c.tokenLambda,
    steps: run.done,
    completed: run.done >= c.steps && (c.evalN === 0 || after !== null), // an abandoned final evaluation: --resume does it
    before: run.before,
    after,
    rewards: t.summary(),
    rollouts: t.rollouts,
    rolloutsPerSec: t.rolloutsPerSec(),
    phaseMs: t.phaseMs(),
    splits,
  };
  run.ctx.writeSummary(summary);
  return summary;
}
