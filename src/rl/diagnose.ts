/**
 * The correlation diagnostic (docs/architecture.md §5, the paper's Table 3 and §4.2): over N rollouts, Pearson r of the
 * outcome reward a with perception correctness a_p and with conditional reasoning correctness ã_r, and of
 * each surrogate perception reward with a_p, each with a Fisher-z 95% interval (src/eval/stats.ts).
 */
import { mean, pearson, type Correlation } from '../eval/stats.ts';

export interface DiagnoseRow {
  readonly a: number;
  readonly ap: number;
  readonly arCond: number;
  readonly rewards: Readonly<Record<string, number>>;
}

export interface SurrogateCorrelation extends Correlation {
  readonly mean: number; // the surrogate's mean value
}

export interface DiagnoseSummary {
  readonly rollouts: number;
  readonly rRewardPerception: Correlation; // r(a, a_p)
  readonly rRewardReasoning: Correlation; // r(a, ã_r)
  readonly means: { readonly a: number; readonly ap: number; readonly arCond: number };
  readonly surrogates: Readonly<Record<string, SurrogateCorrelation>>; // by reward spec, r(surrogate, a_p)
  /** Every rollout's values: what a dependent-correlation test needs (r between the two compared variables). */
  readonly values: DiagnoseValues;
}

export interface DiagnoseValues {
  readonly a: readonly number[];
  readonly ap: readonly number[];
  readonly arCond: readonly number[];
  readonly surrogates: Readonly<Record<string, readonly number[]>>;
}

/** `surrogates` maps a reward's label (e.g. 'self:4') to its key in `rows[i].rewards` (e.g. 'self4'). */
export function diagnose(rows: readonly DiagnoseRow[], surrogates: Readonly<Record<string, string>> = {}): DiagnoseSummary {
  const a = rows.map((r) => r.a);
  const ap = rows.map((r) => r.ap);
  const arCond = rows.map((r) => r.arCond);
  const out: Record<string, SurrogateCorrelation> = {};
  const columns: Record<string, number[]> = {};
  for (const [label, key] of Object.entries(surrogates)) {
    const values = rows.map((r, i) => {
      const v = r.rewards[key];
      if (typeof v !== 'number') throw new Error(`diagnose: rollout ${i} has no '${key}' reward`);
      return v;
    });
    out[label] = { ...pearson(values, ap), mean: mean(values) };
    columns[label] = values;
  }
  return {
    rollouts: rows.length,
    rRewardPerception: pearson(a, ap),
    rRewardReasoning: pearson(a, arCond),
    means: { a: mean(a), ap: mean(ap), arCond: mean(arCond) },
    surrogates: out,
    values: { a, ap, arCond, surrogates: columns },
  };
}

const fmt = (c: Correlation) => (Number.isNaN(c.r) ? 'undefined (constant)' : `${c.r.toFixed(3)} [${c.ci95[0].toFixed(3)}, ${c.ci95[1].toFixed(3)}]`);

/** Markdown: the outcome reward's correlations, then one row per surrogate (Table 3). */
export function diagnoseTable(s: DiagnoseSummary): string {
  const lines = [
    `Correlation diagnostic over ${s.rollouts} rollouts (Pearson r, 95% Fisher-z interval)`,
    '',
    '| pair | r [95% CI] |',
    '|---|---|',
    `| outcome reward a vs perception a_p | ${fmt(s.rRewardPerception)} |`,
    `| outcome reward a vs reasoning ã_r | ${fmt(s.rRewardReasoning)} |`,
  ];
  if (Object.keys(s.surrogates).length > 0) {
    lines.push('', '| surrogate reward | mean | r with a_p [95% CI] |', '|---|---|---|');
    for (const [label, c] of Object.entries(s.surrogates)) lines.push(`| ${label} | ${c.mean.toFixed(3)} | ${fmt(c)} |`);
  }
  return `${lines.join('\n')}\n`;
}
