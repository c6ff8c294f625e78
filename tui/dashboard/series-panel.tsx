/** A bordered panel of metric rows; rows without data yet are dimmed, panels without any data say so. */
import { Box, Text } from 'ink';
import type { DashboardView } from './dashboard-store.ts';
import { SeriesRow } from './series-row.tsx';
import { metricLabel } from './metric-names.ts';

export interface SeriesPanelProps {
  readonly title: string;
  readonly view: DashboardView;
  readonly names: readonly string[];
  readonly fractions?: ReadonlySet<string>; // names drawn on a fixed [0,1] scale
  readonly width: number;
  readonly color?: string;
  readonly hideMissing?: boolean; // drop rows that have no data (e.g. GRPO-only metrics in an SFT run)
}

export function SeriesPanel({ title, view, names, fractions, width, color, hideMissing }: SeriesPanelProps) {
  const shown = hideMissing ? names.filter((n) => view.series.has(n)) : names;
  const labelWidth = Math.min(14, Math.max(4, ...shown.map((n) => metricLabel(n).length + 1)));
  const sparkWidth = Math.max(4, width - 4 - labelWidth - 8);
  return (
    <Box flexDirection="column" borderStyle="round" borderColor="gray" width={width} paddingX={1}>
      <Text bold>{title}</Text>
      {shown.length === 0 ? (
        <Text dimColor>no data yet</Text>
      ) : (
        shown.map((name) => (
          <SeriesRow
            key={name}
            label={metricLabel(name)}
            series={view.series.get(name)}
            fraction={fractions?.has(name)}
            labelWidth={labelWidth}
            sparkWidth={sparkWidth}
            color={color}
          />
        ))
      )}
    </Box>
  );
}
