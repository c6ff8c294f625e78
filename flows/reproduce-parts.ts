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
import { generatedSamples } from '../src/data/generated-samples.ts';
import type { Proportion } from '../src/eval/stats.ts';
import type { PerPuzzle } from '../src/eval/per-puzzle.ts';
import { modelConfig, type ModelSize } from '../src/model/config.ts';
import { createVlm, disposeVlm } from '../src/model/vlm.ts';
import type { Sample } from '../src/records.ts';
import { disposeEncoder, saveEncoder } from '../src/rl/embed/encoder.ts';
import { trainEmbed, TRAIN_EMBED_DEFAULTS } from '../src/rl/embed/train-embed.ts';
import { resolveRlConfig } from '../src/rl/rl-config.ts';
import type { EvalFigures } from '../src/rl/rl-eval.ts';
import { rewardName, parseRewardSpec } from '../src/rl/reward-spec.ts';
import { sftOf, type ReproducePreset, type ReproduceTask } from '../src/reproduce/presets.ts';
import { hasCheckpoint } from '../src/sft/sft-checkpoint.ts';
import { resolveSftConfig } from '../src/sft/sft-config.ts';
import { evaluateModel } from '../src/sft/sft-eval.ts';
import type { EvalPoint } from '../src/sft/sft-eval.ts';
import type { SftSummary } from '../src/sft/sft-summary.ts';
import { sweepSettings } from '../src/sft/sweep-table.ts';
import type { DiagnoseSummary } from '../src/rl/diagnose.ts';
import { withCaptionGrid } from '../src/model/caption-grid.ts';
import { getTask } from '../src/tasks/registry.ts';
import { runDiagnose } from './diagnose.ts';
import { runRl, type RlSummary } from './rl.ts';
import { runSft } from './sft.ts';
import { runSweepRl } from './sweep-rl.ts';
import { runSweepSft } from './sweep-sft.ts';

export const PART_KINDS = ['sft', 'lambda', 'ngdiff', 'prestage', 'rl', 'diagnose', 'surrogate-rl'] as const;
export type PartKind = (typeof PART_KINDS)[number];

export interface PartContext {
  readonly out: string; // the reproduce directory
  readonly task: ReproduceTask;
  readonly preset: ReproducePreset;
  readonly backend: { readonly name: string; readonly device: string };
  readonly log: (line: string) => void;
}

/** The four disentangled figures of one evaluation. */
export interface Figures {
  readonly a: Proportion;
  readonly ap: Proportion;
  readonly ar: Proportion;
  readonly arCond: Proportion;
  readonly perPuzzle?: PerPuzzle; // for the paired tests (absent in parts recorded before it existed)
}

export interface SftPartResult {
  readonly init: Figures;
  readonly final: Figures;
  readonly evaluations: readonly EvalPoint[];
  readonly steps: number;
  readonly runDir: string;
}
export interface SweepPartResult {
  readonly rows: readonly ({ readonly label: string; readonly objective: string; readonly x: number | null } & Figures)[];
}
export interface PrestagePartResult {
  readonly final: Figures;
  readonly evaluations: readonly EvalPoint[];
  readonly prePerceptionSteps: number;
  readonly runDir: string;
}
export interface RlRunResult {
  readonly label: string;
  readonly alpha: number;
  readonly reward: string;
  readonly before: Figures;
  readonly after: Figures;
}
export interface RlPartResult {
  readonly runs: readonly RlRunResult[];
  readonly table: string; // the sweep's own Table-2 markdown
}
export interface DiagnosePartResult {
  readonly summary: DiagnoseSummary;
  readonly embed: { readonly loss: number; readonly accuracy: number };
}

export interface PartOutput {
  readonly commands: readonly string[];
  readonly result: SftPartResult | SweepPartResult | PrestagePartResult | RlPartResult | DiagnosePartResult;
}

