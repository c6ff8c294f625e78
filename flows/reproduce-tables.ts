/**
 * The reproduce report's table cells over seeds: one seed prints its figure with its 95% interval; several
 * print the mean over seeds and each seed's figure (the per-seed spread). Also the mean Fig. 3 curve and
 * the diagnostic's correlations pooled over every seed's rollouts.
 */
import { pearson, type Correlation, type Proportion } from '../src/eval/stats.ts';
import type { DiagnoseSummary } from '../src/rl/diagnose.ts';
import type { EvalPoint } from '../src/sft/sft-eval.ts';
import type { Figures } from './reproduce-parts.ts';

const pct1 = (x: number) => (100 * x).toFixed(1);
const avg = (xs: readonly number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;

/** A proportion over seeds: "12.5 [4, 31]" for one seed, "15.0 (seeds 12.5 / 17.5)" for several. */
export function cell(ps: readonly Proportion[]): string {
  const got = ps.filter((p) => p.count > 0);
  if (got.length === 0) return '–';
  if (got.length === 1) return `${pct1(got[0].value)} [${(100 * got[0].ci95[0]).toFixed(0)}, ${(100 * got[0].ci95[1]).toFixed(0)}]`;
  return `${pct1(avg(got.map((p) => p.value)))} (seeds ${got.map((p) => pct1(p.value)).join(' / ')})`;
}

/** After, with the mean change from before: "40.0 (+2.5)", and the per-seed afters when there are several. */
export function delta(after: readonly Proportion[], before: readonly Proportion[]): string {
  const d = avg(after.map((p, i) => p.value - before[i].value));
  const spread = after.length > 1 ? ` (seeds ${after.map((p) => pct1(p.value)).join(' / ')})` : '';
  return `${pct1(avg(after.map((p) => p.value)))} (${d >= 0 ? '+' : ''}${pct1(d)})${spread}`;
}

export const FIG_HEAD = ['| setting | a | a_p | a_r | ã_r |', '|---|---|---|---|---|'];
export const figuresRow = (label: string, fs: readonly Figures[]) =>
  `| ${label} | ${cell(fs.map((f) => f.a))} | ${cell(fs.map((f) => f.ap))} | ${cell(fs.map((f) => f.ar))} | ${cell(fs.map((f) => f.arCond))} |`;
export const meanValue = (ps: readonly Proportion[]) => avg(ps.map((p) => p.value));

/** The mean curve over seeds at the steps every seed evaluated. */
export function meanCurve(curves: readonly (readonly EvalPoint[])[]): EvalPoint[] {
  if (curves.length === 0) return [];
  return curves[0]
    .filter((p) => curves.every((c) => c.some((q) => q.step === p.step)))
    .map((p) => {
      const at = curves.map((c) => c.find((q) => q.step === p.step)!);
      return {
        step: p.step,
        a: avg(at.map((q) => q.a)),
        ap: avg(at.map((q) => q.ap)),
        ar: avg(at.map((q) => q.ar)),
        arCond: avg(at.map((q) => q.arCond)),
        n: at.reduce((s, q) => s + q.n, 0),
      };
    });
}

/** The diagnostic over every seed's rollouts: correlations recomputed from the pooled values when recorded. */
export function pooledDiagnose(ds: readonly DiagnoseSummary[]): DiagnoseSummary {
  if (ds.length === 1 || !ds.every((d) => d.values)) return ds[0];
  const cat = (k: 'a' | 'ap' | 'arCond') => ds.flatMap((d) => [...d.values[k]]);
  const [a, ap, arCond] = [cat('a'), cat('ap'), cat('arCond')];
  const surrogates: Record<string, Correlation & { mean: number }> = {};
  for (const label of Object.keys(ds[0].surrogates)) {
    const v = ds.every((d) => d.values.surrogates[label]) ? ds.flatMap((d) => [...d.values.surrogates[label]]) : [];
    surrogates[label] = { ...pearson(v, v.length ? ap : []), mean: v.length ? avg(v) : NaN };
  }
  return {
    rollouts: a.length,
    rRewardPerception: pearson(a, ap),
    rRewardReasoning: pearson(a, arCond),
    means: { a: avg(a), ap: avg(ap), arCond: avg(arCond) },
    surrogates,
    values: { a, ap, arCond, surrogates: {} },
  };
}
