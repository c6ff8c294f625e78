/** A panel of metric rows (bordered on roomy terminals); rows without data yet are dimmed. */
import { Box, Text } from 'ink';
import type { DashboardView } from './dashboard-store.ts';
import { distinctLabels, type PanelPlan } from './layout.ts';
import { metricLabel } from './metric-names.ts';
import { SeriesRow } from './series-row.tsx';

export interface SeriesPanelProps {
  readonly plan: PanelPlan;
  readonly view: DashboardView;
  readonly fractions?: ReadonlySet<string>; // names drawn on a fixed [0,1] scale
  readonly width: number;
  readonly bordered: boolean;
}

const VALUE_WIDTH = 8;

export function SeriesPanel({ plan, view, fractions, width, bordered }: SeriesPanelProps) {
  const inner = width - (bordered ? 4 : 1); // border and padding, or a one-column gap to the next panel
  const labelWidth = Math.min(Math.max(12, Math.floor(inner / 3)), Math.max(4, ...plan.names.map((n) => metricLabel(n).length + 1)));
  const labels = distinctLabels(plan.names.map(metricLabel), labelWidth - 1);
  const sparkWidth = Math.max(4, inner - labelWidth - VALUE_WIDTH);
  return (
    <Box flexDirection="column" borderStyle={bordered ? 'round' : undefined} borderColor="gray" width={width} paddingX={bordered ? 1 : 0}>
      <Text bold wrap="truncate-end">
        {plan.title}
        {plan.hidden > 0 ? <Text dimColor> +{plan.hidden} more</Text> : null}
      </Text>
      {plan.names.map((name, i) => (
        <SeriesRow
          key={name}
          label={labels[i]}
          series={view.series.get(name)}
          fraction={fractions?.has(name)}
          labelWidth={labelWidth}
          sparkWidth={sparkWidth}
          color={plan.color}
        />
      ))}
    </Box>
  );
}
