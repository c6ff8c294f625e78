/**
 * The parts of `asymflow reproduce` for one task, each a call into the existing flows with the preset's
 * sizes (and the `asymflow …` command line that does the same thing):
 *
 *   sft           initial-model evaluation, then standard SFT with periodic evaluation   (Fig. 3; RL's --init)
 *   lambda        sweep sft over the fixed λ list                                         (Table 1, Fig. 4)
 *   ngdiff        sweep sft with NGDiff                                                   (Table 1, Fig. 4)
 *   prestage      perception-only pre-stage, then NGDiff                                  (Fig. 6)
 *   rl            sweep rl over α from the SFT checkpoint                                 (Table 2, Fig. 10)
 *   diagnose      train the embed encoder, then fresh-rollout correlation diagnostic      (Fig. 8, Table 3)
 *   surrogate-rl  RL with each surrogate perception reward at one α                      (Table 4)
 *
 * Inside a part every run keeps its own checkpoints, so a killed part continues (sft --resume, sweep
 * reuse, rl --resume) instead of starting over.
 */
import fs from 'node:fs';
import path from 'node:path';
import { disposeEncoder, saveEncoder } from '../src/rl/embed/encoder.ts';
import { trainEmbed, TRAIN_EMBED_DEFAULTS } from '../src/rl/embed/train-embed.ts';
import { rlCheckpointDir } from '../src/rl/rl-checkpoint.ts';
import { resolveDiagnoseConfig } from '../src/rl/diagnose-config.ts';
import { resolveRlConfig } from '../src/rl/rl-config.ts';
import type { EvalFigures } from '../src/rl/rl-eval.ts';
import { rewardName, parseRewardSpec } from '../src/rl/reward-spec.ts';
import { modelConfig, type ModelSize } from '../src/model/config.ts';
import { sftOf } from '../src/reproduce/presets.ts';
import { hasCheckpoint } from '../src/sft/sft-checkpoint.ts';
import { getTask } from '../src/tasks/registry.ts';
import { runDiagnose } from './diagnose.ts';
import { rolloutCorrelation } from './reproduce-dynamics.ts';
import {
  cliLine,
  embedDir,
  figures,
  resolveReward,
  partDir,
  sftCheckpoint,
  withKnobs,
  type DiagnosePartResult,
  type PartContext,
  type PartKind,
  type PartOutput,
  type RlPartResult,
  type RlRunResult,
} from './reproduce-part-kit.ts';
import { prestagePart, sftPart, sweepPart } from './reproduce-sft-parts.ts';
import { runRl, type RlSummary } from './rl.ts';
import { runSweepRl } from './sweep-rl.ts';

// The shared shapes and names live in reproduce-part-kit.ts; importers of the parts find them here too.
export * from './reproduce-part-kit.ts';

export function needSft(c: PartContext): string {
  const init = sftCheckpoint(c);
  if (!hasCheckpoint(init))
    throw new Error(`reproduce: parts rl, diagnose and surrogate-rl of ${c.task} need the SFT checkpoint ${init}; run part ${c.task}/sft first`);
  return init;
}

/** RL flags shared by the α sweep and the surrogate runs (CLI names of `asymflow rl`). */
export function rlFlags(c: PartContext, init: string): Record<string, unknown> {
  const r = c.preset.rl;
  const m = c.preset.maxTokens[c.task];
  return {
    task: c.task,
    init,
    reward: 'perception',
    steps: r.steps,
    prompts: r.prompts,
    group: r.group,
    lr: r.lr,
    maxTokens: m,
    rolloutBatch: r.rolloutBatch,
    temperature: r.temperature,
    evalTemperature: 0,
    bucket: sftOf(c.preset, c.task).bucket,
    evalN: r.evalN,
    evalSplit: 'test',
    evalMaxTokens: m,
    scoreThreads: c.preset.scoreThreads,
    checkpointEvery: 1,
    seed: c.preset.seed,
    backend: c.backend.name,
  };
}

