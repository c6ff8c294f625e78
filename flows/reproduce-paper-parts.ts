/**
 * A paper preset's one-setting parts (src/reproduce/paper-preset.ts), each a 10-minute device call:
 *
 *   lambda@X          SFT at fixed λ = X                                   (Table 1, Fig. 4)
 *   share@V           standard SFT on traces of verbosity V                (the dose–response of H1, verdict 1)
 *   rl@α              GRPO at α from the SFT checkpoint                    (Table 2, Fig. 10)
 *   token-lambda@λ    outcome-only GRPO with RL token reweighting λ        (the paper's H1-vs-H2 RL control)
 *   surrogate-rl@R    GRPO with surrogate reward R at the preset's α       (Table 4)
 *
 *   pretrain          the stage before post-training (`asymflow pretrain`), the SFT parts' --init
 *   scratch           standard SFT from the seed's fresh weights, beside sft from the pre-stage
 *
 * The grids' other parts (sft, ngdiff, prestage, diagnose) are the ordinary ones (flows/reproduce-parts.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import { resolveRlConfig } from '../src/rl/rl-config.ts';
import { rlCheckpointDir } from '../src/rl/rl-checkpoint.ts';
import { sftOf, surrogateLabel } from '../src/reproduce/presets.ts';
import { hasCheckpoint } from '../src/sft/sft-checkpoint.ts';
import {
  cliLine,
  figures,
  partDir,
  pretrainDir,
  splitPart,
  withKnobs,
  type PartContext,
  type PartOutput,
  type PretrainPartResult,
  type RlPartResult,
  type SftPartResult,
  type SharePartResult,
} from './reproduce-part-kit.ts';
import { needSft, readRlSummary, rlFlags, rlPart, rlRunResult, surrogateRlPart } from './reproduce-parts.ts';
import { initialEvaluation, runSftPart, sweepPart, targetShare } from './reproduce-sft-parts.ts';
import { runPretrain } from './pretrain.ts';
import { resolvePretrainConfig } from '../src/pretrain/pretrain-config.ts';
import { runRl } from './rl.ts';

/** The grid setting of part `name` as a number the preset lists, or a clear error. */
function setting(name: string, arg: string | undefined, allowed: readonly number[]): number {
  const x = Number(arg);
  if (arg === undefined || !allowed.includes(x)) throw new Error(`reproduce: part ${name} is not one of this preset's settings (${allowed.join(', ')})`);
  return x;
}

/** Standard SFT on the task's traces at verbosity V, with the measured perception share of its targets. */
async function sharePart(c: PartContext, verbosity: number, name: string): Promise<PartOutput> {
  const options = { ...c.preset.taskOptions[c.task], verbosity };
  const at = { ...c, preset: { ...c.preset, taskOptions: { ...c.preset.taskOptions, [c.task]: options } } };
  const share = await targetShare(at, options);
  c.log(`  share@${verbosity}: ${(100 * share.share).toFixed(1)}% perception tokens over the first ${share.n} targets`);
  const dir = partDir(c, name, 'standard');
  const { summary, command } = await runSftPart(at, 'standard', dir, { evalEvery: sftOf(c.preset, c.task).evalEvery });
  return {
    commands: [command],
    result: { verbosity, share: share.share, final: figures(summary), steps: summary.steps, runDir: dir } satisfies SharePartResult,
  };
}

/** Outcome-only GRPO (α = 0) with RL token reweighting λ from the SFT checkpoint. */
async function tokenLambdaPart(c: PartContext, lambda: number, name: string): Promise<PartOutput> {
  const dir = partDir(c, name, 'run');
  const flags = { ...rlFlags(c, needSft(c)), reward: 'outcome', alpha: 0, tokenLambda: lambda, out: dir };
  const done = fs.existsSync(path.join(dir, 'summary.json')) && readRlSummary(dir).completed;
  if (done) c.log(`  token-lambda ${lambda}: already done in ${dir}`);
  else
    await runRl({
      config: resolveRlConfig({ ...flags, resume: hasCheckpoint(rlCheckpointDir(dir)), overwrite: true }),
      taskOptions: c.preset.taskOptions[c.task],
      backend: c.backend,
      log: (l) => c.log(`  [token λ=${lambda}] ${l}`),
    });
  return {
    commands: [cliLine('rl', withKnobs(c, flags, false))],
    result: { runs: [rlRunResult(`token λ=${lambda}`, 0, 'outcome', readRlSummary(dir), dir)], table: '' } satisfies RlPartResult,
  };
}

