/** Unicode block sparklines: the last `width` values scaled into ▁..█ (a blank for a non-finite value). */
const BLOCKS = '▁▂▃▄▅▆▇█';

export interface SparkScale {
  readonly min?: number; // fixed bounds (e.g. 0 and 1 for accuracies); otherwise the data's own range
  readonly max?: number;
}

export function sparkline(values: readonly number[], width: number, scale: SparkScale = {}): string {
  const shown = values.slice(-Math.max(0, width));
  const finite = shown.filter(Number.isFinite);
  if (finite.length === 0) return ''.padEnd(shown.length, ' ');
  const min = scale.min ?? Math.min(...finite);
  const max = scale.max ?? Math.max(...finite);
  const span = max - min;
  return shown
    .map((v) => {
      if (!Number.isFinite(v)) return ' ';
      if (span <= 0) return BLOCKS[3]; // a flat series sits mid-height
      const t = Math.min(1, Math.max(0, (v - min) / span));
      return BLOCKS[Math.min(BLOCKS.length - 1, Math.floor(t * BLOCKS.length))];
    })
    .join('');
}
