/**
 * DIR/report.md of `asymflow reproduce`: what chose each setting (a warning first when any was chosen on
 * `test`), setup and versions, each part's status, backend, device, wall time and exact command lines, then
 * per task the Fig. 3 / Table 1 (Fig. 4) / Fig. 6 / Table 2 (Fig. 10) / Fig. 8 + Table 3 / Table 4 analogues
 * with linked PNGs (mean and per-seed spread when several seeds ran), and the "Verdicts" section: every
 * check of every finding (src/reproduce/verdicts.ts) judged together at α = 0.05 with Holm's correction.
 * Parts not run yet appear as such, and the checks that need them as "not run".
 */
import { accuracyValues } from '../src/eval/accuracy.ts';
import { writeFileAtomic } from '../src/io/atomic-write.ts';
import fs from 'node:fs';
import path from 'node:path';
import type { Correlation } from '../src/eval/stats.ts';
import { withCaptionGrid } from '../src/model/caption-grid.ts';
import type { ModelSize } from '../src/model/config.ts';
import { getTask } from '../src/tasks/registry.ts';
import type { ReproducePreset, ReproduceTask } from '../src/reproduce/presets.ts';
import { settingLines } from '../src/reproduce/provenance.ts';
import { ALPHA, checkLine, combine, judge, type Check } from '../src/reproduce/checks.ts';
import { FINDINGS, type SeedParts } from '../src/reproduce/verdicts.ts';
import { accuracyCurves, correlationBars, tradeoff } from './reproduce-plots.ts';
import type { DiagnosePartResult, Figures, PrestagePartResult, RlPartResult, SftPartResult, SweepPartResult } from './reproduce-parts.ts';
import { partResults, type SeedRun } from './reproduce-seeds.ts';
import { provenanceLines, readPartSummary, type PartSummary, type Versions } from './reproduce-summary.ts';
import { cell, delta, FIG_HEAD, figuresRow, meanCurve, meanValue, pooledDiagnose } from './reproduce-tables.ts';

export interface ReportInput {
  readonly out: string;
  readonly preset: ReproducePreset;
  readonly tasks: readonly ReproduceTask[];
  readonly parts: readonly string[];
  readonly seeds: readonly SeedRun[];
  readonly backendRequest: string;
  readonly versions: Versions;
}

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

/** JSON writes NaN (an undefined r) as null; read it back as NaN. */
const revive = (c: Correlation): Correlation => {
  const n = (x: number | null) => (typeof x === 'number' ? x : NaN);
  return { ...c, r: n(c.r), ci95: [n(c.ci95[0]), n(c.ci95[1])] };
};
function reviveDiagnose(d: DiagnosePartResult): DiagnosePartResult {
  const s = d.summary;
  const surrogates = Object.fromEntries(Object.entries(s.surrogates).map(([k, c]) => [k, { ...revive(c), mean: c.mean }]));
  return { ...d, summary: { ...s, rRewardPerception: revive(s.rRewardPerception), rRewardReasoning: revive(s.rRewardReasoning), surrogates } };
}

interface TaskSection {
  readonly markdown: string[];
  readonly findings: readonly (readonly Check[])[]; // findings 1..6, each its checks
}

/** A part's results: one per seed when every seed finished it, else undefined (reported as not run). */
function allSeeds<T>(input: ReportInput, part: string): T[] | undefined {
  const got = partResults<T>(input.seeds, part);
  return got.length === input.seeds.length && got.length > 0 ? got.map((g) => g.result) : undefined;
}

