/**
 * The SFT parts of `asymflow reproduce` (sft, lambda, ngdiff, prestage): calls into the SFT flows with the
 * preset's sizes, each with the `asymflow …` command line that does the same thing.
 */
import fs from 'node:fs';
import path from 'node:path';
import { generatedSamples } from '../src/data/generated-samples.ts';
import { withCaptionGrid } from '../src/model/caption-grid.ts';
import { modelConfig, type ModelSize } from '../src/model/config.ts';
import { createVlm, disposeVlm } from '../src/model/vlm.ts';
import { loadCheckpoint } from '../src/model/checkpoint.ts';
import { resolveCheckpointDir } from '../src/model/checkpoint-dir.ts';
import type { Sample } from '../src/records.ts';
import { sftOf } from '../src/reproduce/presets.ts';
import { objectiveName } from '../src/sft/objective-spec.ts';
import { hasCheckpoint } from '../src/sft/sft-checkpoint.ts';
import { resolveSftConfig } from '../src/sft/sft-config.ts';
import { evaluateAtStep } from '../src/sft/sft-eval.ts';
import type { SftSummary } from '../src/sft/sft-summary.ts';
import { sweepSettings } from '../src/sft/sweep-table.ts';
import { getTask } from '../src/tasks/registry.ts';
import type { TaskOptions } from '../src/tasks/task.ts';
import { perceptionShare, type PerceptionShare } from '../src/reproduce/perception-share.ts';
import {
  cliLine,
  figures,
  needPretrain,
  partDir,
  sftFlags,
  withKnobs,
  type Figures,
  type PartContext,
  type PartOutput,
  type PrestagePartResult,
  type SftPartResult,
  type SweepPartResult,
} from './reproduce-part-kit.ts';
import { runSft } from './sft.ts';
import { runSweepSft } from './sweep-sft.ts';

/** Steps between an SFT part's checkpoints: the preset's, else its evaluation spacing. */
export const checkpointSpacing = (c: PartContext): number => sftOf(c.preset, c.task).checkpointEvery ?? sftOf(c.preset, c.task).evalEvery;

export const readSftSummary = (dir: string) => JSON.parse(fs.readFileSync(path.join(dir, 'summary.json'), 'utf8')) as SftSummary;

export async function runSftPart(
  c: PartContext,
  objective: string,
  dir: string,
  extra: Record<string, unknown>,
): Promise<{ summary: SftSummary; command: string }> {
  const flags = { objective, ...sftFlags(c), ...extra, checkpointEvery: checkpointSpacing(c), out: dir };
  // the part owns its run directory: one killed before its first checkpoint is started over
  const config = resolveSftConfig({ ...flags, resume: hasCheckpoint(path.join(dir, 'checkpoints')), overwrite: true });
  const result = await runSft({ config, taskOptions: c.preset.taskOptions[c.task], modelOptions: c.preset.modelOptions[c.task], log: (l) => c.log(`  ${l}`) });
  if (!result.summary) throw new Error(`reproduce: the SFT run in ${dir} ended without a summary`);
  return { summary: result.summary, command: cliLine('sft', withKnobs(c, flags)) };
}

/**
 * The initial model on the same test samples: the seed's fresh weights (the same the SFT run starts from), or
 * with `fresh` false and a paper preset's pre-stage the pretrain checkpoint the SFT parts start from.
 */
