/**
 * Collects concurrent requests into one sampling call: rows with equal sampling parameters that arrive
 * within `windowMs` of the first (or while a previous batch is still sampling) are sent together, at most
 * `maxBatch` rows per call, one call at a time. Each row keeps its own seed, so batching does not change
 * what a row samples (given a batch-invariant sampler).
 */
import type { Completion } from '../policy/policy.ts';
import type { ServedModel, ServeRow, ServeSampling } from '../policy/served-model.ts';

interface Entry {
  readonly row: ServeRow;
  readonly sampling: ServeSampling;
  readonly key: string;
  readonly resolve: (completions: Completion[]) => void;
  readonly reject: (error: unknown) => void;
}

export interface BatcherStats {
  readonly calls: number; // sampling calls made
  readonly rows: number; // rows sampled
  readonly largestBatch: number;
}

export class Batcher {
  private pending: Entry[] = [];
  private timer?: NodeJS.Timeout;
  private running = false;
  private counts = { calls: 0, rows: 0, largestBatch: 0 };

  constructor(
    private readonly model: ServedModel,
    private readonly windowMs: number,
    private readonly maxBatch: number,
  ) {
    if (!Number.isInteger(maxBatch) || maxBatch < 1) throw new RangeError(`serve maxBatch must be a positive integer, got ${maxBatch}`);
    if (!(windowMs >= 0)) throw new RangeError(`serve batchWindowMs must be a non-negative number, got ${windowMs}`);
  }

  stats(): BatcherStats {
    return { ...this.counts };
  }

  submit(row: ServeRow, sampling: ServeSampling): Promise<Completion[]> {
    return new Promise((resolve, reject) => {
      const key = JSON.stringify([sampling.temperature, sampling.topP, sampling.maxTokens, sampling.n, sampling.stop ?? [], sampling.topLogprobs ?? 0]);
      this.pending.push({ row, sampling, key, resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.running) return; // the running batch reschedules when it ends
    const full = this.pending.filter((e) => e.key === this.pending[0].key).length >= this.maxBatch;
    if (full) {
      clearTimeout(this.timer);
      this.timer = setTimeout(() => void this.flush(), 0);
    } else {
      this.timer ??= setTimeout(() => void this.flush(), this.windowMs);
    }
  }

  private async flush(): Promise<void> {
    this.timer = undefined;
    if (this.running || this.pending.length === 0) return;
    const key = this.pending[0].key;
    const batch: Entry[] = [];
    const rest: Entry[] = [];
    for (const entry of this.pending) (entry.key === key && batch.length < this.maxBatch ? batch : rest).push(entry);
    this.pending = rest;
    this.running = true;
    this.counts.calls++;
    this.counts.rows += batch.length;
    this.counts.largestBatch = Math.max(this.counts.largestBatch, batch.length);
    try {
      const out = await this.model.generateRows(
        batch.map((e) => e.row),
        batch[0].sampling,
      );
      batch.forEach((entry, i) => entry.resolve(out[i] ?? []));
    } catch (error) {
      for (const entry of batch) entry.reject(error);
    } finally {
      this.running = false;
      if (this.pending.length > 0) this.timer = setTimeout(() => void this.flush(), 0);
    }
  }

  close(): void {
    clearTimeout(this.timer);
    for (const entry of this.pending) entry.reject(new Error('server closing'));
    this.pending = [];
  }
}
