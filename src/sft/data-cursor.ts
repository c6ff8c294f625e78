/**
 * Where a run is in its training data. Rows are visited in epochs; each epoch's order is a seeded shuffle
 * drawn from its own child stream (`rng.split('epoch/<e>')`), so the cursor {epoch, index} alone fixes the
 * position: a checkpoint stores it, and a resumed run takes exactly the batches the uninterrupted one would.
 * A batch never straddles epochs: the tail of an epoch shorter than the batch is skipped.
 */
import type { Rng } from '../rng.ts';

export interface DataCursor {
  readonly epoch: number;
  readonly index: number; // next position within the epoch's order
}

export const START: DataCursor = { epoch: 0, index: 0 };

/** The row order of `epoch` over `n` rows. */
export function epochOrder(rng: Rng, epoch: number, n: number): number[] {
  return rng.split(`epoch/${epoch}`).shuffle(Array.from({ length: n }, (_, i) => i));
}

/** The row indices of the next batch and the cursor after it. */
export function nextBatch(rng: Rng, cursor: DataCursor, n: number, batch: number): { indices: number[]; cursor: DataCursor } {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`nextBatch: no rows to draw from (n = ${n})`);
  const size = Math.min(batch, n); // fewer rows than a batch: every batch is the whole (shuffled) set
  let { epoch, index } = cursor;
  if (index + size > n) {
    epoch += 1;
    index = 0;
  }
  const indices = epochOrder(rng, epoch, n).slice(index, index + size);
  return { indices, cursor: { epoch, index: index + size } };
}

/** Validates a cursor read back from a checkpoint; `where` names the file. */
export function parseCursor(value: unknown, where: string): DataCursor {
  const c = value as Partial<DataCursor> | null;
  if (!c || !Number.isInteger(c.epoch) || !Number.isInteger(c.index) || c.epoch! < 0 || c.index! < 0) {
    throw new Error(`${where}: data cursor ${JSON.stringify(value)} is not {epoch, index} with non-negative integers`);
  }
  return { epoch: c.epoch!, index: c.index! };
}
