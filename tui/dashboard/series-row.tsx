/** One metric: label, sparkline of its recent values, latest value. */
import { Box, Text } from 'ink';
import { formatValue } from '../format.ts';
import type { SeriesView } from './dashboard-store.ts';
import { sparkline } from './sparkline.ts';

export interface SeriesRowProps {
  readonly label: string;
  readonly series: SeriesView | undefined;
  readonly fraction?: boolean; // fixed [0,1] scale
  readonly labelWidth: number;
  readonly sparkWidth: number;
  readonly color?: string;
}

export function SeriesRow({ label, series, fraction, labelWidth, sparkWidth, color }: SeriesRowProps) {
  const spark = series ? sparkline(series.values, sparkWidth, fraction ? { min: 0, max: 1 } : {}) : '';
  return (
    <Box>
      <Box width={labelWidth}>
        <Text wrap="truncate-end">{label}</Text>
      </Box>
      <Box width={sparkWidth + 1}>
        <Text color={color}>{spark}</Text>
      </Box>
      <Text bold={series !== undefined} dimColor={series === undefined}>
        {formatValue(series?.last).padStart(7)}
      </Text>
    </Box>
  );
}
