/**
 * Flow: GRPO with reward augmentation, RL token reweighting and surrogate perception rewards (DESIGN §5) —
 * `asymflow rl`. Read top to bottom, like GRPO-Zero's grpo.py and nanochat's chat_rl.py:
 *
 *   step clock ─ prompts (train_rl, P per step, generated on the fly)
 *     ─ rollout          G samples per prompt, KV cache, sampling log-probs; reference log-probs (frozen init)
 *     ─ scoreRollouts    verification in a Piscina pool → a, a_p, ã_r; surrogate (self:N | teacher | embed);
 *                        R = α·perception + (1−α)·a
 *     ─ groupAdvantages  A = (R − mean)/(std + ε) per prompt
 *     ─ grpoUpdate       PPO epochs × mini-batches: ratio clamp, clip low/high, dual clip, k3 KL,
 *                        token-mean | seq-mean-token-mean, GSPO; optional token reweighting (λ)
 *     ─ per step: DIR/rollouts.msgpack (+ --record FILE; every reward, tokens, log-probs, spans), metrics, checkpoint
 *     ─ tick the clock (the next step samples from the updated policy: strictly on-policy)
 *   before and after: evaluation on a held-out subset (--eval-split: val, or test) (a, a_p, ã_r, a_r) → DIR/summary.json
 *
 * Resume: DIR/checkpoints/latest holds weights, AdamW state, both RNG streams, the step and the running
 * reward totals; --resume reloads it, drops recorded rollouts of steps after it, and continues the same
 * sequence of prompts and samples (the same weights as an uninterrupted run, on one backend).
 */
import fs from 'node:fs';
import path from 'node:path';
import { BehaviorSubject, concatMap, defer, identity, lastValueFrom, Subject, takeWhile, tap, type MonoTypeOperatorFunction } from 'rxjs';
import { record } from '../operators/record.ts';
import { groupAdvantages } from '../operators/group-advantages.ts';
import { grpoUpdate } from '../operators/grpo-update.ts';
import { rollout } from '../operators/rollout.ts';
import { scoreRollouts } from '../operators/score-rollouts.ts';
import { handwritingOf, runAudit } from '../src/data/split-audit.ts';
import { generatedSamples } from '../src/data/generated-samples.ts';
import { MetricNames } from '../src/metric-names.ts';
import { AdamW } from '../src/model/adamw.ts';
import { loadCheckpoint, saveCheckpoint } from '../src/model/checkpoint.ts';
import { resolveCheckpointDir } from '../src/model/checkpoint-dir.ts';
import { copyWeights, createVlm, disposeVlm } from '../src/model/vlm.ts';
import type { Sample } from '../src/records.ts';
import { Rng } from '../src/rng.ts';
import { GRPO_LOSS_DEFAULTS, type LossAggregation } from '../src/rl/grpo-loss.ts';
import { rewardSpecText } from '../src/rl/reward-spec.ts';
import { makeSurrogateReward } from '../src/rl/rewards/make-reward.ts';
import type { SurrogateReward } from '../src/rl/rewards/surrogate.ts';
import { evaluateHeldOut, type EvalFigures } from '../src/rl/rl-eval.ts';
import { progressLines } from '../src/progress-lines.ts';
import type { RlConfig } from '../src/rl/rl-config.ts';
import type { RlScored } from '../src/rl/rl-records.ts';
import type { StepUpdated } from '../src/rl/rl-step.ts';
import { RewardTotals, type RewardTotalsState } from '../src/rl/reward-totals.ts';
import { createScorePool } from '../src/rl/score-pool.ts';
import { stepMetrics } from '../src/rl/step-metrics.ts';
import { trimRecording } from '../src/recording/index.ts';
import { getTask } from '../src/tasks/registry.ts';
import type { TaskOptions } from '../src/tasks/task.ts';
import { checkRecordPath, claimRunDir, type RunClaim } from '../src/io/output-path.ts';
import { dropMetricsAfter, openRun, type RunContext } from './run-context.ts';

