/**
 * Flow: the correlation diagnostic (docs/architecture.md §5; paper Table 3) — `asymflow diagnose`.
 *
 *   recorded:  replay(FILE) ─┐
 *   fresh:     train_rl samples ─ bufferCount ─ rollout(checkpoint, 1 per prompt) ─ record DIR/rollouts.msgpack ─┤
 *                                                                                                              │
 *     bufferCount(batch) ─ rescoreRollouts (score pool: a, a_p, ã_r; surrogates: self:N, teacher, embed) ─ record DIR/scored.msgpack
 *     ─ keep each rollout's figures (a, a_p, ã_r, rewards; its sample let go) ─ diagnose → DIR/summary.json (rollouts, rRewardPerception, rRewardReasoning, surrogates) + DIR/table.md
 *
 * A recording is re-scored without a GPU (images are re-rendered from the recorded puzzles); self:N then needs
 * --checkpoint, the policy that re-solves from its captions.
 */
import { handwritingOf } from '../src/data/split-audit.ts';
import { writeFileAtomic } from '../src/io/atomic-write.ts';
import { bufferCount, concatMap, from, lastValueFrom, map, tap, type Observable } from 'rxjs';
import { replay } from '../operators/replay.ts';
import { rescoreRollouts } from '../operators/rescore-rollouts.ts';
import { rollout } from '../operators/rollout.ts';
import { generatedSamples } from '../src/data/generated-samples.ts';
import { loadCheckpoint } from '../src/model/checkpoint.ts';
import { resolveCheckpointDir } from '../src/model/checkpoint-dir.ts';
import { disposeVlm, type Vlm } from '../src/model/vlm.ts';
import type { Sample } from '../src/records.ts';
import { readRecording } from '../src/recording/index.ts';
import { Rng } from '../src/rng.ts';
import { savedDiagnoseConfig, type DiagnoseConfig } from '../src/rl/diagnose-config.ts';
import { diagnose, diagnoseTable, type DiagnoseRow, type DiagnoseSummary } from '../src/rl/diagnose.ts';
import { progressLines } from '../src/progress-lines.ts';
import { rewardName, rewardSpecText, type RewardSpec } from '../src/rl/reward-spec.ts';
import { makeSurrogateReward } from '../src/rl/rewards/make-reward.ts';
import type { SurrogateReward } from '../src/rl/rewards/surrogate.ts';
import type { RlRollout } from '../src/rl/rl-records.ts';
import { createScorePool } from '../src/rl/score-pool.ts';
import { getTask } from '../src/tasks/registry.ts';
import type { TaskOptions } from '../src/tasks/task.ts';
import { openRun } from './run-context.ts';
import { outputLines, type LineSink } from '../src/output-lines.ts';

export interface DiagnoseRunOptions {
  readonly rollouts?: string; // a rollouts.msgpack to re-score
  readonly checkpoint?: string; // sample fresh rollouts from it (and re-solve self:N with it)
  readonly task?: string; // fresh rollouts: the task (a recording names its own)
  readonly n: number; // fresh rollouts
  readonly rewards: readonly RewardSpec[]; // surrogates besides outcome, e.g. self:1 and embed (read at the border: src/rl/diagnose-config.ts)
  readonly embed?: string;
  readonly temperature: number;
  readonly maxTokens: number;
  readonly batch: number;
  readonly bucket?: number;
  readonly seed: number;
  readonly scoreThreads: number;
  readonly taskOptions?: TaskOptions;
  readonly out: string;
  readonly overwrite?: boolean; // replace an existing diagnose run in `out`
  readonly config: DiagnoseConfig; // the command's settings, saved in config.json
  readonly surrogates?: readonly SurrogateReward[]; // rewards written in code, diagnosed beside the named ones
  readonly log?: LineSink; // progress; default: stderr (src/output-lines.ts)
  readonly result?: LineSink; // the table; default: the log given, else stdout
}

export interface DiagnoseResult extends DiagnoseSummary {
  readonly source: string;
}

async function* collectSamples(samples: AsyncIterable<Sample>, into: Map<string, Sample>): AsyncGenerator<Sample> {
  for await (const s of samples) {
    into.set(s.puzzle.id, s);
    yield s;
  }
}

