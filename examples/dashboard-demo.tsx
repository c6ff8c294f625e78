/**
 * The dashboard on a synthetic metric stream, to try it in a terminal without training anything:
 *   npx tsx examples/dashboard-demo.tsx [steps] [stepMs]
 * Press q to stop early (the demo "checkpoints" by ending the stream at the next step).
 */
import { interval, map, share, Subject, takeUntil } from 'rxjs';
import { attachMonitor } from 'asymflow/tui';
import { syntheticMetrics$, syntheticSamples$ } from './synthetic-metrics.ts';

const steps = Number(process.argv[2] ?? 300);
const stepMs = Number(process.argv[3] ?? 100);
const quit$ = new Subject<void>();
const metrics$ = syntheticMetrics$({ run: 'demo-sft', steps, stepMs }).pipe(takeUntil(quit$), share());
const log$ = interval(2000).pipe(
  map((i) => `[${new Date().toISOString().slice(11, 19)}] checkpoint ${i} written`),
  takeUntil(quit$),
);

const monitor = attachMonitor({
  metrics$,
  samples$: syntheticSamples$().pipe(takeUntil(quit$)),
  log$,
  info: { run: 'demo-sft', task: 'gc', backend: 'webgpu', device: 'synthetic device', totalSteps: steps },
  onQuit: () => quit$.next(),
});
await monitor.done;
