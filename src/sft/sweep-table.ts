/**
 * A sweep of SFT objectives as the paper's Table 1 (objective → a, a_p, a_r, ã_r) and the rows of its
 * Fig. 4 trade-off plot (sweep.json, read by src/plot/tradeoff-spec.ts). Also the sweep's settings: which
 * objectives a `--lambda` list and `--with standard,ngdiff` stand for, each with its run-directory name.
 */
import path from 'node:path';
import { accuracyOf, accuracyValues, type Accuracy } from '../eval/accuracy.ts';
import type { Proportion } from '../eval/stats.ts';
import type { SweepRow } from '../plot/tradeoff-spec.ts';
import type { SftObjective } from './objective-spec.ts';
import { resolveSftConfig, type SftConfig } from './sft-config.ts';
import type { SftSummary } from './sft-summary.ts';

export interface SweepSetting {
  readonly name: string; // run directory name: standard, lambda-0.2, ngdiff
  readonly objective: SftObjective;
  readonly label: string; // table and plot label: standard, λ=0.2, NGDiff
}

export const SWEEP_EXTRAS = ['standard', 'ngdiff'] as const;

/** Parses `0.1,0.2,0.5` (each in [0, 1]) with an exact message. */
export function parseLambdaList(text: string): number[] {
  const parts = text.split(',').map((p) => p.trim());
  const values = parts.map(Number);
  if (text.trim() === '' || parts.some((p, i) => p === '' || !Number.isFinite(values[i]) || values[i] < 0 || values[i] > 1)) {
    throw new Error(`sweep: --lambda must be a comma-separated list of numbers in [0, 1], got '${text}'`);
  }
  return values;
}

/** Parses `standard,ngdiff` with an exact message. */
export function parseWithList(text: string): (typeof SWEEP_EXTRAS)[number][] {
  const parts = text.split(',').map((p) => p.trim());
  const bad = parts.find((p) => !(SWEEP_EXTRAS as readonly string[]).includes(p));
  if (text.trim() === '' || bad !== undefined) throw new Error(`sweep: --with must list standard and/or ngdiff, got '${text}'`);
  return parts as (typeof SWEEP_EXTRAS)[number][];
}

/** The settings in table order: standard, the λs ascending (duplicates once), NGDiff. */
export function sweepSettings(lambdas: readonly number[], extras: readonly string[]): SweepSetting[] {
  const settings: SweepSetting[] = [];
  if (extras.includes('standard')) settings.push({ name: 'standard', objective: { kind: 'standard' }, label: 'standard' });
  for (const l of [...new Set(lambdas)].sort((x, y) => x - y))
    settings.push({ name: `lambda-${l}`, objective: { kind: 'lambda', lambda: l }, label: `λ=${l}` });
  if (extras.includes('ngdiff')) settings.push({ name: 'ngdiff', objective: { kind: 'ngdiff' }, label: 'NGDiff' });
  if (settings.length === 0) throw new Error('sweep: nothing to run; give --lambda and/or --with standard,ngdiff');
  return settings;
}

/**
 * One setting's run in SWEEP/<name>, resolved and checked like any run (the sweep's base config is no run):
 * the sweep owns the directory, so a run without a checkpoint there starts over (`resume` says whether one is).
 */
export function settingConfig(base: SftConfig, setting: SweepSetting, sweepOut: string, resume = false): SftConfig {
  return resolveSftConfig({ ...base, objective: setting.objective, out: path.join(sweepOut, setting.name), stopAfter: 0, record: '', resume, overwrite: true });
}

export interface TableRow extends Accuracy {
  readonly setting: string; // the label
  readonly name: string;
  readonly objective: SftObjective;
  readonly steps: number;
  readonly weightsSha256: string;
}

export interface SweepTable {
  readonly task: string;
  readonly model: string;
  readonly steps: number;
  readonly evalN: number;
  readonly evalSplit?: string; // absent in tables written when every sweep evaluated on test
  readonly rows: readonly TableRow[];
}

export function tableRow(setting: SweepSetting, s: SftSummary): TableRow {
  return { setting: setting.label, name: setting.name, objective: setting.objective, ...accuracyOf(s), steps: s.steps, weightsSha256: s.weightsSha256 };
}

/** The trade-off plot's rows (value of each proportion). */
export function sweepRows(table: SweepTable): SweepRow[] {
  return table.rows.map((r) => ({ setting: r.setting, ...accuracyValues(r) }));
}

const cell = (p: Proportion) => (p.count === 0 ? '–' : (100 * p.value).toFixed(1));

/** Markdown in the layout of the paper's Table 1: accuracies in %, counts in the caption. */
export function tableMarkdown(table: SweepTable): string {
  const counts = table.rows[0] ? `${table.rows[0].a.count} end-to-end / ${table.rows[0].ar.count} counterfactual completions` : 'no rows';
  const lines = [
    `SFT on ${table.task}, model ${table.model}, ${table.steps} steps; accuracy in % on ${table.evalN} held-out ${table.evalSplit ?? 'test'} samples (${counts}).`,
    '',
    '| objective | a | a_p | a_r | ã_r |',
    '| --- | ---: | ---: | ---: | ---: |',
    ...table.rows.map((r) => `| ${r.setting} | ${cell(r.a)} | ${cell(r.ap)} | ${cell(r.ar)} | ${cell(r.arCond)} |`),
  ];
  return `${lines.join('\n')}\n`;
}
