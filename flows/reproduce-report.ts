/**
 * DIR/report.md of `asymflow reproduce`: setup and versions, each part's status, backend, device, wall time
 * and exact command lines, then per task the Fig. 3 / Table 1 (Fig. 4) / Fig. 6 / Table 2 (Fig. 10) /
 * Fig. 8 + Table 3 / Table 4 analogues with linked PNGs, and the "Verdicts" section computed from those
 * numbers (src/reproduce/verdicts.ts). Parts not run yet appear as such, and their verdicts as inconclusive.
 */
import { writeFileAtomic } from '../src/io/atomic-write.ts';
import fs from 'node:fs';
import path from 'node:path';
import type { Correlation, Proportion } from '../src/eval/stats.ts';
import { withCaptionGrid } from '../src/model/caption-grid.ts';
import type { ModelSize } from '../src/model/config.ts';
import { getTask } from '../src/tasks/registry.ts';
import type { ReproducePreset, ReproduceTask } from '../src/reproduce/presets.ts';
import {
  bothVerdict, correlationVerdict, differenceCi, gainVerdict, interiorOptimumVerdict, ngdiffVerdict, surrogateOrderVerdict,
  type SettingPoint, type Verdict,
} from '../src/reproduce/verdicts.ts';
import { accuracyCurves, correlationBars, tradeoff } from './reproduce-plots.ts';
import type { DiagnosePartResult, Figures, PrestagePartResult, RlPartResult, SftPartResult, SweepPartResult } from './reproduce-parts.ts';
import { provenanceLines, readPartSummary, type PartSummary, type Versions } from './reproduce-summary.ts';

export interface ReportInput {
  readonly out: string;
  readonly preset: ReproducePreset;
  readonly tasks: readonly ReproduceTask[];
  readonly parts: readonly string[];
  readonly backendRequest: string;
  readonly versions: Versions;
}

const pct = (p: Proportion) => (p.count === 0 ? '–' : (100 * p.value).toFixed(1));
const ci = (p: Proportion) => (p.count === 0 ? '' : ` [${(100 * p.ci95[0]).toFixed(0)}, ${(100 * p.ci95[1]).toFixed(0)}]`);
const cell = (p: Proportion) => `${pct(p)}${ci(p)}`;
const delta = (after: Proportion, before: Proportion) => `${pct(after)} (${after.value >= before.value ? '+' : ''}${(100 * (after.value - before.value)).toFixed(1)})`;
const figuresRow = (label: string, f: Figures) => `| ${label} | ${cell(f.a)} | ${cell(f.ap)} | ${cell(f.ar)} | ${cell(f.arCond)} |`;
const FIG_HEAD = ['| setting | a | a_p | a_r | ã_r |', '|---|---|---|---|---|'];
const missing = (part: string) => `_Not run yet: part \`${part}\` (run \`asymflow reproduce … --resume\` or \`--only ${part}\`)._`;
const link = (out: string, file: string | undefined, alt: string) => (file ? `![${alt}](${path.relative(out, file).split(path.sep).join('/')})` : '');

/** A figure, or a line saying why it is missing: a machine without sharp still gets its tables and verdicts. */
async function figure(out: string, alt: string, draw: () => Promise<string | undefined>): Promise<string> {
  try {
    return link(out, await draw(), alt);
  } catch (error) {
    return `_${alt}: not drawn (${(error as Error).message.split('\n')[0]}); run the same command with --resume where sharp loads to draw it._`;
  }
}
const pointOf = (label: string, x: number, f: Figures): SettingPoint => ({ label, x, a: f.a, ap: f.ap, ar: f.ar });
const notRun = (part: string): Verdict => ({ outcome: 'inconclusive', detail: `part ${part} has not run` });

/** JSON writes NaN (an undefined r) as null; read it back as NaN. */
const revive = (c: Correlation): Correlation => {
  const n = (x: number | null) => (typeof x === 'number' ? x : NaN);
  return { ...c, r: n(c.r), ci95: [n(c.ci95[0]), n(c.ci95[1])] };
};
function reviveDiagnose(d: DiagnosePartResult | undefined): DiagnosePartResult | undefined {
  if (!d) return undefined;
  const s = d.summary;
  const surrogates = Object.fromEntries(Object.entries(s.surrogates).map(([k, c]) => [k, { ...revive(c), mean: c.mean }]));
  return { ...d, summary: { ...s, rRewardPerception: revive(s.rRewardPerception), rRewardReasoning: revive(s.rRewardReasoning), surrogates } };
}

interface TaskSection {
  readonly markdown: string[];
  readonly verdicts: readonly Verdict[]; // findings 1..6
}