export interface RlRunOptions {
  readonly config: RlConfig;
  readonly taskOptions?: TaskOptions;
  /** A perception reward written in code; used in R in place of the one `config.reward` names (not with outcome). */
  readonly surrogate?: SurrogateReward;
  /** More rewards to score and record beside R (diagnostics; not trained on). */
  readonly extraRewards?: readonly SurrogateReward[];
  /** `throwIfGpuErrors`: a GPU error (e.g. out of memory) makes a step's numbers garbage; the run stops before saving them. */
  readonly backend?: { readonly name: string; readonly device?: string; throwIfGpuErrors?(where: string): void };
  readonly log?: (line: string) => void;
  /** Called once the run directory is open: attach a monitor; `stop()` ends the run after the current step. */
  readonly onRun?: (run: RunContext, stop: () => void) => void;
}

export interface RlSummary {
  readonly task: string;
  readonly reward: string;
  readonly alpha: number;
  readonly tokenLambda: number;
  readonly steps: number; // steps done (all invocations)
  readonly completed: boolean; // reached --steps
  readonly before: EvalFigures | null;
  readonly after: EvalFigures | null;
  readonly rewards: ReturnType<RewardTotals['summary']>;
  readonly rollouts: number;
  readonly rolloutsPerSec: number;
  readonly phaseMs: { readonly rollout: number; readonly scoring: number; readonly update: number };
  readonly splits: string; // prompts and evaluation splits, their handwriting (Sudoku) and measured content overlap
}

interface CheckpointMeta {
  readonly before: EvalFigures | null;
  readonly totals: RewardTotalsState;
}

async function collect(samples: AsyncIterable<Sample>): Promise<Sample[]> {
  const out: Sample[] = [];
  for await (const s of samples) out.push(s);
  return out;
}

function emitEval(run: RunContext, step: number, f: EvalFigures): void {
  run.emitMany(step, { [MetricNames.a]: f.a.value, [MetricNames.ap]: f.ap.value, [MetricNames.ar]: f.ar.value, [MetricNames.arCond]: f.arCond.value });
}

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
const figuresLine = (label: string, f: EvalFigures) => `rl ${label}: a ${pct(f.a.value)}  a_p ${pct(f.ap.value)}  a_r ${pct(f.ar.value)}  ã_r ${pct(f.arCond.value)}  (n ${f.n})`;

/** Claims DIR (locked for the run, refused when it holds another run unless --resume/--overwrite), then runs. */
export async function runRl(o: RlRunOptions): Promise<RlSummary> {
  const c = o.config;
  const spec = c.reward;
  if (o.surrogate && spec.kind === 'outcome') throw new Error('rl: a custom perception reward needs a reward other than outcome (R = α·custom + (1−α)·a)');
  const latest = path.resolve(c.out, 'checkpoints', 'latest');
  const claim = claimRunDir(c.out, { verb: 'rl', resume: c.resume, overwrite: c.overwrite });
  try {
    if (c.record && !c.resume) checkRecordPath(c.record, claim.dir, 'rl', c.overwrite);
    return await runClaimed(o, claim, latest);
  } finally {
    claim.release();
  }
}