export async function runDiagnose(o: DiagnoseRunOptions): Promise<DiagnoseResult> {
  const { log, result } = outputLines(o);
  if (!o.rollouts && !o.checkpoint)
    throw new Error('diagnose needs --rollouts FILE (re-score a recording) or --checkpoint DIR --task T (sample fresh rollouts)');
  const named = o.rewards.filter((r) => r.kind !== 'outcome' && r.kind !== 'perception'); // both are always diagnosed
  let taskName = o.task;
  let taskOptions: TaskOptions = { ...o.taskOptions };
  if (o.rollouts) {
    const header = (await readRecording(o.rollouts)).header;
    const config = header.config as { rl?: { task?: string }; task?: string; taskOptions?: TaskOptions } | null;
    if (header.kind !== 'rollouts') throw new Error(`diagnose: ${o.rollouts} is a '${header.kind}' recording, not 'rollouts'`);
    taskName = config?.rl?.task ?? config?.task ?? taskName;
    taskOptions = { ...config?.taskOptions, ...o.taskOptions };
  }
  if (!taskName) throw new Error('diagnose: --task is required with --checkpoint');
  const task = await getTask(taskName);
  let model: Vlm | undefined;
  if (o.checkpoint) {
    const loaded = await loadCheckpoint(resolveCheckpointDir(o.checkpoint)); // a run directory will do
    loaded.optimizer?.dispose();
    model = loaded.model;
    if (!o.rollouts) taskOptions = { ...taskOptions, inputSize: model.config.inputSize };
  }
  let run: ReturnType<typeof openRun>;
  try {
    run = openRun({ out: o.out, config: { diagnose: savedDiagnoseConfig(o.config), task: taskName, taskOptions }, verb: 'diagnose', overwrite: o.overwrite });
  } catch (error) {
    if (model) disposeVlm(model);
    throw error;
  }
  const pool = createScorePool(o.scoreThreads);
  const surrogates: SurrogateReward[] = [];
  const labels: Record<string, string> = {};
  try {
    for (const spec of named) {
      const label = rewardSpecText(spec);
      if (spec.kind === 'self' && !model) throw new Error(`diagnose: reward ${label} re-solves with a policy: give --checkpoint DIR`);
      const reward = await makeSurrogateReward(spec, {
        task,
        policy: model,
        embedDir: o.embed,
        maxTokens: o.maxTokens,
        temperature: o.temperature,
        seed: o.seed,
        taskOptions,
        batch: o.batch,
      });
      if (reward) surrogates.push(reward);
      labels[label] = rewardName(spec);
    }
    for (const s of o.surrogates ?? []) (surrogates.push(s), (labels[s.name] = s.name));
    const known = new Map<string, Sample>();
    let rollouts$: Observable<readonly RlRollout[]>;
    if (o.rollouts) rollouts$ = replay<RlRollout>(o.rollouts).pipe(bufferCount(o.batch));
    else {
      const rng = new Rng(o.seed).split('diagnose');
      const glyphs = handwritingOf(task, 'train_rl');
      if (glyphs) log(`diagnose: fresh rollouts of train_rl puzzles${glyphs}: a_p here is read in that handwriting, not in test's`);
      rollouts$ = from(collectSamples(generatedSamples(task, { split: 'train_rl', n: o.n, seed: o.seed, options: taskOptions }), known)).pipe(
        bufferCount(o.batch),
        map((samples, i) => ({ step: i + 1, samples })),
        rollout(model!, undefined, { group: 1, temperature: o.temperature, topP: 1, maxTokens: o.maxTokens, batch: o.batch, rng, bucket: o.bucket }),
        concatMap((s) => from(s.rollouts)),
        run.record<RlRollout>('rollouts'),
        bufferCount(o.batch),
      );
    }
    const rows: DiagnoseRow[] = [];
    const lines = o.rollouts ? undefined : progressLines('diagnose: scoring', o.n, log);
    // Batch by batch: each scored rollout keeps only its figures, and its sample (pixels, PNG) is let go, so
    // thousands of rollouts (the paper's ≥ 2,500) are never held at once; DIR/scored.msgpack keeps the rest.
    const scored$ = rollouts$.pipe(
      rescoreRollouts({ task, taskOptions, pool, surrogates, samples: known }),
      run.record('scored'),
      tap((r) => {
        rows.push({ a: r.a, ap: r.ap, arCond: r.arCond, rewards: r.rewards });
        known.delete(r.sampleId); // one rollout per sample (group 1): its sample is done with
        lines?.(rows.length);
      }),
    );
    await lastValueFrom(scored$, { defaultValue: undefined });
    const summary: DiagnoseResult = {
      source: o.rollouts ?? `${o.checkpoint} (${rows.length} fresh rollouts of train_rl puzzles${handwritingOf(task, 'train_rl')})`,
      ...diagnose(rows, labels),
    };
    run.writeSummary(summary);
    const table = diagnoseTable(summary);
    writeFileAtomic(run.file('table.md'), table);
    for (const line of table.trimEnd().split('\n')) result(line);
    return summary;
  } finally {
    run.close();
    await pool.close();
    for (const s of surrogates) await s.close?.();
    if (model) disposeVlm(model);
  }
}
