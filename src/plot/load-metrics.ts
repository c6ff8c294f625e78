/**
 * Loads a run's recorded metric stream (DIR/metrics.msgpack, written by the recorder) for plotting. Frames
 * hold one Metric each; a frame holding an array of Metrics (a batched writer) is flattened.
 */
import { readRecording } from '../recording/index.ts';
import type { Metric } from '../records.ts';

export async function loadMetrics(file: string): Promise<Metric[]> {
  const recording = await readRecording<unknown>(file);
  if (recording.header.kind !== 'metrics') {
    throw new Error(`${file}: a '${recording.header.kind}' recording, not 'metrics'`);
  }
  const metrics: Metric[] = [];
  let index = 0;
  for await (const batch of recording.batches()) {
    for (const frame of batch) {
      for (const record of Array.isArray(frame) ? frame : [frame]) metrics.push(checkMetric(record, file, index));
      index++;
    }
  }
  return metrics;
}

function checkMetric(value: unknown, file: string, index: number): Metric {
  const m = value as Partial<Metric> | null;
  if (!m || typeof m !== 'object' || typeof m.name !== 'string' || typeof m.step !== 'number' || typeof m.value !== 'number') {
    throw new Error(`${file}: record ${index} is not a Metric {run, step, name, value, time}`);
  }
  return { run: typeof m.run === 'string' ? m.run : '', step: m.step, name: m.name, value: m.value, time: typeof m.time === 'number' ? m.time : 0 };
}
