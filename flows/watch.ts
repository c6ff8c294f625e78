/**
 * What a run offers its watchers — the dashboard, the plain log (tui/monitor.ts), a sweep's progress, a test:
 * one type for every flow that streams metrics (sft, rl, a replayed recording).
 */
import type { Observable } from 'rxjs';
import type { Metric } from '../src/records.ts';
import type { SampleView } from '../src/sft/sft-eval.ts';

/** Static facts about the run, shown in the dashboard's header. */
export interface RunInfo {
  readonly run: string;
  readonly task: string;
  readonly backend: string; // e.g. 'webgpu'
  readonly device?: string; // e.g. 'NVIDIA H100 80GB HBM3'
  readonly totalSteps?: number; // gives the header its progress bar and ETA
}

export interface RunWatch {
  readonly metrics$: Observable<Metric>; // hot, shared; completes when the run ends
  readonly samples$?: Observable<SampleView>; // evaluated samples (caption vs p*), where the flow evaluates
  readonly info: RunInfo;
  /** Stop after the current step (a checkpoint, then the run ends as its flow ends a stopped run). */
  requestStop(): void;
}
