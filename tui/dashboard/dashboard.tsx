/**
 * The live run dashboard: the log scrolls above (ink `<Static>`, printed once per line), and a panel below
 * redraws at most once per `frameMs` with the header, the metric panels the run has data for (laid out for
 * the terminal's size by layout.ts) and the latest sample. `q` asks the flow to stop through `onQuit`,
 * Ctrl+C (read as a key in raw mode) through `onInterrupt`, which stops on the first press and exits on the
 * second (tui/interrupt.ts); the flow checkpoints and then ends its metric stream, which shows as
 * "finished" and calls `onFinish` after the final frame.
 */
import { Box, Static, Text, useInput, useStdin, useStdout } from 'ink';
import { useEffect, useMemo, useRef, useState } from 'react';
import type { Observable } from 'rxjs';
import type { Metric } from '../../src/records.ts';
import { dashboardView$ } from './dashboard-stream.ts';
import type { DashboardView, LatestSample, LogLine, RunInfo } from './dashboard-store.ts';
import { Header } from './header.tsx';
import { planLayout, type PanelSpec } from './layout.ts';
import { ACCURACY_SERIES, isOtherMetric, isRewardMetric, THROUGHPUT_SERIES, TRAINING_SERIES } from './metric-names.ts';
import { SamplePanel } from './sample-panel.tsx';
import { SeriesPanel } from './series-panel.tsx';
import { useObservable } from './use-observable.ts';

export interface DashboardProps {
  readonly metrics$: Observable<Metric>; // the run's shared metric stream
  readonly samples$?: Observable<LatestSample>;
  readonly log$?: Observable<string>;
  readonly info: RunInfo;
  readonly onQuit?: () => void; // called once on `q` (or Ctrl+C without onInterrupt): the flow should checkpoint and complete metrics$
  readonly onInterrupt?: () => void; // called on every Ctrl+C
  readonly onFinish?: () => void; // called once after the final frame (metrics$ completed or failed)
  readonly frameMs?: number; // minimum time between redraws, default 100 (≤ 10 fps)
  readonly now?: () => number; // clock for elapsed/ETA (tests)
}

const FRACTIONS = new Set([...ACCURACY_SERIES, ...TRAINING_SERIES].filter((s) => s.unit === 'fraction').map((s) => s.name));

export function Dashboard({ metrics$, samples$, log$, info, onQuit, onInterrupt, onFinish, frameMs = 100, now }: DashboardProps) {
  const view$ = useMemo(() => dashboardView$({ metrics$, samples$, log$ }, { frameMs, now }), [metrics$, samples$, log$, frameMs, now]);
  const initial = useMemo(() => emptyView(now ?? Date.now), [now]);
  const view = useObservable(view$, initial);
  const [stopping, setStopping] = useState(false);
  const quitRequested = useRef(false); // a ref, not state: two key presses can arrive before a re-render
  const { isRawModeSupported } = useStdin();
  const { stdout } = useStdout();

  useInput(
    (input, key) => {
      const ctrlC = key.ctrl && input === 'c';
      if (ctrlC && onInterrupt) {
        quitRequested.current = true;
        setStopping(true);
        onInterrupt();
      } else if ((input === 'q' || ctrlC) && !quitRequested.current) {
        quitRequested.current = true;
        setStopping(true);
        onQuit?.();
      }
    },
    { isActive: isRawModeSupported === true && view.finishedAt === undefined },
  );

  const finished = view.finishedAt !== undefined;
  useEffect(() => {
    if (finished) onFinish?.();
  }, [finished]); // once, when the run ends (onFinish identity changes must not re-fire it)

  const layout = planLayout(panelSpecs([...view.series.keys()]), { columns: stdout.columns ?? 100, rows: stdout.rows ?? 40 }, samples$ !== undefined);
  return (
    <>
      <Static items={view.log as LogLine[]}>
        {(line) => (
          <Text key={line.id} wrap="truncate-end">
            {line.text}
          </Text>
        )}
      </Static>
      <Box flexDirection="column" width={layout.width}>
        <Header info={info} view={view} stopping={stopping} width={layout.width} />
        <Box>
          {layout.columns.map((column, i) => (
            <Box key={i} flexDirection="column" width={layout.columnWidths[i]}>
              {column.map((plan) => (
                <SeriesPanel key={plan.title} plan={plan} view={view} fractions={FRACTIONS} width={layout.columnWidths[i]} bordered={layout.bordered} />
              ))}
            </Box>
          ))}
        </Box>
        {layout.sampleRows > 0 ? <SamplePanel sample={view.sample} width={layout.width} bordered={layout.bordered} /> : null}
        <Text dimColor>{finished ? 'run ended' : stopping ? 'stopping after the current step…' : 'q: stop (checkpoint, then exit)'}</Text>
      </Box>
    </>
  );
}

/**
 * The panels this run has data for, in placement order. Accuracy is always there (every run is evaluated
 * sooner or later); rewards, training, throughput and other appear once the run emits such a metric (an
 * SFT run has no rewards panel, a replayed eval no training one).
 */
export function panelSpecs(names: readonly string[]): PanelSpec[] {
  const present = new Set(names);
  const specs: PanelSpec[] = [
    { title: 'accuracy', names: ACCURACY_SERIES.map((s) => s.name), color: 'green' },
    { title: 'training', names: TRAINING_SERIES.map((s) => s.name).filter((n) => present.has(n)), color: 'cyan' },
    { title: 'rewards', names: names.filter(isRewardMetric).sort(), color: 'yellow' },
    { title: 'throughput', names: THROUGHPUT_SERIES.map((s) => s.name).filter((n) => present.has(n)), color: 'blue' },
    { title: 'other', names: names.filter(isOtherMetric).sort() },
  ];
  return specs.filter((spec, i) => i === 0 || spec.names.length > 0);
}

function emptyView(now: () => number): DashboardView {
  const t = now();
  return { step: -1, startedAt: t, now: t, series: new Map(), log: [] };
}