async function taskSection(input: ReportInput, task: ReproduceTask): Promise<TaskSection> {
  const { out } = input;
  const plots = path.join(out, 'plots', task);
  const part = <T>(kind: string) => readPartSummary(out, `${task}/${kind}`)?.result as T | undefined;
  const sft = part<SftPartResult>('sft');
  const lambda = part<SweepPartResult>('lambda');
  const ngdiff = part<SweepPartResult>('ngdiff');
  const prestage = part<PrestagePartResult>('prestage');
  const rl = part<RlPartResult>('rl');
  const diag = reviveDiagnose(part<DiagnosePartResult>('diagnose'));
  const surrogate = part<RlPartResult>('surrogate-rl');
  const md: string[] = [`## ${task}`, ''];

  // Fig. 3: standard SFT over steps, from the initial model's evaluation to the final one.
  md.push('### Fig. 3 analogue — standard SFT: accuracies over steps', '');
  const sftCurve = sft ? [{ step: 0, a: sft.init.a.value, ap: sft.init.ap.value, ar: sft.init.ar.value, arCond: sft.init.arCond.value, n: sft.init.a.count }, ...sft.evaluations] : [];
  if (sft) {
    md.push('| step | a | a_p | a_r | ã_r | n |', '|---|---|---|---|---|---|');
    for (const p of sftCurve) md.push(`| ${p.step} | ${(100 * p.a).toFixed(1)} | ${(100 * p.ap).toFixed(1)} | ${(100 * p.ar).toFixed(1)} | ${(100 * p.arCond).toFixed(1)} | ${p.n} |`);
    md.push('', await figure(out, `${task} Fig. 3: SFT accuracies over steps`, () => accuracyCurves([{ run: 'standard SFT', points: sftCurve }], path.join(plots, 'fig3'))), '');
  } else md.push(missing(`${task}/sft`), '');

  // Table 1 and Fig. 4: standard, fixed λ, NGDiff.
  md.push('### Table 1 analogue — SFT objectives (accuracy %, 95% interval), and the Fig. 4 trade-off', '');
  const t1: { label: string; f: Figures }[] = [
    ...(sft ? [{ label: 'standard', f: sft.final }] : []),
    ...(lambda?.rows ?? []).map((r) => ({ label: r.label, f: r as Figures })),
    ...(ngdiff?.rows ?? []).map((r) => ({ label: r.label, f: r as Figures })),
  ];
  if (t1.length > 0) {
    md.push(...FIG_HEAD, ...t1.map((r) => figuresRow(r.label, r.f)), '');
    md.push(await figure(out, `${task} Fig. 4: trade-off`, () => tradeoff(t1.map((r) => ({ setting: r.label, a: r.f.a.value, ap: r.f.ap.value, ar: r.f.ar.value })), path.join(plots, 'fig4'))), '');
  }
  for (const [kind, got] of [['lambda', lambda], ['ngdiff', ngdiff]] as const) if (!got) md.push(missing(`${task}/${kind}`), '');

  // Fig. 6: the perception-only pre-stage before NGDiff.
  md.push('### Fig. 6 analogue — perception-only pre-stage before reweighting', '');
  if (prestage) {
    md.push(...FIG_HEAD);
    const ng = ngdiff?.rows[0];
    if (ng) md.push(figuresRow('NGDiff', ng));
    md.push(figuresRow(`${prestage.prePerceptionSteps} perception steps, then NGDiff`, prestage.final), '');
    const curves = [{ run: `pre-stage (${prestage.prePerceptionSteps}) + NGDiff`, points: prestage.evaluations }, ...(sft ? [{ run: 'standard SFT', points: sft.evaluations }] : [])];
    md.push(await figure(out, `${task} Fig. 6: pre-stage curves`, () => accuracyCurves(curves, path.join(plots, 'fig6'))), '');
  } else md.push(missing(`${task}/prestage`), '');

  // Table 2 and Fig. 10: RL from the SFT checkpoint, α sweep.
  md.push('### Table 2 analogue — RL from the SFT checkpoint, R = α·a_p + (1−α)·a (accuracy %, change from the start), and the Fig. 10 trade-off', '');
  if (rl && rl.runs.length > 0) {
    const init = rl.runs[0].before;
    md.push('| setting | a | a_p | a_r | ã_r |', '|---|---|---|---|---|', figuresRow('SFT checkpoint', init));
    for (const r of rl.runs) md.push(`| ${r.label} | ${delta(r.after.a, r.before.a)} | ${delta(r.after.ap, r.before.ap)} | ${delta(r.after.ar, r.before.ar)} | ${delta(r.after.arCond, r.before.arCond)} |`);
    const rows = [{ setting: 'init', a: init.a.value, ap: init.ap.value, ar: init.ar.value }, ...rl.runs.map((r) => ({ setting: r.label, a: r.after.a.value, ap: r.after.ap.value, ar: r.after.ar.value }))];
    md.push('', await figure(out, `${task} Fig. 10: RL trade-off`, () => tradeoff(rows, path.join(plots, 'fig10'))), '');
  } else md.push(missing(`${task}/rl`), '');

  // Fig. 8 and Table 3: correlations.
  md.push('### Fig. 8 and Table 3 analogues — what the outcome reward tracks, and surrogate reliability', '');
  if (diag) {
    const s = diag.summary;
    const r = (c: { r: number; ci95: readonly [number, number] }) => (Number.isNaN(c.r) ? 'undefined (constant)' : `${c.r.toFixed(3)} [${c.ci95[0].toFixed(3)}, ${c.ci95[1].toFixed(3)}]`);
    md.push(`Over ${s.rollouts} fresh rollouts of the SFT checkpoint (train_rl prompts, temperature ${input.preset.rl.temperature}): mean a ${s.means.a.toFixed(3)}, a_p ${s.means.ap.toFixed(3)}, ã_r ${s.means.arCond.toFixed(3)}; embed encoder in-batch accuracy ${(100 * diag.embed.accuracy).toFixed(1)}%.`, '');
    md.push('| pair | Pearson r [95% CI] |', '|---|---|', `| outcome a vs perception a_p | ${r(s.rRewardPerception)} |`, `| outcome a vs reasoning ã_r | ${r(s.rRewardReasoning)} |`, '');
    md.push('| surrogate reward (Table 3) | mean | r with a_p [95% CI] |', '|---|---|---|');
    for (const [label, c] of Object.entries(s.surrogates)) md.push(`| ${label} | ${c.mean.toFixed(3)} | ${r(c)} |`);
    md.push('', await figure(out, `${task} Fig. 8: correlations`, () => correlationBars(s, path.join(plots, 'fig8.png'))), '');
  } else md.push(missing(`${task}/diagnose`), '');

  // Table 4: RL with each surrogate perception reward.
  const rOf = (reward: string) => {
    if (!diag) return undefined;
    if (reward === 'perception') {
      const m = diag.summary.means.ap; // r(a_p, a_p) is 1 by definition when a_p varies
      return m > 0 && m < 1 ? { r: 1, n: diag.summary.rollouts, ci95: [1, 1] as const } : { r: NaN, n: diag.summary.rollouts, ci95: [NaN, NaN] as const };
    }
    return diag.summary.surrogates[reward];
  };
  md.push(`### Table 4 analogue — RL with surrogate perception rewards (α = ${input.preset.surrogateRl.alpha}; accuracy %, change from the SFT checkpoint)`, '');
  if (surrogate) {
    md.push('| reward | r with a_p | a | a_p | a_r | ã_r |', '|---|---|---|---|---|---|');
    for (const x of surrogate.runs) {
      const c = rOf(x.reward);
      md.push(`| ${x.reward} | ${c && !Number.isNaN(c.r) ? c.r.toFixed(3) : '–'} | ${delta(x.after.a, x.before.a)} | ${delta(x.after.ap, x.before.ap)} | ${delta(x.after.ar, x.before.ar)} | ${delta(x.after.arCond, x.before.arCond)} |`);
    }
    md.push('');
  } else md.push(missing(`${task}/surrogate-rl`), '');

  // The six verdicts for this task.
  const lambdaPoints = (lambda?.rows ?? []).filter((r) => r.x !== null).map((r) => pointOf(r.label, r.x!, r));
  const v1 = sft ? gainVerdict(sft.init, sft.final, `SFT (${sft.steps} steps)`) : notRun(`${task}/sft`);
  const v2 = lambda ? interiorOptimumVerdict(lambdaPoints, 'λ') : notRun(`${task}/lambda`);
  const v3 = lambda && ngdiff?.rows[0] ? ngdiffVerdict(ngdiff.rows[0].a, lambdaPoints) : notRun(`${task}/${lambda ? 'ngdiff' : 'lambda'}`);
  let v4: Verdict = notRun(`${task}/rl`);
  if (rl) {
    const base = rl.runs.find((r) => r.alpha === 0);
    const gain = base ? gainVerdict(base.before, base.after, 'RL with the outcome reward (α=0)') : { outcome: 'inconclusive' as const, detail: 'no α=0 run' };
    v4 = bothVerdict(gain, interiorOptimumVerdict(rl.runs.map((r) => pointOf(r.label, r.alpha, r.after)), 'α'));
  }
  const v5 = diag ? correlationVerdict(diag.summary.rRewardPerception, diag.summary.rRewardReasoning, diag.summary.rollouts) : notRun(`${task}/diagnose`);
  let v6: Verdict = notRun(`${task}/${diag ? 'surrogate-rl' : 'diagnose'}`);
  if (diag && surrogate) {
    v6 = surrogateOrderVerdict(
      surrogate.runs.flatMap((x) => {
        const c = rOf(x.reward);
        return c ? [{ reward: x.reward, r: c, gain: x.after.ap.value - x.before.ap.value, gainCi: differenceCi(x.after.ap, x.before.ap) }] : [];
      }),
    );
  }
  return { markdown: md, verdicts: [v1, v2, v3, v4, v5, v6] };
}