async function taskSection(input: ReportInput, task: ReproduceTask): Promise<TaskSection> {
  const { out } = input;
  const plots = path.join(out, 'plots', task);
  const sft = allSeeds<SftPartResult>(input, `${task}/sft`);
  const lambda = allSeeds<SweepPartResult>(input, `${task}/lambda`);
  const ngdiff = allSeeds<SweepPartResult>(input, `${task}/ngdiff`);
  const prestage = allSeeds<PrestagePartResult>(input, `${task}/prestage`);
  const rl = allSeeds<RlPartResult>(input, `${task}/rl`);
  const diag = allSeeds<DiagnosePartResult>(input, `${task}/diagnose`)?.map(reviveDiagnose);
  const surrogate = allSeeds<RlPartResult>(input, `${task}/surrogate-rl`);
  const seedNote = input.seeds.length > 1 ? ` — mean over seeds ${input.seeds.map((s) => s.seed).join(', ')} (each seed's figure in brackets)` : '';
  const md: string[] = [`## ${task}`, ''];

  // Fig. 3: standard SFT over steps, from the initial model's evaluation to the final one.
  md.push(`### Fig. 3 analogue — standard SFT: accuracies over steps${seedNote}`, '');
  if (sft) {
    const curve = meanCurve(sft.map((s) => [{ step: 0, ...accuracyValues(s.init), n: s.init.a.count }, ...s.evaluations]));
    md.push('| step | a | a_p | a_r | ã_r | n |', '|---|---|---|---|---|---|');
    for (const p of curve) md.push(`| ${p.step} | ${(100 * p.a).toFixed(1)} | ${(100 * p.ap).toFixed(1)} | ${(100 * p.ar).toFixed(1)} | ${(100 * p.arCond).toFixed(1)} | ${p.n} |`);
    md.push('', await figure(out, `${task} Fig. 3: SFT accuracies over steps`, () => accuracyCurves([{ run: 'standard SFT', points: curve }], path.join(plots, 'fig3'))), '');
  } else md.push(missing(`${task}/sft`), '');

  // Table 1 and Fig. 4: standard, fixed λ, NGDiff.
  md.push(`### Table 1 analogue — SFT objectives (accuracy %, 95% interval)${seedNote}, and the Fig. 4 trade-off`, '');
  const rowsOf = (sweep: SweepPartResult[] | undefined) => (sweep ? sweep[0].rows.map((r, i) => ({ label: r.label, fs: sweep.map((s) => s.rows[i] as Figures) })) : []);
  const t1 = [...(sft ? [{ label: 'standard', fs: sft.map((s) => s.final) }] : []), ...rowsOf(lambda), ...rowsOf(ngdiff)];
  if (t1.length > 0) {
    md.push(...FIG_HEAD, ...t1.map((r) => figuresRow(r.label, r.fs)), '');
    md.push(await figure(out, `${task} Fig. 4: trade-off`, () => tradeoff(t1.map((r) => ({ setting: r.label, a: meanValue(r.fs.map((f) => f.a)), ap: meanValue(r.fs.map((f) => f.ap)), ar: meanValue(r.fs.map((f) => f.ar)) })), path.join(plots, 'fig4'))), '');
  }
  for (const [kind, got] of [['lambda', lambda], ['ngdiff', ngdiff]] as const) if (!got) md.push(missing(`${task}/${kind}`), '');

  // Fig. 6: the perception-only pre-stage before NGDiff.
  md.push(`### Fig. 6 analogue — perception-only pre-stage before reweighting${seedNote}`, '');
  if (prestage) {
    md.push(...FIG_HEAD);
    if (ngdiff?.[0].rows[0]) md.push(figuresRow('NGDiff', ngdiff.map((n) => n.rows[0])));
    md.push(figuresRow(`${prestage[0].prePerceptionSteps} perception steps, then NGDiff`, prestage.map((p) => p.final)), '');
    const curves = [{ run: `pre-stage (${prestage[0].prePerceptionSteps}) + NGDiff`, points: meanCurve(prestage.map((p) => p.evaluations)) }, ...(sft ? [{ run: 'standard SFT', points: meanCurve(sft.map((s) => s.evaluations)) }] : [])];
    md.push(await figure(out, `${task} Fig. 6: pre-stage curves`, () => accuracyCurves(curves, path.join(plots, 'fig6'))), '');
  } else md.push(missing(`${task}/prestage`), '');

  // Table 2 and Fig. 10: RL from the SFT checkpoint, α sweep.
  md.push(`### Table 2 analogue — RL from the SFT checkpoint, R = α·a_p + (1−α)·a (accuracy %, mean change from the start)${seedNote}, and the Fig. 10 trade-off`, '');
  if (rl && rl[0].runs.length > 0) {
    md.push('| setting | a | a_p | a_r | ã_r |', '|---|---|---|---|---|', figuresRow('SFT checkpoint', rl.map((r) => r.runs[0].before)));
    const runsAt = (i: number) => rl.map((r) => r.runs[i]);
    for (let i = 0; i < rl[0].runs.length; i++) {
      const runs = runsAt(i);
      const d = (m: keyof Figures & ('a' | 'ap' | 'ar' | 'arCond')) => delta(runs.map((r) => r.after[m]), runs.map((r) => r.before[m]));
      md.push(`| ${runs[0].label} | ${d('a')} | ${d('ap')} | ${d('ar')} | ${d('arCond')} |`);
    }
    const mean = (fs: Figures[]) => ({ a: meanValue(fs.map((f) => f.a)), ap: meanValue(fs.map((f) => f.ap)), ar: meanValue(fs.map((f) => f.ar)) });
    const rows = [{ setting: 'init', ...mean(rl.map((r) => r.runs[0].before)) }, ...rl[0].runs.map((r, i) => ({ setting: r.label, ...mean(runsAt(i).map((x) => x.after)) }))];
    md.push('', await figure(out, `${task} Fig. 10: RL trade-off`, () => tradeoff(rows, path.join(plots, 'fig10'))), '');
  } else md.push(missing(`${task}/rl`), '');

  // Fig. 8 and Table 3: correlations, pooled over every seed's rollouts.
  md.push('### Fig. 8 and Table 3 analogues — what the outcome reward tracks, and surrogate reliability', '');
  if (diag) {
    const s = pooledDiagnose(diag.map((d) => d.summary));
    const r = (c: { r: number; ci95: readonly [number, number] }) => (Number.isNaN(c.r) ? 'undefined (constant)' : `${c.r.toFixed(3)} [${c.ci95[0].toFixed(3)}, ${c.ci95[1].toFixed(3)}]`);
    md.push(`Over ${s.rollouts} fresh rollouts of the SFT checkpoint${diag.length > 1 ? ` (${diag.length} seeds pooled)` : ''} (train_rl prompts, temperature ${input.preset.rl.temperature}): mean a ${s.means.a.toFixed(3)}, a_p ${s.means.ap.toFixed(3)}, ã_r ${s.means.arCond.toFixed(3)}; embed encoder in-batch accuracy ${diag.map((d) => `${(100 * d.embed.accuracy).toFixed(1)}%`).join(' / ')}.`, '');
    md.push('| pair | Pearson r [95% CI] |', '|---|---|', `| outcome a vs perception a_p | ${r(s.rRewardPerception)} |`, `| outcome a vs reasoning ã_r | ${r(s.rRewardReasoning)} |`, '');
    md.push('| surrogate reward (Table 3) | mean | r with a_p [95% CI] |', '|---|---|---|');
    for (const [label, c] of Object.entries(s.surrogates)) md.push(`| ${label} | ${c.mean.toFixed(3)} | ${r(c)} |`);
    md.push('', await figure(out, `${task} Fig. 8: correlations`, () => correlationBars(s, path.join(plots, 'fig8.png'))), '');
  } else md.push(missing(`${task}/diagnose`), '');

  // Table 4: RL with each surrogate perception reward.
  md.push(`### Table 4 analogue — RL with surrogate perception rewards (α = ${input.preset.surrogateRl.alpha}; accuracy %, mean change from the SFT checkpoint)${seedNote}`, '');
  if (surrogate) {
    md.push('| reward | a | a_p | a_r | ã_r |', '|---|---|---|---|---|');
    surrogate[0].runs.forEach((x, i) => {
      const runs = surrogate.map((s) => s.runs[i]);
      const d = (m: 'a' | 'ap' | 'ar' | 'arCond') => delta(runs.map((r) => r.after[m]), runs.map((r) => r.before[m]));
      md.push(`| ${x.reward} | ${d('a')} | ${d('ap')} | ${d('ar')} | ${d('arCond')} |`);
    });
    md.push('');
  } else md.push(missing(`${task}/surrogate-rl`), '');

  const seeds: SeedParts[] = input.seeds.map((_, i) => {
    const diagValues = diag?.[i].summary.values;
    return {
      sft: sft?.[i] && { init: sft[i].init, final: sft[i].final },
      lambdas: lambda?.[i].rows.filter((r) => r.x !== null).map((r) => ({ x: r.x!, label: r.label, f: r })),
      ngdiff: ngdiff?.[i].rows[0],
      rl: rl?.[i].runs.map((r) => ({ alpha: r.alpha, before: r.before, after: r.after })),
      diagnose: diagValues,
      surrogates: surrogate?.[i].runs.map((r) => ({ reward: r.reward, after: r.after })),
    };
  });
  return { markdown: md, findings: FINDINGS.map((f) => f.checks(seeds, task)) };
}

