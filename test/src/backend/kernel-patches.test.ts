import { afterAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { resolveBackend } from '../../../src/backend/index.ts';
import { foldPadding } from '../../../src/backend/kernel-patches.ts';

const log = () => {};

/** Runs `f` on cpu and on `backend`, returning both results' values. */
async function onBoth(backend: string, f: () => tf.Tensor): Promise<[Float32Array, Float32Array]> {
  await resolveBackend('cpu', { env: {}, log });
  const want = (await f().data()) as Float32Array;
  await resolveBackend(backend, { env: {}, log });
  const got = (await f().data()) as Float32Array;
  return [got, want];
}

describe('wasm kernel patches', () => {
  afterAll(async () => {
    await resolveBackend('cpu', { env: {}, log });
  });

  it('trains through tf.gather: UnsortedSegmentSum (its gradient) matches cpu, repeated ids summed', async () => {
    const table = () =>
      tf.tensor2d(
        Float32Array.from({ length: 12 }, (_, i) => i * 0.5 - 2),
        [4, 3],
      ); // [4, 3]
    const ids = () =>
      tf.tensor2d(
        [
          [0, 2, 2],
          [3, 0, 2],
        ],
        [2, 3],
        'int32',
      ); // [2, 3]
    const grad = () => tf.grad((t: tf.Tensor) => tf.gather(t, ids()).square().sum())(table()); // [4, 3]
    const [got, want] = await onBoth('wasm', grad);
    expect(Array.from(got)).toEqual(Array.from(want));
    expect(Array.from(want.slice(3, 6))).toEqual([0, 0, 0]); // row 1 never gathered
  });

  it('UnsortedSegmentSum drops out-of-range ids and keeps trailing dims', async () => {
    const f = () =>
      tf.unsortedSegmentSum(
        tf.tensor2d([
          [1, 2],
          [3, 4],
          [5, 6],
        ]),
        tf.tensor1d([1, -1, 1], 'int32'),
        3,
      );
    const [got, want] = await onBoth('wasm', f);
    expect(Array.from(got)).toEqual([0, 0, 6, 8, 0, 0]);
    expect(Array.from(want)).toEqual([0, 0, 6, 8, 0, 0]);
  });
});

describe('foldPadding (the rank-5 PadV2 fix for webgpu)', () => {
  it('folds unpadded axes into the axis before them, and the folded pad equals the original', async () => {
    await resolveBackend('cpu', { env: {}, log });
    const shape = [1, 3, 2, 4, 5]; // a 5-D slice gradient: pad axis 0 only
    const paddings: [number, number][] = [
      [1, 1],
      [0, 0],
      [0, 0],
      [0, 0],
      [0, 0],
    ];
    const folded = foldPadding(shape, paddings);
    expect(folded).toEqual({ shape: [120], pads: [[120, 120]] });
    const x = tf.tensor(
      Float32Array.from({ length: 120 }, (_, i) => i + 1),
      shape,
    );
    const direct = await tf.pad(x, paddings).data();
    const viaFold = await tf.pad(x.reshape(folded.shape), folded.pads).reshape([3, 3, 2, 4, 5]).data();
    expect(Array.from(viaFold)).toEqual(Array.from(direct));
  });

  it('keeps padded axes apart', () => {
    expect(
      foldPadding(
        [2, 3, 4, 5, 6],
        [
          [0, 0],
          [1, 0],
          [0, 0],
          [0, 2],
          [0, 0],
        ],
      ),
    ).toEqual({
      shape: [2, 12, 30],
      pads: [
        [0, 0],
        [4, 0],
        [0, 12],
      ],
    });
  });
});
