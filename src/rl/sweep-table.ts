/**
 * The α sweep's Table-2 analogue: one row per setting with a, a_p, a_r, ã_r after RL (and the change from
 * the shared starting checkpoint), as sweep.json rows (readable by src/plot/tradeoff-spec.ts) and markdown.
 */
import { accuracyValues, type Accuracy } from '../eval/accuracy.ts';
import type { EvalFigures } from './rl-eval.ts';

export interface RlSweepRow extends Accuracy<number> {
  readonly setting: string; // 'init' or 'α=0.5'
  readonly alpha: number | null;
  readonly n: number;
  readonly run: string | null; // the run directory
}

export function sweepRow(setting: string, alpha: number | null, f: EvalFigures, run: string | null): RlSweepRow {
  return { setting, alpha, ...accuracyValues(f), n: f.n, run };
}

const pct = (x: number) => (100 * x).toFixed(1);
const delta = (x: number, base: number | undefined) => (base === undefined ? '' : ` (${x >= base ? '+' : ''}${(100 * (x - base)).toFixed(1)})`);

export function sweepTable(rows: readonly RlSweepRow[], title: string): string {
  const base = rows.find((r) => r.setting === 'init');
  const lines = [`${title}`, '', '| setting | a | a_p | a_r | ã_r | n |', '|---|---|---|---|---|---|'];
  for (const r of rows) {
    const b = r === base ? undefined : base;
    lines.push(
      `| ${r.setting} | ${pct(r.a)}${delta(r.a, b?.a)} | ${pct(r.ap)}${delta(r.ap, b?.ap)} | ${pct(r.ar)}${delta(r.ar, b?.ar)} | ${pct(r.arCond)}${delta(r.arCond, b?.arCond)} | ${r.n} |`,
    );
  }
  return `${lines.join('\n')}\n`;
}
