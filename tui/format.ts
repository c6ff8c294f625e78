/** Number and duration formatting shared by the dashboard and the plain log. */

/** Compact, fixed-ish width: 0.312, 12.4, 1.23k, 45.6k, 1.2M; NaN/∞ as '—'. */
export function formatValue(value: number | undefined): string {
  if (value === undefined || !Number.isFinite(value)) return '—';
  const abs = Math.abs(value);
  if (abs >= 1e6) return `${(value / 1e6).toFixed(abs >= 1e7 ? 1 : 2)}M`;
  if (abs >= 1e3) return `${(value / 1e3).toFixed(abs >= 1e4 ? 1 : 2)}k`;
  if (abs >= 100) return value.toFixed(0);
  if (abs >= 10) return value.toFixed(1);
  if (abs >= 1e-3 || abs === 0) return value.toFixed(3);
  return value.toExponential(1);
}

export { formatDuration } from '../src/progress-lines.ts'; // shared with the flows' progress lines
