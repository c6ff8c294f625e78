/**
 * batchSamples — turns each step number into that step's training batch: the next `batch` rows of the
 * data cursor's seeded epoch order (src/sft/data-cursor.ts), laid out with prompt and response columns
 * padded to multiples of `bucket`, so only a few shapes ever reach the backend. The cursor lives in this
 * operator's subscription; every batch carries the cursor after it, which is what a checkpoint saves.
 *
 *   source: --1------2------3--|        step numbers
 *   output: --b1-----b2-----b3-|        b = { step, prepared, rows, cursor }
 */
import { defer, map, type OperatorFunction } from 'rxjs';
import type { ModelConfig } from '../src/model/config.ts';
import { prepareBatch } from '../src/model/logprobs.ts';
import type { Rng } from '../src/rng.ts';
import { nextBatch, type DataCursor } from '../src/sft/data-cursor.ts';
import type { SftBatch } from '../src/sft/step-record.ts';
import type { TrainRow } from '../src/sft/train-rows.ts';

export interface BatchSamplesOptions {
  readonly rows: readonly TrainRow[];
  readonly model: ModelConfig;
  readonly rng: Rng; // the stage's data stream: epoch e's order comes from rng.split(`epoch/${e}`)
  readonly cursor: DataCursor; // where this subscription starts
  readonly batch: number;
  readonly bucket: number;
}

export function batchSamples(options: BatchSamplesOptions): OperatorFunction<number, SftBatch> {
  const { rows, model, rng, batch, bucket } = options;
  return (source) =>
    defer(() => {
      let cursor = options.cursor;
      return source.pipe(
        map((step) => {
          const next = nextBatch(rng, cursor, rows.length, batch);
          cursor = next.cursor;
          const picked = next.indices.map((i) => rows[i]);
          return { step, prepared: prepareBatch(model, picked, bucket), rows: picked.length, cursor };
        }),
      );
    });
}