/** `asymflow pretrain` with the preset's model, task and sizes; its own evaluation on `val`. */
async function pretrainPart(c: PartContext, pre: NonNullable<NonNullable<PartContext['preset']['paper']>['pretrain']>): Promise<PartOutput> {
  const s = sftOf(c.preset, c.task);
  const dir = pretrainDir(c);
  const flags = {
    task: c.task,
    model: c.preset.model,
    captionSteps: pre.captionSteps,
    reasoningSteps: pre.reasoningSteps,
    batch: s.batch,
    lr: s.lr,
    warmupSteps: s.warmupSteps,
    evalN: pre.evalN,
    ...(pre.samples ? { captionN: pre.samples, reasoningN: pre.samples } : {}),
    evalBatch: s.evalBatch,
    evalMaxTokens: c.preset.maxTokens[c.task],
    bucket: s.bucket,
    seed: c.preset.seed,
    backend: c.backend.name,
    plots: false,
    checkpointEvery: Math.min(s.checkpointEvery ?? Infinity, pre.captionSteps + pre.reasoningSteps),
    out: dir,
  };
  const config = resolvePretrainConfig({ ...flags, resume: hasCheckpoint(path.join(dir, 'checkpoints')), overwrite: true });
  const result = await runPretrain({
    config,
    taskOptions: c.preset.taskOptions[c.task],
    modelOptions: c.preset.modelOptions[c.task],
    log: (l) => c.log(`  ${l}`),
  });
  if (!result.summary) throw new Error(`reproduce: the pretrain run in ${dir} ended without a summary`);
  return {
    commands: [cliLine('pretrain', withKnobs(c, flags))],
    result: { final: figures(result.summary), steps: result.summary.steps, runDir: dir } satisfies PretrainPartResult,
  };
}

/** Standard SFT from the seed's fresh weights: what the pre-stage changes, beside part sft. */
async function scratchPart(c: PartContext): Promise<PartOutput> {
  const init = await initialEvaluation(c, true);
  const dir = partDir(c, 'scratch', 'standard');
  const { summary, command } = await runSftPart(c, 'standard', dir, { init: '', evalEvery: sftOf(c.preset, c.task).evalEvery });
  return {
    commands: [`(initial model: the seed-${c.preset.seed} fresh weights, evaluated in-process)`, command],
    result: { init, final: figures(summary), evaluations: summary.evaluations, steps: summary.steps, runDir: dir } satisfies SftPartResult,
  };
}

/** Runs the one-setting part `kind` (`rl@0.5`, …) of a paper preset. */
export async function runPaperPart(kind: string, c: PartContext): Promise<PartOutput> {
  const paper = c.preset.paper;
  const [base, arg] = splitPart(kind);
  if (!paper) throw new Error(`reproduce: part ${c.task}/${kind} needs a paper preset (--preset paper)`);
  const name = `${c.task}/${kind}`;
  switch (base) {
    case 'pretrain':
      if (paper.pretrain) return pretrainPart(c, paper.pretrain);
      break;
    case 'scratch':
      if (paper.pretrain) return scratchPart(c);
      break;
    case 'lambda':
      return sweepPart(c, 'lambda', { lambdas: [setting(name, arg, c.preset.lambdas)], dir: kind });
    case 'share':
      return sharePart(c, setting(name, arg, paper.shares[c.task]), kind);
    case 'rl':
      return rlPart(c, { alphas: [setting(name, arg, c.preset.rl.alphas)], dir: kind });
    case 'token-lambda':
      return tokenLambdaPart(c, setting(name, arg, paper.tokenLambdas), kind);
    case 'surrogate-rl': {
      const reward = c.preset.surrogateRl.rewards.find((r) => surrogateLabel(r) === arg);
      if (!reward) throw new Error(`reproduce: part ${name} is not one of this preset's surrogate rewards (${c.preset.surrogateRl.rewards.join(', ')})`);
      return surrogateRlPart(c, { rewards: [reward], steps: paper.surrogateSteps, dir: kind });
    }
  }
  throw new Error(`reproduce: unknown part ${name}`);
}