export const FINDINGS = [
  'SFT improves a_r more than a_p',
  'fixed λ shows a trade-off with an interior optimum of a',
  'NGDiff ≥ the best fixed λ',
  'RL improves a_r more than a_p, and α shows a trade-off with an interior optimum',
  'the outcome reward correlates more with ã_r than with a_p',
  'surrogates ordered by their correlation with a_p give perception gains in the same order',
] as const;

function partsTable(input: ReportInput): string[] {
  const lines = ['| part | status | backend | device | wall time | seed | finished |', '|---|---|---|---|---|---|---|'];
  let total = 0;
  for (const p of input.parts) {
    const s = readPartSummary(input.out, p);
    if (s) total += s.wallMs;
    lines.push(s ? `| ${p} | done | ${s.backend} | ${s.device} | ${(s.wallMs / 1000).toFixed(1)} s | ${s.seed} | ${s.finished} |` : `| ${p} | not run | | | | | |`);
  }
  lines.push('', `Total wall time of the finished parts: ${(total / 1000).toFixed(1)} s.`);
  return lines;
}

function commands(input: ReportInput): string[] {
  const lines: string[] = [];
  for (const p of input.parts) {
    const s: PartSummary | undefined = readPartSummary(input.out, p);
    if (!s) continue;
    lines.push(`**${p}**`, '', '```sh', ...s.commands.map((c) => c.split(input.out).join('DIR')), '```', '');
  }
  return lines;
}