/** `asymflow VERB --flag value …` for flags named as the commander options are (camelCase → kebab-case). */
export function cliLine(verb: string, flags: Readonly<Record<string, unknown>>): string {
  const parts = [`asymflow ${verb}`];
  for (const [key, value] of Object.entries(flags)) {
    if (value === undefined) continue;
    const flag = `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
    if (value === false) {
      parts.push(`--no-${flag.slice(2)}`); // commander's negatable form, e.g. --no-plots
      continue;
    }
    if (value === true) parts.push(flag);
    else if (Array.isArray(value)) for (const v of value) parts.push(`${flag} ${String(v)}`);
    else parts.push(`${flag} ${String(value)}`);
  }
  return parts.join(' ');
}

const pairs = (o: Readonly<Record<string, unknown>>) => Object.entries(o).map(([k, v]) => `${k}=${String(v)}`);
const figures = (f: Figures): Figures => ({ a: f.a, ap: f.ap, ar: f.ar, arCond: f.arCond, ...(f.perPuzzle ? { perPuzzle: f.perPuzzle } : {}) });
export const partDir = (c: Pick<PartContext, 'out' | 'task'>, kind: PartKind, ...rest: string[]) => path.join(c.out, c.task, kind, ...rest);
export const sftCheckpoint = (c: Pick<PartContext, 'out' | 'task'>) => partDir(c, 'sft', 'standard', 'checkpoints');
export const embedDir = (c: Pick<PartContext, 'out' | 'task'>) => partDir(c, 'diagnose', 'embed');

/** SFT training flags shared by every SFT part (CLI names; resolved by resolveSftConfig like the CLI). */
function sftFlags(c: PartContext): Record<string, unknown> {
  const s = sftOf(c.preset, c.task);
  return {
    task: c.task, model: c.preset.model, steps: s.steps, batch: s.batch, lr: s.lr, warmupSteps: s.warmupSteps, trainN: s.trainN,
    evalN: s.evalN, evalSplit: 'test', evalBatch: s.evalBatch, // the report's tables: test (settings were chosen before, see provenance)
    evalMaxTokens: c.preset.maxTokens[c.task], bucket: s.bucket, seed: c.preset.seed, backend: c.backend.name,
    plots: false, // the report draws its own figures, after the parts (sharp may be missing where the parts train)
  };
}

/** CLI flags with the preset's task and model knobs appended as --task-option / --model-option. */
function withKnobs(c: PartContext, flags: Record<string, unknown>, model = true): Record<string, unknown> {
  return { ...flags, taskOption: pairs(c.preset.taskOptions[c.task]), ...(model ? { modelOption: pairs(c.preset.modelOptions[c.task]) } : {}) };
}

async function runSftPart(c: PartContext, objective: string, dir: string, extra: Record<string, unknown>): Promise<{ summary: SftSummary; command: string }> {
  const flags = { objective, ...sftFlags(c), ...extra, checkpointEvery: sftOf(c.preset, c.task).evalEvery, out: dir };
  // the part owns its run directory: one killed before its first checkpoint is started over
  const config = resolveSftConfig({ ...flags, resume: hasCheckpoint(path.join(dir, 'checkpoints')), overwrite: true });
  const result = await runSft({ config, taskOptions: c.preset.taskOptions[c.task], modelOptions: c.preset.modelOptions[c.task], log: (l) => c.log(`  ${l}`) });
  if (!result.summary) throw new Error(`reproduce: the SFT run in ${dir} ended without a summary`);
  return { summary: result.summary, command: cliLine('sft', withKnobs(c, flags)) };
}

/** The initial model (same seed, so the same weights the SFT run starts from) on the same test samples. */
async function initialEvaluation(c: PartContext): Promise<Figures> {
  const s = sftOf(c.preset, c.task);
  const task = await getTask(c.task);
  const mc = modelConfig(c.preset.model as ModelSize, withCaptionGrid(task.captionGrid?.(c.preset.taskOptions[c.task]), c.preset.model as ModelSize, c.preset.modelOptions[c.task]));
  const samples: Sample[] = [];
  for await (const x of generatedSamples(task, { split: 'test', n: s.evalN, seed: c.preset.seed, options: { ...c.preset.taskOptions[c.task], inputSize: mc.inputSize } })) samples.push(x);
  const model = createVlm(mc, c.preset.seed);
  try {
    const e = await evaluateModel(model, task, samples, 0, { mode: 'both', temperature: 0, topP: 1, maxTokens: c.preset.maxTokens[c.task], seed: c.preset.seed, batchSize: s.evalBatch });
    return figures({ ...e.summary, perPuzzle: e.perPuzzle });
  } finally {
    disposeVlm(model);
  }
}

async function sftPart(c: PartContext): Promise<PartOutput> {
  const init = await initialEvaluation(c);
  const dir = partDir(c, 'sft', 'standard');
  const { summary, command } = await runSftPart(c, 'standard', dir, { evalEvery: sftOf(c.preset, c.task).evalEvery });
  return {
    commands: [`(initial model: the same evaluation in-process on the seed-${c.preset.seed} weights, step 0)`, command],
    result: { init, final: figures(summary), evaluations: summary.evaluations, steps: summary.steps, runDir: dir } satisfies SftPartResult,
  };
}

async function sweepPart(c: PartContext, kind: 'lambda' | 'ngdiff'): Promise<PartOutput> {
  const out = partDir(c, kind);
  const settings = kind === 'lambda' ? sweepSettings(c.preset.lambdas, []) : sweepSettings([], ['ngdiff']);
  const flags = { ...sftFlags(c), checkpointEvery: sftOf(c.preset, c.task).evalEvery, out };
  const { table } = await runSweepSft({
    base: resolveSftConfig(flags),
    settings,
    out,
    taskOptions: c.preset.taskOptions[c.task],
    modelOptions: c.preset.modelOptions[c.task],
    log: (l) => c.log(`  ${l}`),
  });
  const list = kind === 'lambda' ? { lambda: c.preset.lambdas.join(',') } : { with: 'ngdiff' };
  return {
    commands: [cliLine('sweep sft', withKnobs(c, { ...list, ...flags }))],
    result: {
      rows: table.rows.map((r) => ({
        label: r.setting, objective: r.objective, x: r.objective.startsWith('lambda:') ? Number(r.objective.slice(7)) : null,
        ...figures({ ...r, perPuzzle: readSftSummary(path.join(out, r.name)).perPuzzle }),
      })),
    } satisfies SweepPartResult,
  };
}

async function prestagePart(c: PartContext): Promise<PartOutput> {
  const dir = partDir(c, 'prestage', 'prestage-ngdiff');
  const k = c.preset.prestageSteps;
  const { summary, command } = await runSftPart(c, 'ngdiff', dir, { prePerceptionSteps: k, evalEvery: sftOf(c.preset, c.task).evalEvery });
  return { commands: [command], result: { final: figures(summary), evaluations: summary.evaluations, prePerceptionSteps: k, runDir: dir } satisfies PrestagePartResult };
}

function needSft(c: PartContext): string {
  const init = sftCheckpoint(c);
  if (!hasCheckpoint(init)) throw new Error(`reproduce: parts rl, diagnose and surrogate-rl of ${c.task} need the SFT checkpoint ${init}; run part ${c.task}/sft first`);
  return init;
}

/** RL flags shared by the α sweep and the surrogate runs (CLI names of `asymflow rl`). */
function rlFlags(c: PartContext, init: string): Record<string, unknown> {
  const r = c.preset.rl;
  const m = c.preset.maxTokens[c.task];
  return {
    task: c.task, init, reward: 'perception', steps: r.steps, prompts: r.prompts, group: r.group, lr: r.lr, maxTokens: m,
    rolloutBatch: r.rolloutBatch, temperature: r.temperature, evalTemperature: 0, bucket: sftOf(c.preset, c.task).bucket, evalN: r.evalN, evalSplit: 'test', evalMaxTokens: m, scoreThreads: c.preset.scoreThreads, checkpointEvery: 1, seed: c.preset.seed,
    backend: c.backend.name,
  };
}

const readSftSummary = (dir: string) => JSON.parse(fs.readFileSync(path.join(dir, 'summary.json'), 'utf8')) as SftSummary;
const readRlSummary = (dir: string) => JSON.parse(fs.readFileSync(path.join(dir, 'summary.json'), 'utf8')) as RlSummary;

function rlRunResult(label: string, alpha: number, reward: string, s: RlSummary, dir: string): RlRunResult {
  if (!s.before || !s.after) throw new Error(`reproduce: the RL run in ${dir} has no before/after evaluation`);
  return { label, alpha, reward, before: figures(s.before), after: figures(s.after) };
}

async function rlPart(c: PartContext): Promise<PartOutput> {
  const out = partDir(c, 'rl');
  const flags = rlFlags(c, needSft(c));
  const alphas = c.preset.rl.alphas;
  await runSweepRl({
    base: resolveRlConfig({ ...flags, alpha: 0, out: path.join(out, 'alpha-x') }),
    alphas,
    out,
    taskOptions: c.preset.taskOptions[c.task],
    backend: c.backend,
    plot: false, // drawn by the report (Fig. 10)
    log: (l) => c.log(`  ${l}`),
  });
  const runs = alphas.map((alpha) => rlRunResult(`α=${alpha}`, alpha, 'perception', readRlSummary(path.join(out, `alpha-${alpha}`)), path.join(out, `alpha-${alpha}`)));
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
  const embedFlags = { task: c.task, inputSize: mc.inputSize, samples: e.samples, steps: e.steps, batch: e.batch, seed: c.preset.seed, backend: c.backend.name, out: embed };
  const task = await getTask(c.task);
  const trained = await trainEmbed(task, { ...TRAIN_EMBED_DEFAULTS, ...embedFlags, taskOptions: c.preset.taskOptions[c.task] });
  await saveEncoder(embed, trained.encoder, { task: c.task, loss: trained.loss, accuracy: trained.accuracy, config: embedFlags });
  disposeEncoder(trained.encoder);
  c.log(`  train-embed: loss ${trained.loss.toFixed(3)}, in-batch accuracy ${(100 * trained.accuracy).toFixed(1)}%`);

  const d = c.preset.diagnose;
  const m = c.preset.maxTokens[c.task];
  const out = partDir(c, 'diagnose', 'run');
  const flags = {
    checkpoint: init, task: c.task, n: d.n, rewards: d.rewards.join(','), embed, temperature: c.preset.rl.temperature, maxTokens: m, batch: d.batch, bucket: sftOf(c.preset, c.task).bucket, seed: c.preset.seed,
    scoreThreads: c.preset.scoreThreads, backend: c.backend.name, out,
  };
  const summary = await runDiagnose({
    ...flags, rewards: d.rewards, taskOptions: c.preset.taskOptions[c.task], config: flags, log: (l) => c.log(`  ${l}`),
    overwrite: true, // an interrupted part's diagnose has no checkpoint: it is redone
  });
  return {
    commands: [cliLine('train-embed', withKnobs(c, embedFlags, false)), cliLine('diagnose', withKnobs(c, flags, false))],
    result: { summary: { rollouts: summary.rollouts, rRewardPerception: summary.rRewardPerception, rRewardReasoning: summary.rRewardReasoning, means: summary.means, surrogates: summary.surrogates, values: summary.values }, embed: { loss: trained.loss, accuracy: trained.accuracy } } satisfies DiagnosePartResult,
  };
}

async function surrogateRlPart(c: PartContext): Promise<PartOutput> {
  const base = rlFlags(c, needSft(c));
  const { alpha, rewards } = c.preset.surrogateRl;
  const commands: string[] = [];
  const runs: RlRunResult[] = [];
  for (const reward of rewards) {
    const needsEmbed = parseRewardSpec(reward).kind === 'embed';
    if (needsEmbed && !fs.existsSync(path.join(embedDir(c), 'embed.json'))) {
      throw new Error(`reproduce: part ${c.task}/surrogate-rl needs the encoder ${embedDir(c)}; run part ${c.task}/diagnose first`);
    }
    const dir = partDir(c, 'surrogate-rl', rewardName(parseRewardSpec(reward)));
    const flags = { ...base, reward, alpha, selfMaxTokens: c.preset.maxTokens[c.task], ...(needsEmbed ? { embed: embedDir(c) } : {}), out: dir };
    commands.push(cliLine('rl', withKnobs(c, flags, false)));
    // The oracle reward at an α the sweep already ran is that very run (same init, seed and settings).
    const sweepRun = partDir(c, 'rl', `alpha-${alpha}`);
    if (reward === 'perception' && fs.existsSync(path.join(sweepRun, 'summary.json')) && readRlSummary(sweepRun).completed) {
      c.log(`  surrogate rl: perception at α=${alpha} is the α sweep's run ${sweepRun}; reused`);
      commands.pop();
      commands.push(`(perception: the α=${alpha} run of part ${c.task}/rl, ${sweepRun})`);
      runs.push(rlRunResult(reward, alpha, reward, readRlSummary(sweepRun), sweepRun));
      continue;
    }
    const done = fs.existsSync(path.join(dir, 'summary.json')) && readRlSummary(dir).completed;
    if (done) c.log(`  surrogate rl: ${reward} already done in ${dir}`);
    else await runRl({ config: resolveRlConfig({ ...flags, resume: true }), taskOptions: c.preset.taskOptions[c.task], backend: c.backend, log: (l) => c.log(`  [${reward}] ${l}`) });
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
