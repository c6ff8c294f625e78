/**
 * The perception–reasoning trade-off scatter of a sweep (the paper's Fig. 4/10): one point per setting at
 * (a_p, a_r), coloured by end-to-end accuracy a, labelled with the setting.
 */
import type { TopLevelSpec } from 'vega-lite';
import type { Accuracy } from '../eval/accuracy.ts';
import { VALUE_AXIS, valueScale } from './axis.ts';

/** One point of the trade-off: a setting's a, a_p and a_r values (src/eval/accuracy.ts). */
export interface SweepRow extends Pick<Accuracy<number>, 'a' | 'ap' | 'ar'> {
  readonly setting: string; // e.g. 'λ=0.2' or 'ngdiff'
}

/** Validates `sweep.json` content: an array of rows, or an object with a `rows` array. */
export function parseSweepRows(json: unknown, where: string): SweepRow[] {
  const rows = Array.isArray(json) ? json : (json as { rows?: unknown } | null)?.rows;
  if (!Array.isArray(rows)) throw new Error(`${where}: expected an array of rows or { "rows": [...] }`);
  return rows.map((row: unknown, i) => {
    const r = row as Record<string, unknown> | null;
    if (!r || typeof r !== 'object') throw new Error(`${where}: row ${i} is not an object`);
    if (typeof r.setting !== 'string' && typeof r.setting !== 'number') throw new Error(`${where}: row ${i} has no "setting" string`);
    for (const key of ['a', 'ap', 'ar'] as const) {
      const v = r[key];
      if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(`${where}: row ${i} ("${r.setting}") has no finite number "${key}"`);
    }
    return { setting: String(r.setting), a: r.a as number, ap: r.ap as number, ar: r.ar as number };
  });
}

export function tradeoffSpec(rows: readonly SweepRow[], title = 'Perception–reasoning trade-off'): TopLevelSpec {
  const values = rows.map((r) => ({ ...r }));
  const axisOf = (field: 'ap' | 'ar', title: string) => ({
    field,
    type: 'quantitative',
    title,
    scale: valueScale(
      rows.map((r) => r[field]),
      { padding: 24 },
    ),
    axis: VALUE_AXIS,
  });
  const x = axisOf('ap', 'perception accuracy a_p');
  const y = axisOf('ar', 'reasoning accuracy a_r (oracle caption)');
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    data: { values },
    layer: [
      {
        mark: { type: 'circle', size: 160, stroke: '#333', strokeWidth: 1, opacity: 1 },
        encoding: {
          x,
          y,
          color: {
            field: 'a',
            type: 'quantitative',
            title: 'end-to-end a',
            scale: { scheme: 'viridis' },
            legend: { format: '.2f', gradientLength: 180 },
          },
          tooltip: [{ field: 'setting' }, { field: 'a' }, { field: 'ap' }, { field: 'ar' }],
        },
      },
      {
        mark: { type: 'text', align: 'left', baseline: 'bottom', dx: 9, dy: -5, fontSize: 12, color: '#222' },
        encoding: { x, y, text: { field: 'setting', type: 'nominal' } },
      },
    ],
  } as TopLevelSpec;
}
