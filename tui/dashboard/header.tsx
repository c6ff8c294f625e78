/** Run name, task, backend/device, step/total, elapsed time and an ETA progress bar. */
import { Box, Text } from 'ink';
import { formatDuration } from '../format.ts';
import { etaMs, type DashboardView, type RunInfo } from './dashboard-store.ts';
import { ProgressBar } from './progress-bar.tsx';

export interface HeaderProps {
  readonly info: RunInfo;
  readonly view: DashboardView;
  readonly stopping: boolean;
  readonly width: number;
}

export function Header({ info, view, stopping, width }: HeaderProps) {
  const total = info.totalSteps;
  const step = Math.max(0, view.step);
  const stepText = total === undefined ? `step ${step}` : `step ${step}/${total}`;
  const fraction = total ? step / total : undefined;
  const eta = view.finishedAt === undefined ? etaMs(view, total) : undefined;
  const status = view.error
    ? { text: `failed: ${view.error}`, color: 'red' }
    : view.finishedAt !== undefined
      ? stopping
        ? { text: 'stopped (q)', color: 'yellow' }
        : { text: 'finished', color: 'green' }
      : stopping
        ? { text: 'stopping: checkpointing…', color: 'yellow' }
        : { text: 'running', color: 'cyan' };
  const device = info.device ? `${info.backend} (${info.device})` : info.backend;
  const timing = `${stepText}  elapsed ${formatDuration(view.now - view.startedAt)}  ETA ${formatDuration(eta)}`;
  return (
    <Box flexDirection="column" width={width}>
      <Box justifyContent="space-between">
        <Text wrap="truncate-end">
          <Text bold color="magenta">
            asymflow
          </Text>{' '}
          <Text bold>{info.run}</Text>
          <Text dimColor> · task </Text>
          {info.task}
          <Text dimColor> · </Text>
          {device}
        </Text>
        <Text color={status.color}>{status.text}</Text>
      </Box>
      <Box>
        <ProgressBar fraction={fraction} width={Math.max(10, width - timing.length - 8)} />
        <Text> {timing}</Text>
      </Box>
    </Box>
  );
}