export async function writeReport(input: ReportInput): Promise<string> {
  const { out, preset, versions: v } = input;
  const sections: (TaskSection & { task: ReproduceTask })[] = [];
  for (const task of input.tasks) sections.push({ task, ...(await taskSection(input, task)) });
  const label = (x: Verdict) => `**${x.outcome}**`;
  const modelOptions = await Promise.all(input.tasks.map(async (t) => withCaptionGrid((await getTask(t)).captionGrid?.(preset.taskOptions[t]), preset.model as ModelSize, preset.modelOptions[t])));
  const verdicts = FINDINGS.map((claim, i) => `- **(${i + 1}) ${claim}** — ${sections.map((s) => `${s.task}: ${label(s.verdicts[i])} (${s.verdicts[i].detail})`).join('; ')}`);
  const lines = [
    `# Reproducing the perception–reasoning asymmetry (Wu et al., 2026) — preset \`${preset.name}\``,
    '',
    `Written ${new Date().toISOString()} by \`asymflow reproduce --preset ${preset.name} --tasks ${input.tasks.join(',')} --backend ${input.backendRequest} --out DIR\`, DIR being this report's directory.`,
    `Evaluation uses the \`test\` split only (the first N samples, the same N everywhere in a table); training uses \`train_sft\` (SFT, the embed encoder) and \`train_rl\` (RL, the diagnostic's rollouts); nothing was tuned on \`test\`.`,
    ...(preset.name === 'full' ? [] : ['', `**Note:** the \`${preset.name}\` preset trains a ${preset.model} model for ${preset.sft.steps} SFT steps and evaluates ${preset.sft.evalN} samples: it checks that every part runs end to end, and its numbers are noise. Read the verdicts of a \`--preset full\` run.`]),
    '',
    '## Setup',
    '',
    ...provenanceLines(input.parts.map((p) => readPartSummary(out, p)).filter((s) => s !== undefined), v),
    `- model \`${preset.model}\`, seed ${preset.seed}; task options ${input.tasks.map((t) => `${t} ${JSON.stringify(preset.taskOptions[t])}`).join(', ')}; model options (the caption grid filled in where a task has one) ${input.tasks.map((t, i) => `${t} ${JSON.stringify(modelOptions[i])}`).join(', ')}`,
    '',
    '```json',
    JSON.stringify(preset, null, 2),
    '```',
    '',
    '## Parts',
    '',
    ...partsTable(input),
    '',
    ...sections.flatMap((s) => s.markdown),
    '## Verdicts',
    '',
    'Each verdict is computed from the numbers above: a difference of gains is judged on its 95% interval, an optimum must be clear of the ends\' 95% intervals, correlations are compared on their Fisher-z intervals; overlapping intervals give "inconclusive".',
    '',
    ...verdicts,
    '',
    '## Commands',
    '',
    'The equivalent `asymflow` command line of each finished part (every run directory also holds its resolved config.json):',
    '',
    ...commands(input),
  ];
  const file = path.join(out, 'report.md');
  writeFileAtomic(file, `${lines.join('\n')}\n`);
  return file;
}