export async function initialEvaluation(c: PartContext, fresh = false): Promise<Figures> {
  const s = sftOf(c.preset, c.task);
  const task = await getTask(c.task);
  const mc = modelConfig(
    c.preset.model as ModelSize,
    withCaptionGrid(task.captionGrid?.(c.preset.taskOptions[c.task]), c.preset.model as ModelSize, c.preset.modelOptions[c.task]),
  );
  const samples: Sample[] = [];
  for await (const x of generatedSamples(task, {
    split: 'test',
    n: s.evalN,
    seed: c.preset.seed,
    options: { ...c.preset.taskOptions[c.task], inputSize: mc.inputSize },
  }))
    samples.push(x);
  const init = c.preset.paper?.pretrain && !fresh ? await loadCheckpoint(resolveCheckpointDir(needPretrain(c))) : undefined;
  init?.optimizer?.dispose();
  const model = init?.model ?? createVlm(mc, c.preset.seed);
  try {
    const e = await evaluateAtStep(model, task, samples, 0, {
      mode: 'both',
      temperature: 0,
      topP: 1,
      maxTokens: c.preset.maxTokens[c.task],
      seed: c.preset.seed,
      batchSize: s.evalBatch,
    });
    return figures({ ...e.summary, perPuzzle: e.perPuzzle });
  } finally {
    disposeVlm(model);
  }
}

export async function sftPart(c: PartContext): Promise<PartOutput> {
  const init = await initialEvaluation(c);
  const dir = partDir(c, 'sft', 'standard');
  const { summary, command } = await runSftPart(c, 'standard', dir, { evalEvery: sftOf(c.preset, c.task).evalEvery });
  return {
    commands: [`(initial model: the same evaluation in-process on the seed-${c.preset.seed} weights, step 0)`, command],
    result: {
      init,
      final: figures(summary),
      evaluations: summary.evaluations,
      steps: summary.steps,
      runDir: dir,
      ...(c.preset.paper ? { share: (await targetShare(c, c.preset.taskOptions[c.task])).share } : {}),
    } satisfies SftPartResult,
  };
}

/** The λ or NGDiff sweep; a paper preset's `lambda@X` part runs one λ into its own directory. */
/** The perception share of the targets a part trains on: the first (up to 256) of its train_sft puzzles. */
export async function targetShare(c: PartContext, options: TaskOptions): Promise<PerceptionShare> {
  const task = await getTask(c.task);
  const { maxText } = modelConfig(c.preset.model as ModelSize, c.preset.modelOptions[c.task]);
  return perceptionShare(task, options, maxText, Math.min(sftOf(c.preset, c.task).trainN, 256), c.preset.seed);
}

export async function sweepPart(
  c: PartContext,
  kind: 'lambda' | 'ngdiff',
  grid?: { readonly lambdas: readonly number[]; readonly dir: string },
): Promise<PartOutput> {
  const out = partDir(c, grid?.dir ?? kind);
  const lambdas = grid?.lambdas ?? c.preset.lambdas;
  const settings = kind === 'lambda' ? sweepSettings(lambdas, []) : sweepSettings([], ['ngdiff']);
  const flags = { ...sftFlags(c), checkpointEvery: checkpointSpacing(c), out };
  const { table } = await runSweepSft({
    base: resolveSftConfig(flags),
    settings,
    out,
    taskOptions: c.preset.taskOptions[c.task],
    modelOptions: c.preset.modelOptions[c.task],
    log: (l) => c.log(`  ${l}`),
  });
  const list = kind === 'lambda' ? { lambda: lambdas.join(',') } : { with: 'ngdiff' };
  return {
    commands: [cliLine('sweep sft', withKnobs(c, { ...list, ...flags }))],
    result: {
      rows: table.rows.map((r) => ({
        label: r.setting,
        objective: objectiveName(r.objective),
        x: r.objective.kind === 'lambda' ? r.objective.lambda : null,
        ...figures({ ...r, perPuzzle: readSftSummary(path.join(out, r.name)).perPuzzle }),
      })),
    } satisfies SweepPartResult,
  };
}

export async function prestagePart(c: PartContext): Promise<PartOutput> {
  const dir = partDir(c, 'prestage', 'prestage-ngdiff');
  const k = c.preset.prestageSteps;
  const { summary, command } = await runSftPart(c, 'ngdiff', dir, { prePerceptionSteps: k, evalEvery: sftOf(c.preset, c.task).evalEvery });
  return {
    commands: [command],
    result: { final: figures(summary), evaluations: summary.evaluations, prePerceptionSteps: k, runDir: dir } satisfies PrestagePartResult,
  };
}
