/**
 * One task's section of DIR/report.md (reproduce-report.ts): the Fig. 3 / Table 1 (Fig. 4) / Fig. 6 / Table 2
 * (Fig. 10) / Fig. 8 + Table 3 / Table 4 analogues with linked PNGs, and the checks its parts allow.
 */
import { accuracyValues } from '../src/eval/accuracy.ts';
import path from 'node:path';
import type { Correlation } from '../src/eval/stats.ts';
import type { ReproducePreset, ReproduceTask } from '../src/reproduce/presets.ts';
import { type Check } from '../src/reproduce/checks.ts';
import { FINDINGS, type SeedParts } from '../src/reproduce/verdicts.ts';
import { accuracyCurves, correlationBars, tradeoff } from './reproduce-plots.ts';
import type { DiagnosePartResult, Figures, PrestagePartResult, RlPartResult, SftPartResult, SweepPartResult } from './reproduce-parts.ts';
import { dynamicsSection } from './reproduce-dynamics.ts';
import { paperSection, shareLevelsPerSeed } from './reproduce-paper-section.ts';
import { findingSeeds } from '../src/reproduce/finding-seeds.ts';
import { allSeeds as allSeedResults, gridPerSeed, gridSeeds, notRunYet, perSeed, unrunText, type SeedRun } from './reproduce-seeds.ts';
import { type Versions } from './reproduce-summary.ts';
import { delta, FIG_HEAD, figuresRow, meanCurve, meanValue, pooledDiagnose } from './reproduce-tables.ts';

export interface ReportInput {
  readonly out: string;
  readonly preset: ReproducePreset;
  readonly tasks: readonly ReproduceTask[];
  readonly parts: readonly string[];
  readonly seeds: readonly SeedRun[];
  readonly backendRequest: string;
  readonly versions: Versions;
}

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

export interface TaskSection {
  readonly markdown: string[];
  readonly findings: readonly (readonly Check[])[]; // findings 1..6, each its checks
  readonly seedNotes: readonly (string | undefined)[]; // per finding: which seeds its checks pooled, when not all
}

const allSeeds = <T>(input: ReportInput, part: string) => allSeedResults<T>(input.seeds, part);
const sweepMerge = (each: readonly SweepPartResult[]): SweepPartResult => ({ rows: each.flatMap((e) => e.rows) });
const rlMerge = (each: readonly RlPartResult[]): RlPartResult => ({ runs: each.flatMap((e) => e.runs), table: '' });