async function runClaimed(o: RlRunOptions, claim: RunClaim, latest: string): Promise<RlSummary> {
  const c = o.config;
  const log = o.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  const task = await getTask(c.task);
  const spec = c.reward;
  const resuming = c.resume && fs.existsSync(path.join(latest, 'checkpoint.json'));
  if (c.resume && !resuming) log(`rl: --resume: no checkpoint in ${latest}; starting from --init`);

  // Policy and frozen reference both start from --init; a resumed policy comes from the run's checkpoint.
  const init = await loadCheckpoint(resolveCheckpointDir(c.init)); // a run directory will do
  init.optimizer?.dispose();
  const reference = init.model;
  let policy = createVlm(reference.config);
  let optimizer: AdamW;
  let rngs: Record<string, Rng>;
  let done = 0;
  let meta: CheckpointMeta | undefined;
  if (resuming) {
    const r = await loadCheckpoint(latest);
    disposeVlm(policy);
    policy = r.model;
    if (!r.optimizer) throw new Error(`rl: checkpoint ${latest} has no optimizer state; it cannot be resumed`);
    optimizer = r.optimizer;
    rngs = r.rngs;
    done = (r.cursor as { step: number }).step;
    meta = r.metadata as unknown as CheckpointMeta;
  } else {
    copyWeights(reference, policy);
    optimizer = new AdamW(policy.params, { lr: c.lr, warmupSteps: c.warmup, weightDecay: 0 });
    const root = new Rng(c.seed);
    rngs = { rollout: root.split('rollout'), update: root.split('update') };
  }
  const taskOptions: TaskOptions = { ...o.taskOptions, inputSize: policy.config.inputSize };
  if (resuming) await dropMetricsAfter(c.out, done);
  const run = openRun({ out: c.out, config: { rl: c, taskOptions }, append: resuming, verb: 'rl', claim });
  if (o.backend) run.setBackend(o.backend.name, o.backend.device);
  const rolloutsFile = run.file('rollouts.msgpack');
  if (resuming) {
    const { dropped } = await trimRecording<RlScored>(rolloutsFile, (r) => r.step <= done);
    if (c.record) await trimRecording<RlScored>(c.record, (r) => r.step <= done); // --record FILE continues the same way
    log(`rl: resuming after step ${done} from ${latest}${dropped ? ` (dropped ${dropped} rollouts of the interrupted step)` : ''}`);
  }
  const rollouts$ = new Subject<RlScored>();
  const extraRecord: MonoTypeOperatorFunction<RlScored> = c.record ? record<RlScored>(c.record, { kind: 'rollouts', config: c }, { append: resuming }) : identity;
  const recorder = rollouts$.pipe(run.record<RlScored>('rollouts', { append: resuming }), extraRecord).subscribe({
    error: (e: unknown) => log(`rl: error: recording rollouts: ${(e as Error).message}`),
  });
  const pool = createScorePool(c.scoreThreads);
  const surrogate = o.surrogate ?? (await makeSurrogateReward(spec, {
    task, policy, embedDir: c.embed || undefined, maxTokens: c.selfMaxTokens, temperature: c.temperature, seed: c.seed, batch: c.rolloutBatch,
  }));
  const totals = new RewardTotals(meta?.totals);
  const evalOptions = { n: c.evalN, split: c.evalSplit, seed: c.seed, temperature: c.evalTemperature, maxTokens: c.evalMaxTokens, taskOptions, batch: c.rolloutBatch };
  let stopped = false;
  o.onRun?.(run, () => (stopped = true));
  const audit = runAudit(task, c.seed, taskOptions, { split: 'train_rl', n: c.steps * c.prompts }, { split: c.evalSplit, n: c.evalN });
  log(`rl: prompts train_rl${handwritingOf(task, 'train_rl')}, evaluation ${c.evalSplit}${handwritingOf(task, c.evalSplit)}; ${audit.line}`);

  try {
    // An evaluation of hundreds of samples takes minutes on CPU: a line per tenth with an ETA.
    const withProgress = (when: string) => ({ ...evalOptions, onProgress: progressLines(`rl: evaluating ${when}`, 2 * c.evalN, log) });
    const before = resuming ? (meta?.before ?? null) : c.evalN > 0 ? await evaluateHeldOut(policy, task, withProgress('before')) : null;
    o.backend?.throwIfGpuErrors?.('rl evaluation before training');
    if (before) {
      if (!resuming) emitEval(run, 0, before);
      log(figuresLine('before', before));
    }
    const save = (step: number) =>
      saveCheckpoint(latest, { model: policy, optimizer, rngs, cursor: { step }, metadata: { before, totals: totals.state(), config: c } as unknown as Record<string, unknown> });
    const end = c.stopAfter > 0 ? Math.min(c.steps, done + c.stopAfter) : c.steps;
    const clock = new BehaviorSubject(done + 1);
    const updateConfig = {
      loss: { ...GRPO_LOSS_DEFAULTS, clipLow: c.clip, clipHigh: c.clipHigh, dualClip: c.dualClip, klCoef: c.kl, aggregation: c.aggregation as LossAggregation, gspo: c.gspo },
      epochs: c.epochs,
      miniBatches: c.miniBatches,
      tokenLambda: c.tokenLambda >= 0 ? c.tokenLambda : undefined,
      bucket: c.bucket,
      microBatch: c.microBatch,
    };

    const steps$ = clock.pipe(
      takeWhile((step) => step <= end && !stopped),
      concatMap((step) => defer(async () => ({
        step,
        samples: await collect(generatedSamples(task, { split: 'train_rl', n: c.prompts, seed: c.seed, options: taskOptions, start: (step - 1) * c.prompts })),
      }))),
      rollout(policy, reference, { group: c.group, temperature: c.temperature, topP: c.topP, maxTokens: c.maxTokens, batch: c.rolloutBatch, rng: rngs.rollout, bucket: c.bucket }),
      scoreRollouts(pool, { task: c.task, alpha: c.alpha, spec, surrogate, extra: o.extraRewards }),
      groupAdvantages(c.epsilon),
      grpoUpdate(policy, optimizer, updateConfig, rngs.update),
      concatMap((s: StepUpdated) => defer(async () => {
        for (const r of s.advantaged.scored) rollouts$.next(r);
        totals.add(s.advantaged.scored, { rollout: s.rolloutMs, scoring: s.scoringMs, update: s.updateMs });
        o.backend?.throwIfGpuErrors?.(`rl step ${s.step}`);
        const m = stepMetrics(s.advantaged, s.update, { rolloutMs: s.rolloutMs, scoringMs: s.scoringMs, updateMs: s.updateMs });
        run.emitMany(s.step, m);
        done = s.step;
        if (s.step % c.checkpointEvery === 0 || s.step === end || stopped) await save(s.step);
        log(`rl step ${s.step}/${c.steps}: R ${m[MetricNames.reward].toFixed(3)}  a ${m['reward/outcome/mean'].toFixed(3)}  a_p ${m['reward/perception/mean'].toFixed(3)}  kl ${s.update.kl.toExponential(2)}  ${m[MetricNames.rolloutsPerSec].toFixed(1)} rollouts/s`);
        return s;
      })),
      tap((s) => clock.next(s.step + 1)),
    );
    await lastValueFrom(steps$, { defaultValue: undefined });
    const completed = done >= c.steps;
    const after = completed && c.evalN > 0 ? await evaluateHeldOut(policy, task, withProgress('after')) : null;
    o.backend?.throwIfGpuErrors?.('rl evaluation after training');
    if (after) {
      emitEval(run, done, after);
      log(figuresLine('after', after));
    }
    const t = totals.summary();
    const summary: RlSummary = {
      task: c.task, reward: surrogate?.name ?? rewardSpecText(c.reward), alpha: c.alpha, tokenLambda: c.tokenLambda,
      steps: done, completed, before, after,
      rewards: t, rollouts: totals.rollouts, rolloutsPerSec: totals.rolloutsPerSec(), phaseMs: totals.phaseMs(), splits: audit.line,
    };
    run.writeSummary(summary as unknown as Record<string, unknown>);
    return summary;
  } finally {
    recorder.unsubscribe();
    rollouts$.complete();
    run.close();
    await pool.close();
    await surrogate?.close?.();
    optimizer.dispose();
    disposeVlm(policy);
    disposeVlm(reference);
  }
}
