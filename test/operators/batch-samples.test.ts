import { firstValueFrom, from, toArray } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import { batchSamples } from '../../operators/batch-samples.ts';
import { modelConfig } from '../../src/model/config.ts';
import { promptTokens } from '../../src/prompt.ts';
import { Rng } from '../../src/rng.ts';
import { START, type DataCursor } from '../../src/sft/data-cursor.ts';
import type { SftBatch } from '../../src/sft/step-record.ts';
import type { TrainRow } from '../../src/sft/train-rows.ts';
import { encode } from '../../src/tokenizer.ts';

const model = modelConfig('tiny', { inputSize: 32, d: 32, layers: 1, maxText: 256 });
const PATCH_VALUES = model.patch * model.patch * (model.inputSize / model.patch) ** 2; // a row's patch values

// Row i's image is the constant (i + 1)/10, so a batch's patches say which rows it holds.
const rows: TrainRow[] = Array.from({ length: 5 }, (_, i) => ({
  id: `row-${i}`,
  pixels: new Float32Array(model.inputSize ** 2).fill((i + 1) / 10),
  prompt: promptTokens(`query ${i}`),
  response: encode(`<caption>${i}</caption>r<answer>${i}</answer>`),
}));

const options = (cursor: DataCursor = START) => ({ rows, model, rng: new Rng(7), cursor, batch: 2, bucket: 16 });

/** The row indices a prepared batch holds, read back from its patches. */
const rowsOf = (b: SftBatch): number[] => Array.from({ length: b.prepared.rows }, (_, k) => Math.round(b.prepared.patches[k * PATCH_VALUES] * 10) - 1);

const take = (steps: number[], cursor?: DataCursor) => firstValueFrom(from(steps).pipe(batchSamples(options(cursor)), toArray()));

describe('batchSamples', () => {
  it('emits one batch per step number, at the step’s frame', () => {
    new TestScheduler((actual, expected) => expect(actual).toEqual(expected)).run(({ cold, expectObservable }) => {
      const out = cold('-a---b|', { a: 1, b: 2 }).pipe(batchSamples(options()));
      expectObservable(out).toBe('-a---b|', {
        a: expect.objectContaining({ step: 1, rows: 2, cursor: { epoch: 0, index: 2 } }),
        b: expect.objectContaining({ step: 2, rows: 2, cursor: { epoch: 0, index: 4 } }),
      });
    });
  });

  it('visits every row at most once an epoch and moves to the next epoch instead of straddling it', async () => {
    const batches = await take([1, 2, 3]);
    const epoch0 = [...rowsOf(batches[0]), ...rowsOf(batches[1])];
    expect(new Set(epoch0).size).toBe(4); // 4 distinct rows of 5; the 5th is the skipped tail
    expect(batches.map((b) => b.cursor)).toEqual([
      { epoch: 0, index: 2 },
      { epoch: 0, index: 4 },
      { epoch: 1, index: 2 }, // one row left in epoch 0: too few for a batch of 2
    ]);
  });

  it('lays out prompt and response columns in multiples of the bucket', async () => {
    const [batch] = await take([1]);
    expect(batch.prepared.promptColumns % 16).toBe(0);
    expect(batch.prepared.responseColumns % 16).toBe(0);
    expect(batch.prepared.rows).toBe(2);
  });

  it('starts every subscription at the given cursor, so a resumed run takes the batches an uninterrupted one would', async () => {
    const straight = await take([1, 2, 3, 4]);
    const again = await take([1, 2, 3, 4]);
    expect(again.map(rowsOf)).toEqual(straight.map(rowsOf));
    const resumed = await take([3, 4], straight[1].cursor);
    expect(resumed.map(rowsOf)).toEqual(straight.slice(2).map(rowsOf));
    expect(resumed.map((b) => b.cursor)).toEqual(straight.slice(2).map((b) => b.cursor));
  });

  it('shuffles with the stage’s stream: another seed gives another order', async () => {
    const a = await take([1, 2]);
    const b = await firstValueFrom(from([1, 2]).pipe(batchSamples({ ...options(), rng: new Rng(8) }), toArray()));
    expect(b.map(rowsOf)).not.toEqual(a.map(rowsOf));
  });
});