export async function taskSection(input: ReportInput, task: ReproduceTask): Promise<TaskSection> {
  const { out } = input;
  const plots = path.join(out, 'plots', task);
  const sft = allSeeds<SftPartResult>(input, `${task}/sft`);
  const lambda = gridSeeds<SweepPartResult>(input.seeds, input.parts, task, 'lambda', sweepMerge);
  const ngdiff = allSeeds<SweepPartResult>(input, `${task}/ngdiff`);
  const prestage = allSeeds<PrestagePartResult>(input, `${task}/prestage`);
  const rl = gridSeeds<RlPartResult>(input.seeds, input.parts, task, 'rl', rlMerge);
  const diag = allSeeds<DiagnosePartResult>(input, `${task}/diagnose`)?.map(reviveDiagnose);
  const surrogate = gridSeeds<RlPartResult>(input.seeds, input.parts, task, 'surrogate-rl', rlMerge);
  const seedNote = input.seeds.length > 1 ? ` — mean over seeds ${input.seeds.map((s) => s.seed).join(', ')} (each seed's figure in brackets)` : '';
  const md: string[] = [`## ${task}`, ''];

  // Fig. 3: standard SFT over steps, from the initial model's evaluation to the final one.
  md.push(`### Fig. 3 analogue — standard SFT: accuracies over steps${seedNote}`, '');
  if (sft) {
    const curve = meanCurve(sft.map((s) => [{ step: 0, ...accuracyValues(s.init), n: s.init.a.count }, ...s.evaluations]));
    md.push('| step | a | a_p | a_r | ã_r | n |', '|---|---|---|---|---|---|');
    for (const p of curve)
      md.push(`| ${p.step} | ${(100 * p.a).toFixed(1)} | ${(100 * p.ap).toFixed(1)} | ${(100 * p.ar).toFixed(1)} | ${(100 * p.arCond).toFixed(1)} | ${p.n} |`);
    md.push(
      '',
      await figure(out, `${task} Fig. 3: SFT accuracies over steps`, () => accuracyCurves([{ run: 'standard SFT', points: curve }], path.join(plots, 'fig3'))),
      '',
    );
  } else md.push(notRunYet(input.seeds, input.parts, task, 'sft'), '');

  // Table 1 and Fig. 4: standard, fixed λ, NGDiff.
  md.push(`### Table 1 analogue — SFT objectives (accuracy %, 95% interval)${seedNote}, and the Fig. 4 trade-off`, '');
  const rowsOf = (sweep: SweepPartResult[] | undefined) =>
    sweep ? sweep[0].rows.map((r, i) => ({ label: r.label, fs: sweep.map((s) => s.rows[i] as Figures) })) : [];
  const t1 = [...(sft ? [{ label: 'standard', fs: sft.map((s) => s.final) }] : []), ...rowsOf(lambda), ...rowsOf(ngdiff)];
  if (t1.length > 0) {
    md.push(...FIG_HEAD, ...t1.map((r) => figuresRow(r.label, r.fs)), '');
    md.push(
      await figure(out, `${task} Fig. 4: trade-off`, () =>
        tradeoff(
          t1.map((r) => ({ setting: r.label, a: meanValue(r.fs.map((f) => f.a)), ap: meanValue(r.fs.map((f) => f.ap)), ar: meanValue(r.fs.map((f) => f.ar)) })),
          path.join(plots, 'fig4'),
        ),
      ),
      '',
    );
  }
  for (const [kind, got] of [
    ['lambda', lambda],
    ['ngdiff', ngdiff],
  ] as const)
    if (!got) md.push(notRunYet(input.seeds, input.parts, task, kind), '');

  // Fig. 6: the perception-only pre-stage before NGDiff.
  md.push(`### Fig. 6 analogue — perception-only pre-stage before reweighting${seedNote}`, '');
  if (prestage) {
    md.push(...FIG_HEAD);
    if (ngdiff?.[0].rows[0])
      md.push(
        figuresRow(
          'NGDiff',
          ngdiff.map((n) => n.rows[0]),
        ),
      );
    md.push(
      figuresRow(
        `${prestage[0].prePerceptionSteps} perception steps, then NGDiff`,
        prestage.map((p) => p.final),
      ),
      '',
    );
    const curves = [
      { run: `pre-stage (${prestage[0].prePerceptionSteps}) + NGDiff`, points: meanCurve(prestage.map((p) => p.evaluations)) },
      ...(sft ? [{ run: 'standard SFT', points: meanCurve(sft.map((s) => s.evaluations)) }] : []),
    ];
    md.push(await figure(out, `${task} Fig. 6: pre-stage curves`, () => accuracyCurves(curves, path.join(plots, 'fig6'))), '');
  } else md.push(notRunYet(input.seeds, input.parts, task, 'prestage'), '');

  // Table 2 and Fig. 10: RL from the SFT checkpoint, α sweep.
  md.push(
    `### Table 2 analogue — RL from the SFT checkpoint, R = α·a_p + (1−α)·a (accuracy %, mean change from the start)${seedNote}, and the Fig. 10 trade-off`,
    '',
  );
  if (rl && rl[0].runs.length > 0) {
    md.push(
      '| setting | a | a_p | a_r | ã_r |',
      '|---|---|---|---|---|',
      figuresRow(
        'SFT checkpoint',
        rl.map((r) => r.runs[0].before),
      ),
    );
    const runsAt = (i: number) => rl.map((r) => r.runs[i]);
    for (let i = 0; i < rl[0].runs.length; i++) {
      const runs = runsAt(i);
      const d = (m: keyof Figures & ('a' | 'ap' | 'ar' | 'arCond')) =>
        delta(
          runs.map((r) => r.after[m]),
          runs.map((r) => r.before[m]),
        );
      md.push(`| ${runs[0].label} | ${d('a')} | ${d('ap')} | ${d('ar')} | ${d('arCond')} |`);
    }
    const mean = (fs: Figures[]) => ({ a: meanValue(fs.map((f) => f.a)), ap: meanValue(fs.map((f) => f.ap)), ar: meanValue(fs.map((f) => f.ar)) });
    const rows = [
      { setting: 'init', ...mean(rl.map((r) => r.runs[0].before)) },
      ...rl[0].runs.map((r, i) => ({ setting: r.label, ...mean(runsAt(i).map((x) => x.after)) })),
    ];
    md.push('', await figure(out, `${task} Fig. 10: RL trade-off`, () => tradeoff(rows, path.join(plots, 'fig10'))), '');
    // Fig. 11: how well each α's reward tracks perception, against what it did to perception
    md.push(`### Fig. 11 analogue — r(R, a_p) over each α run's rollouts against its Δa_p on the held-out puzzles${seedNote}`, '');
    md.push('| α | r(R, a_p) | Δa_p (pp) |', '|---|---|---|');
    for (let i = 0; i < rl[0].runs.length; i++) {
      const runs = runsAt(i);
      const rs = runs.map((r) => r.rRewardPerception).filter((r): r is number => r !== undefined && !Number.isNaN(r));
      const dap = meanValue(runs.map((r) => r.after.ap)) - meanValue(runs.map((r) => r.before.ap));
      md.push(
        `| ${runs[0].alpha} | ${rs.length === runs.length ? (rs.reduce((x, y) => x + y, 0) / rs.length).toFixed(3) : '– (rollouts not recorded)'} | ${(100 * dap).toFixed(1)} |`,
      );
    }
    md.push('');
  } else md.push(notRunYet(input.seeds, input.parts, task, 'rl'), '');

  // Fig. 8 and Table 3: correlations, pooled over every seed's rollouts.
  md.push('### Fig. 8 and Table 3 analogues — what the outcome reward tracks, and surrogate reliability', '');
  if (diag) {
    const s = pooledDiagnose(diag.map((d) => d.summary));
    const r = (c: { r: number; ci95: readonly [number, number] }) =>
      Number.isNaN(c.r) ? 'undefined (constant)' : `${c.r.toFixed(3)} [${c.ci95[0].toFixed(3)}, ${c.ci95[1].toFixed(3)}]`;
    md.push(
      `Over ${s.rollouts} fresh rollouts of the SFT checkpoint${diag.length > 1 ? ` (${diag.length} seeds pooled)` : ''} (train_rl prompts, temperature ${input.preset.rl.temperature}): mean a ${s.means.a.toFixed(3)}, a_p ${s.means.ap.toFixed(3)}, ã_r ${s.means.arCond.toFixed(3)}; embed encoder in-batch accuracy ${diag.map((d) => `${(100 * d.embed.accuracy).toFixed(1)}%`).join(' / ')}.`,
      '',
    );
    md.push(
      '| pair | Pearson r [95% CI] |',
      '|---|---|',
      `| outcome a vs perception a_p | ${r(s.rRewardPerception)} |`,
      `| outcome a vs reasoning ã_r | ${r(s.rRewardReasoning)} |`,
      '',
    );
    md.push('| surrogate reward (Table 3) | mean | r with a_p [95% CI] |', '|---|---|---|');
    for (const [label, c] of Object.entries(s.surrogates)) md.push(`| ${label} | ${c.mean.toFixed(3)} | ${r(c)} |`);
    md.push('', await figure(out, `${task} Fig. 8: correlations`, () => correlationBars(s, path.join(plots, 'fig8.png'))), '');
  } else md.push(notRunYet(input.seeds, input.parts, task, 'diagnose'), '');

  // Table 4: RL with each surrogate perception reward.
  md.push(
    `### Table 4 analogue — RL with surrogate perception rewards (α = ${input.preset.surrogateRl.alpha}; accuracy %, mean change from the SFT checkpoint)${seedNote}`,
    '',
  );
  if (surrogate) {
    md.push('| reward | a | a_p | a_r | ã_r |', '|---|---|---|---|---|');
    surrogate[0].runs.forEach((x, i) => {
      const runs = surrogate.map((s) => s.runs[i]);
      const d = (m: 'a' | 'ap' | 'ar' | 'arCond') =>
        delta(
          runs.map((r) => r.after[m]),
          runs.map((r) => r.before[m]),
        );
      md.push(`| ${x.reward} | ${d('a')} | ${d('ap')} | ${d('ar')} | ${d('arCond')} |`);
    });
    md.push('');
  } else md.push(notRunYet(input.seeds, input.parts, task, 'surrogate-rl'), '');

  md.push(...(await dynamicsSection(input, task, plots, (alt, draw) => figure(out, alt, draw))));
  const paper = input.preset.paper ? paperSection(input.seeds, input.parts, task) : undefined;
  if (paper) md.push(...paper.markdown);

  // The checks read each seed's own parts: a seed that finished what a finding needs counts even when another has not.
  const runs = input.seeds;
  const sftBy = perSeed<SftPartResult>(runs, `${task}/sft`);
  const lambdaBy = gridPerSeed<SweepPartResult>(runs, input.parts, task, 'lambda', sweepMerge);
  const ngdiffBy = perSeed<SweepPartResult>(runs, `${task}/ngdiff`);
  const rlBy = gridPerSeed<RlPartResult>(runs, input.parts, task, 'rl', rlMerge);
  const diagBy = perSeed<DiagnosePartResult>(runs, `${task}/diagnose`).map((d) => d && reviveDiagnose(d));
  const surrogateBy = gridPerSeed<RlPartResult>(runs, input.parts, task, 'surrogate-rl', rlMerge);
  const sharesBy = input.preset.paper ? shareLevelsPerSeed(runs, input.parts, task) : [];
  const seeds: SeedParts[] = runs.map((_, i) => ({
    sft: sftBy[i] && { init: sftBy[i].init, final: sftBy[i].final },
    lambdas: lambdaBy[i]?.rows.filter((r) => r.x !== null).map((r) => ({ x: r.x!, label: r.label, f: r })),
    ngdiff: ngdiffBy[i]?.rows[0],
    rl: rlBy[i]?.runs.map((r) => ({ alpha: r.alpha, before: r.before, after: r.after })),
    diagnose: diagBy[i]?.summary.values,
    surrogates: surrogateBy[i]?.runs.map((r) => ({ reward: r.reward, after: r.after })),
    shares: sharesBy[i],
  }));
  // a non-paper preset's α = 0 run is part of `rl`
  const unrun = (kind: string) => unrunText(runs, input.parts, task, input.preset.paper ? kind : kind.split('@')[0]);
  const pooled = FINDINGS.map((_, f) => findingSeeds(seeds, f));
  const findings = FINDINGS.map((f, i) =>
    f.checks(
      pooled[i].map((k) => seeds[k]),
      task,
      unrun,
    ),
  );
  return {
    markdown: md,
    findings,
    // said only where a check was tested on fewer seeds than ran
    seedNotes: pooled.map((k, f) =>
      k.length < runs.length && findings[f].some((c) => c.p !== null)
        ? `pooled seed${k.length > 1 ? 's' : ''} ${k.map((i) => runs[i].seed).join(', ')}: the other seeds have not finished every part it needs`
        : undefined,
    ),
  };
}