function partsTable(input: ReportInput): string[] {
  const lines = ['| part | seed | status | backend | device | wall time | finished |', '|---|---|---|---|---|---|---|'];
  let total = 0;
  for (const run of input.seeds) {
    for (const p of input.parts) {
      const s = readPartSummary(run.dir, p);
      if (s) total += s.wallMs;
      lines.push(s ? `| ${p} | ${s.seed} | done | ${s.backend} | ${s.device} | ${(s.wallMs / 1000).toFixed(1)} s | ${s.finished} |` : `| ${p} | ${run.seed} | not run | | | | |`);
    }
  }
  lines.push('', `Total wall time of the finished parts: ${(total / 1000).toFixed(1)} s.`);
  return lines;
}

function commands(input: ReportInput): string[] {
  const lines: string[] = [];
  for (const run of input.seeds) {
    for (const p of input.parts) {
      const s: PartSummary | undefined = readPartSummary(run.dir, p);
      if (s) lines.push(`**${p}**${input.seeds.length > 1 ? ` (seed ${run.seed})` : ''}`, '', '```sh', ...s.commands.map((c) => c.split(input.out).join('DIR')), '```', '');
    }
  }
  return lines;
}

/** The verdicts: every check of every task and finding judged together (Holm), then each finding's outcome. */
function verdictLines(sections: readonly (TaskSection & { task: ReproduceTask })[]): string[] {
  const flat = sections.flatMap((s) => s.findings.flatMap((checks, f) => checks.map((c) => ({ task: s.task, f, c }))));
  const judged = judge(flat.map((x) => x.c));
  const lines: string[] = [];
  FINDINGS.forEach((finding, f) => {
    const perTask = sections.map((s) => {
      const mine = judged.filter((_, k) => flat[k].task === s.task && flat[k].f === f);
      return { task: s.task, outcome: combine(mine.map((c) => c.outcome)), mine };
    });
    lines.push(`- **(${f + 1}) ${finding.claim}** — ${perTask.map((t) => `${t.task}: **${t.outcome}**`).join('; ')}`);
    for (const t of perTask) for (const c of t.mine) lines.push(`  - ${t.task}: ${checkLine(c)}`);
  });
  const tested = judged.filter((c) => c.holmP !== null).length;
  return [`${tested} checks were tested (Holm over all of them); ${judged.length - tested} could not run.`, '', ...lines];
}

