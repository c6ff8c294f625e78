/**
 * A paper preset's own report sections for one task (reproduce-task-section.ts adds them): the share
 * dose–response of H1 — standard SFT from the same initial model at each perception token share, the
 * preset's own traces (part sft) and every `share@V` part, with the a_p and a_r gains per share — and the
 * RL token-reweighting control (`token-lambda@λ`, outcome-only GRPO). Verdict 1's share check reads the
 * dose–response (src/reproduce/verdicts.ts sftGainChecks).
 */
import type { Measured } from '../src/reproduce/checks.ts';
import type { Figures, PretrainPartResult, RlPartResult, SftPartResult, SharePartResult } from './reproduce-parts.ts';
import { allSeeds, gridSeeds, notRunYet, perSeed, type SeedRun } from './reproduce-seeds.ts';
import { delta, FIG_HEAD, figuresRow } from './reproduce-tables.ts';

/** One perception share's SFT result in one seed: the dose–response point verdict 1 compares. */
export interface ShareLevel {
  readonly share: number;
  readonly label: string;
  readonly final: Measured;
}

export interface PaperSection {
  readonly markdown: string[];
}

/** Per seed: the dose–response points (the preset's own traces and every share@V), sorted by share; undefined where one is missing. */
export function shareLevelsPerSeed(runs: readonly SeedRun[], parts: readonly string[], task: string): (ShareLevel[] | undefined)[] {
  const sft = perSeed<SftPartResult>(runs, `${task}/sft`);
  const levels = parts.filter((p) => p.startsWith(`${task}/share@`)).map((p) => perSeed<SharePartResult>(runs, p));
  return runs.map((_, i) => {
    const own = sft[i];
    if (!own || own.share === undefined || levels.some((l) => !l[i])) return undefined;
    const label = (share: number, what: string) => `${(100 * share).toFixed(1)}% (${what})`;
    return [
      { share: own.share, label: label(own.share, "the preset's traces"), final: own.final },
      ...levels.map((l) => ({ share: l[i]!.share, label: label(l[i]!.share, `verbosity ${l[i]!.verbosity}`), final: l[i]!.final })),
    ].sort((x, y) => x.share - y.share);
  });
}
const gainRow = (label: string, finals: readonly Figures[], inits: readonly Figures[]) =>
  `| ${label} | ${delta(
    finals.map((f) => f.ap),
    inits.map((f) => f.ap),
  )} | ${delta(
    finals.map((f) => f.ar),
    inits.map((f) => f.ar),
  )} | ${delta(
    finals.map((f) => f.a),
    inits.map((f) => f.a),
  )} |`;

export function paperSection(runs: readonly SeedRun[], parts: readonly string[], task: string): PaperSection {
  const md: string[] = [];
  const sft = allSeeds<SftPartResult>(runs, `${task}/sft`);
  const levels = parts.filter((p) => p.startsWith(`${task}/share@`));
  const each = levels.map((p) => ({ part: p, got: allSeeds<SharePartResult>(runs, p) }));
  md.push('### Perception token share dose–response (H1): standard SFT at each share, gains from the same initial model (accuracy %, change)', '');
  if (sft && sft.every((s) => s.share !== undefined) && each.every((e) => e.got)) {
    const rows = [
      { label: `${(100 * sft[0].share!).toFixed(1)}% (the preset's traces)`, share: sft[0].share!, finals: sft.map((s) => s.final) },
      ...each.map((e) => ({
        label: `${(100 * e.got![0].share).toFixed(1)}% (verbosity ${e.got![0].verbosity})`,
        share: e.got![0].share,
        finals: e.got!.map((g) => g.final),
      })),
    ].sort((x, y) => x.share - y.share);
    md.push('| perception share of the targets | a_p | a_r | a |', '|---|---|---|---|');
    for (const r of rows)
      md.push(
        gainRow(
          r.label,
          r.finals,
          sft.map((s) => s.init),
        ),
      );
    md.push('');
  } else
    md.push(...['sft', ...levels.map((p) => p.split('/')[1])].filter((k) => !allSeeds(runs, `${task}/${k}`)).map((k) => notRunYet(runs, parts, task, k)), '');

  if (parts.includes(`${task}/pretrain`)) {
    const pre = allSeeds<PretrainPartResult>(runs, `${task}/pretrain`);
    const scratch = allSeeds<SftPartResult>(runs, `${task}/scratch`);
    md.push('### The stage before post-training (`asymflow pretrain`, docs/pretrain.md): standard SFT from it and from scratch', '');
    if (pre && scratch && sft) {
      md.push(
        `The pre-stage alone, on ${pre[0].final.a.count} \`val\` puzzles after ${pre[0].steps} steps:`,
        '',
        ...FIG_HEAD,
        figuresRow(
          'pretrain checkpoint (val)',
          pre.map((p) => p.final),
        ),
        '',
        "Standard SFT on the test puzzles (change from each run's own initial model):",
        '',
        '| start | a_p | a_r | a |',
        '|---|---|---|---|',
        gainRow(
          'from the pre-stage',
          sft.map((s) => s.final),
          sft.map((s) => s.init),
        ),
        gainRow(
          'from scratch',
          scratch.map((s) => s.final),
          scratch.map((s) => s.init),
        ),
        '',
      );
    } else md.push(...['pretrain', 'scratch', 'sft'].filter((k) => !allSeeds(runs, `${task}/${k}`)).map((k) => notRunYet(runs, parts, task, k)), '');
  }

  const token = gridSeeds<RlPartResult>(runs, parts, task, 'token-lambda', (e) => ({ runs: e.flatMap((x) => x.runs), table: '' }));
  if (parts.some((p) => p.startsWith(`${task}/token-lambda@`))) {
    md.push('### RL token-reweighting control — outcome-only GRPO with `--token-lambda` (accuracy %, change from the SFT checkpoint)', '');
    if (token) {
      md.push('| setting | a_p | a_r | a |', '|---|---|---|---|');
      token[0].runs.forEach((r, i) =>
        md.push(
          gainRow(
            r.label,
            token.map((t) => t.runs[i].after),
            token.map((t) => t.runs[i].before),
          ),
        ),
      );
      md.push('');
    } else md.push(notRunYet(runs, parts, task, 'token-lambda'), '');
  }
  return { markdown: md };
}
