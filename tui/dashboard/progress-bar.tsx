/** A block progress bar with a percentage: ███████░░░░ 42% */
import { Text } from 'ink';

export interface ProgressBarProps {
  readonly fraction: number | undefined; // in [0,1]; undefined draws an empty bar without a figure
  readonly width: number; // characters for the bar itself
}

export function ProgressBar({ fraction, width }: ProgressBarProps) {
  const f = fraction === undefined || !Number.isFinite(fraction) ? 0 : Math.min(1, Math.max(0, fraction));
  const filled = Math.round(f * Math.max(0, width));
  return (
    <Text>
      <Text color="green">{'█'.repeat(filled)}</Text>
      <Text dimColor>{'░'.repeat(Math.max(0, width - filled))}</Text>
      <Text> {fraction === undefined ? '' : `${Math.floor(f * 100)}%`}</Text>
    </Text>
  );
}