export async function writeReport(input: ReportInput): Promise<string> {
  const { out, preset, versions: v } = input;
  const sections: (TaskSection & { task: ReproduceTask })[] = [];
  for (const task of input.tasks) sections.push({ task, ...(await taskSection(input, task)) });
  const provenance = settingLines(preset.provenance);
  const modelOptions = await Promise.all(input.tasks.map(async (t) => withCaptionGrid((await getTask(t)).captionGrid?.(preset.taskOptions[t]), preset.model as ModelSize, preset.modelOptions[t])));
  const seedList = input.seeds.map((s) => s.seed).join(',');
  const lines = [
    `# Reproducing the perception–reasoning asymmetry (Wu et al., 2026) — preset \`${preset.name}\``,
    ...(provenance.warning.length > 0 ? ['', ...provenance.warning] : []),
    '',
    `Written ${new Date().toISOString()} by \`asymflow reproduce --preset ${preset.name} --tasks ${input.tasks.join(',')}${input.seeds.length > 1 || input.seeds[0].seed !== preset.seed ? ` --seeds ${seedList}` : ''} --backend ${input.backendRequest} --out DIR\`, DIR being this report's directory.`,
    `Evaluation uses the \`test\` split only (the first N samples, the same N everywhere in a table); training uses \`train_sft\` (SFT, the embed encoder) and \`train_rl\` (RL, the diagnostic's rollouts).`,
    ...(preset.name === 'full' ? [] : ['', `**Note:** the \`${preset.name}\` preset trains a ${preset.model} model for ${preset.sft.steps} SFT steps and evaluates ${preset.sft.evalN} samples: it checks that every part runs end to end, and its numbers are noise. Read the verdicts of a \`--preset full\` run.`]),
    '',
    '## Setup',
    '',
    ...provenanceLines(input.seeds.flatMap((run) => input.parts.map((p) => readPartSummary(run.dir, p)).filter((s) => s !== undefined)), v),
    `- model \`${preset.model}\`, seed${input.seeds.length > 1 ? 's' : ''} ${seedList}; task options ${input.tasks.map((t) => `${t} ${JSON.stringify(preset.taskOptions[t])}`).join(', ')}; model options (the caption grid filled in where a task has one) ${input.tasks.map((t, i) => `${t} ${JSON.stringify(modelOptions[i])}`).join(', ')}`,
    '',
    '```json',
    JSON.stringify({ ...preset, provenance: undefined }, null, 2),
    '```',
    '',
    '## What chose each setting',
    '',
    '`default`: sized for the machine or time budget, no accuracy looked at; `paper`: from Wu et al. (2026); `val`: chosen on the `val` split; `test`: chosen on runs evaluated on `test` puzzles.',
    '',
    ...provenance.list,
    '',
    '## Parts',
    '',
    ...partsTable(input),
    '',
    ...sections.flatMap((s) => s.markdown),
    '## Verdicts',
    '',
    `Declared before the numbers: every check is a two-sided test on per-puzzle records — exact McNemar for two accuracies on the same puzzles, a seeded paired bootstrap over ${input.seeds.length > 1 ? 'seeds and ' : ''}puzzles for gains and gain differences, Williams' t for two correlations sharing a variable — at α = ${ALPHA} with Holm's correction over every check below. A check reproduces when its Holm-adjusted p < ${ALPHA} and its effect has the claimed sign; significant with the other sign it does not reproduce; otherwise it is inconclusive and gives the minimal detectable effect at the n used. A check without its data is "not run" and says what is missing. A finding reproduces only when all its checks do.`,
    '',
    ...verdictLines(sections),
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