export const readRlSummary = (dir: string) => JSON.parse(fs.readFileSync(path.join(dir, 'summary.json'), 'utf8')) as RlSummary;

export function rlRunResult(label: string, alpha: number, reward: string, s: RlSummary, dir: string): RlRunResult {
  if (!s.before || !s.after) throw new Error(`reproduce: the RL run in ${dir} has no before/after evaluation`);
  return { label, alpha, reward, before: figures(s.before), after: figures(s.after) };
}

/** The α sweep; a paper preset's `rl@α` part runs one α into its own directory. */
export async function rlPart(c: PartContext, grid?: { readonly alphas: readonly number[]; readonly dir: string }): Promise<PartOutput> {
  const out = partDir(c, grid?.dir ?? 'rl');
  const flags = rlFlags(c, needSft(c));
  const alphas = grid?.alphas ?? c.preset.rl.alphas;
  await runSweepRl({
    base: resolveRlConfig({ ...flags, alpha: 0, out: path.join(out, 'alpha-x') }),
    alphas,
    out,
    taskOptions: c.preset.taskOptions[c.task],
    backend: c.backend,
    plot: false, // drawn by the report (Fig. 10)
    log: (l) => c.log(`  ${l}`),
  });
  const runs = await Promise.all(
    alphas.map(async (alpha) => {
      const dir = path.join(out, `alpha-${alpha}`);
      const r = await rolloutCorrelation(dir);
      return { ...rlRunResult(`α=${alpha}`, alpha, 'perception', readRlSummary(dir), dir), ...(r === undefined ? {} : { rRewardPerception: r }) };
    }),
  );
  return {
    commands: [cliLine('sweep rl', withKnobs(c, { alpha: alphas.join(','), ...flags, out }, false))],
    result: { runs, table: fs.readFileSync(path.join(out, 'table.md'), 'utf8') } satisfies RlPartResult,
  };
}

async function diagnosePart(c: PartContext): Promise<PartOutput> {
  const init = needSft(c);
  const mc = modelConfig(c.preset.model as ModelSize, c.preset.modelOptions[c.task]);
  const e = c.preset.embed;
  const embed = embedDir(c);
  const embedFlags = {
    task: c.task,
    inputSize: mc.inputSize,
    samples: e.samples,
    steps: e.steps,
    batch: e.batch,
    seed: c.preset.seed,
    backend: c.backend.name,
    out: embed,
  };
  const task = await getTask(c.task);
  const trained = await trainEmbed(task, { ...TRAIN_EMBED_DEFAULTS, ...embedFlags, taskOptions: c.preset.taskOptions[c.task] });
  await saveEncoder(embed, trained.encoder, { task: c.task, loss: trained.loss, accuracy: trained.accuracy, config: embedFlags });
  disposeEncoder(trained.encoder);
  c.log(`  train-embed: loss ${trained.loss.toFixed(3)}, in-batch accuracy ${(100 * trained.accuracy).toFixed(1)}%`);

  const d = c.preset.diagnose;
  const m = c.preset.maxTokens[c.task];
  const out = partDir(c, 'diagnose', 'run');
  const flags = {
    checkpoint: init,
    task: c.task,
    n: d.n,
    rewards: d.rewards.map((r) => resolveReward(c, r)).join(','),
    embed,
    temperature: c.preset.rl.temperature,
    maxTokens: m,
    batch: d.batch,
    bucket: sftOf(c.preset, c.task).bucket,
    seed: c.preset.seed,
    scoreThreads: c.preset.scoreThreads,
    backend: c.backend.name,
    out,
  };
  const summary = await runDiagnose({
    ...flags,
    rewards: d.rewards.map((r) => parseRewardSpec(resolveReward(c, r))),
    taskOptions: c.preset.taskOptions[c.task],
    config: resolveDiagnoseConfig(flags), // the run's real config, validated
    log: (l) => c.log(`  ${l}`),
    overwrite: true, // an interrupted part's diagnose has no checkpoint: it is redone
  });
  return {
    commands: [cliLine('train-embed', withKnobs(c, embedFlags, false)), cliLine('diagnose', withKnobs(c, flags, false))],
    result: {
      summary: {
        rollouts: summary.rollouts,
        rRewardPerception: summary.rRewardPerception,
        rRewardReasoning: summary.rRewardReasoning,
        means: summary.means,
        surrogates: summary.surrogates,
        values: summary.values,
      },
      embed: { loss: trained.loss, accuracy: trained.accuracy },
    } satisfies DiagnosePartResult,
  };
}

