/**
 * What every part of `asymflow reproduce` shares (flows/reproduce-parts.ts runs them): the part kinds and
 * context, the result shapes the report reads back, run-directory names and the flags a part's command line shows.
 */
import path from 'node:path';
import { accuracyOf, type Accuracy } from '../src/eval/accuracy.ts';
import type { PerPuzzle } from '../src/eval/per-puzzle.ts';
import type { EvalPoint } from '../src/sft/sft-eval.ts';
import type { DiagnoseSummary } from '../src/rl/diagnose.ts';
import { sftOf, type ReproducePreset, type ReproduceTask } from '../src/reproduce/presets.ts';
import { hasCheckpoint } from '../src/sft/sft-checkpoint.ts';

export const PART_KINDS = ['sft', 'lambda', 'ngdiff', 'prestage', 'rl', 'diagnose', 'surrogate-rl'] as const;
export type PartKind = (typeof PART_KINDS)[number];
/** A paper preset's one-setting parts: `lambda@0.1`, `share@2`, `rl@0.5`, `token-lambda@0.2`, `surrogate-rl@self4`. */
export const GRID_KINDS = ['lambda', 'share', 'rl', 'token-lambda', 'surrogate-rl'] as const;
export type GridKind = (typeof GRID_KINDS)[number];
/** A part's kind and its grid setting: `rl@0.5` → ['rl', '0.5'], `sft` → ['sft', undefined]. */
export const splitPart = (kind: string): [string, string | undefined] => {
  const at = kind.indexOf('@');
  return at < 0 ? [kind, undefined] : [kind.slice(0, at), kind.slice(at + 1)];
};

export interface PartContext {
  readonly out: string; // the reproduce directory
  readonly task: ReproduceTask;
  readonly preset: ReproducePreset;
  readonly backend: { readonly name: string; readonly device: string };
  readonly log: (line: string) => void;
}

/** The four disentangled figures of one evaluation, with its outcomes puzzle by puzzle. */
export interface Figures extends Accuracy {
  readonly perPuzzle?: PerPuzzle; // for the paired tests (absent in parts recorded before it existed)
}

export interface SftPartResult {
  readonly init: Figures;
  readonly final: Figures;
  readonly evaluations: readonly EvalPoint[];
  readonly steps: number;
  readonly runDir: string;
  readonly share?: number; // a paper preset's: the perception token share of the targets it trained on
}
/** A paper preset's `pretrain`: the stage's own evaluation (on val) after its steps. */
export interface PretrainPartResult {
  readonly final: Figures;
  readonly steps: number;
  readonly runDir: string;
}
/** A paper preset's `share@V`: standard SFT at trace verbosity V (the dose–response of H1). */
export interface SharePartResult {
  readonly verbosity: number;
  readonly share: number; // measured on its targets (src/reproduce/perception-share.ts)
  readonly final: Figures;
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
  readonly rRewardPerception?: number; // r(R, a_p) over the run's rollouts (Fig. 11); absent in parts recorded before it
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
  readonly result: SftPartResult | SweepPartResult | PrestagePartResult | RlPartResult | DiagnosePartResult | SharePartResult | PretrainPartResult;
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

export const pairs = (o: Readonly<Record<string, unknown>>) => Object.entries(o).map(([k, v]) => `${k}=${String(v)}`);
export const figures = (f: Figures): Figures => ({ ...accuracyOf(f), ...(f.perPuzzle ? { perPuzzle: f.perPuzzle } : {}) });
export const partDir = (c: Pick<PartContext, 'out' | 'task'>, kind: string, ...rest: string[]) => path.join(c.out, c.task, kind, ...rest);
export const sftCheckpoint = (c: Pick<PartContext, 'out' | 'task'>) => partDir(c, 'sft', 'standard', 'checkpoints');
export const embedDir = (c: Pick<PartContext, 'out' | 'task'>) => partDir(c, 'diagnose', 'embed');
/** A paper preset's pre-post-training run (part `pretrain`), which its SFT parts start from. */
export const pretrainDir = (c: Pick<PartContext, 'out' | 'task'>) => partDir(c, 'pretrain', 'run');

/** The teacher a paper preset names `teacher:prestage`: the pre-stage + NGDiff checkpoint, trained for perception. */
export const prestageCheckpoint = (c: Pick<PartContext, 'out' | 'task'>) => partDir(c, 'prestage', 'prestage-ngdiff', 'checkpoints');

/** A preset reward with `teacher:prestage` resolved to that checkpoint (which must exist). */
export function resolveReward(c: Pick<PartContext, 'out' | 'task'>, reward: string): string {
  if (reward !== 'teacher:prestage') return reward;
  const dir = prestageCheckpoint(c);
  if (!hasCheckpoint(dir)) throw new Error(`reproduce: the teacher reward of ${c.task} is the pre-stage checkpoint ${dir}; run part ${c.task}/prestage first`);
  return `teacher:${dir}`;
}

/** A paper preset's pretrain run directory, which must hold its checkpoint. */
export function needPretrain(c: Pick<PartContext, 'out' | 'task'>): string {
  const dir = pretrainDir(c);
  if (!hasCheckpoint(path.join(dir, 'checkpoints')))
    throw new Error(`reproduce: the SFT parts of ${c.task} start from ${dir}; run part ${c.task}/pretrain first`);
  return dir;
}

/** SFT training flags shared by every SFT part (CLI names; resolved by resolveSftConfig like the CLI). */
export function sftFlags(c: PartContext): Record<string, unknown> {
  const s = sftOf(c.preset, c.task);
  return {
    task: c.task,
    model: c.preset.model,
    steps: s.steps,
    batch: s.batch,
    lr: s.lr,
    warmupSteps: s.warmupSteps,
    trainN: s.trainN,
    evalN: s.evalN,
    evalSplit: 'test',
    evalBatch: s.evalBatch, // the report's tables: test (settings were chosen before, see provenance)
    evalMaxTokens: c.preset.maxTokens[c.task],
    bucket: s.bucket,
    seed: c.preset.seed,
    backend: c.backend.name,
    plots: false, // the report draws its own figures, after the parts (sharp may be missing where the parts train)
    ...(c.preset.paper?.pretrain ? { init: needPretrain(c) } : {}),
  };
}

/** CLI flags with the preset's task and model knobs appended as --task-option / --model-option. */
export function withKnobs(c: PartContext, flags: Record<string, unknown>, model = true): Record<string, unknown> {
  return { ...flags, taskOption: pairs(c.preset.taskOptions[c.task]), ...(model ? { modelOption: pairs(c.preset.modelOptions[c.task]) } : {}) };
}
