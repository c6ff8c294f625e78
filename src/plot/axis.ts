/**
 * Readable value axes. Vega labels ticks with as many decimals as the tick step needs, so a series that
 * never changes (a degenerate domain, one tick) came out as "0.875000" or "3.000000": a flat series gets a
 * domain padded around its value, and every value axis trims insignificant zeros (d3-format `~g`).
 */

/** The axis every value (y, scatter) channel uses: `0.875`, `3`, `12001.5`, never `0.875000`. */
export const VALUE_AXIS = { format: '~g' } as const;

/** A scale for `values`: the data's own nice range, or ±10 % (±1 around 0) when every value is the same. */
export function valueScale(values: readonly number[], extra: Readonly<Record<string, unknown>> = {}): Record<string, unknown> {
  const finite = values.filter(Number.isFinite);
  if (finite.length === 0) return { zero: false, nice: true, ...extra };
  const min = Math.min(...finite);
  const max = Math.max(...finite);
  if (max - min > 1e-9 * Math.max(1, Math.abs(max))) return { zero: false, nice: true, ...extra };
  const pad = min === 0 ? 1 : Math.abs(min) * 0.1;
  return { domain: [min - pad, min + pad], nice: true, ...extra };
}