/** RL with each surrogate reward at one α; a paper preset's `surrogate-rl@R` part runs one reward, its own steps, in its own directory. */
export async function surrogateRlPart(
  c: PartContext,
  grid?: { readonly rewards: readonly string[]; readonly steps: number; readonly dir: string },
): Promise<PartOutput> {
  const base = { ...rlFlags(c, needSft(c)), ...(grid ? { steps: grid.steps } : {}) };
  const { alpha } = c.preset.surrogateRl;
  const rewards = grid?.rewards ?? c.preset.surrogateRl.rewards;
  const commands: string[] = [];
  const runs: RlRunResult[] = [];
  for (const reward of rewards) {
    const needsEmbed = parseRewardSpec(reward).kind === 'embed';
    if (needsEmbed && !fs.existsSync(path.join(embedDir(c), 'embed.json'))) {
      throw new Error(`reproduce: part ${c.task}/surrogate-rl needs the encoder ${embedDir(c)}; run part ${c.task}/diagnose first`);
    }
    const dir = partDir(c, grid?.dir ?? 'surrogate-rl', rewardName(parseRewardSpec(reward)));
    const flags = {
      ...base,
      reward: resolveReward(c, reward),
      alpha,
      selfMaxTokens: c.preset.maxTokens[c.task],
      ...(needsEmbed ? { embed: embedDir(c) } : {}),
      out: dir,
    };
    commands.push(cliLine('rl', withKnobs(c, flags, false)));
    // The oracle reward at an α the sweep already ran is that very run (same init, seed and settings).
    const sweepRun = partDir(c, 'rl', `alpha-${alpha}`);
    if (reward === 'perception' && !grid && fs.existsSync(path.join(sweepRun, 'summary.json')) && readRlSummary(sweepRun).completed) {
      c.log(`  surrogate rl: perception at α=${alpha} is the α sweep's run ${sweepRun}; reused`);
      commands.pop();
      commands.push(`(perception: the α=${alpha} run of part ${c.task}/rl, ${sweepRun})`);
      runs.push(rlRunResult(reward, alpha, reward, readRlSummary(sweepRun), sweepRun));
      continue;
    }
    const done = fs.existsSync(path.join(dir, 'summary.json')) && readRlSummary(dir).completed;
    if (done) c.log(`  surrogate rl: ${reward} already done in ${dir}`);
    else
      await runRl({
        config: resolveRlConfig({ ...flags, resume: hasCheckpoint(rlCheckpointDir(dir)), overwrite: true }),
        taskOptions: c.preset.taskOptions[c.task],
        backend: c.backend,
        log: (l) => c.log(`  [${reward}] ${l}`),
      });
    runs.push(rlRunResult(reward, alpha, reward, readRlSummary(dir), dir));
  }
  return { commands, result: { runs, table: '' } satisfies RlPartResult };
}

export async function runPart(kind: PartKind, c: PartContext): Promise<PartOutput> {
  switch (kind) {
    case 'sft':
      return sftPart(c);
    case 'lambda':
    case 'ngdiff':
      return sweepPart(c, kind);
    case 'prestage':
      return prestagePart(c);
    case 'rl':
      return rlPart(c);
    case 'diagnose':
      return diagnosePart(c);
    case 'surrogate-rl':
      return surrogateRlPart(c);
  }
}

export type { EvalFigures };
