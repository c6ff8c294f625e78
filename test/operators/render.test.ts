import { Piscina } from 'piscina';
import { from, lastValueFrom, of, take, toArray } from 'rxjs';
import sharp from 'sharp';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { orderedMap } from '../../operators/ordered-map.ts';
import { openSamplePool } from '../../operators/pool/sample-pool.ts';
import { render } from '../../operators/render.ts';
import { puzzleAt } from '../../src/data/split-sample.ts';
import { gcTask } from '../../src/tasks/gc/index.ts';

const puzzles = Array.from({ length: 6 }, (_, i) => puzzleAt(gcTask, { split: 'train_sft', seed: 5 }, i));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

afterEach(() => vi.restoreAllMocks());

describe('orderedMap', () => {
  it('emits in source order whatever order the work finishes in, with at most `concurrency` in flight', async () => {
    let inFlight = 0;
    let most = 0;
    const delays = [30, 5, 20, 1, 10, 1, 15, 2];
    const out = await lastValueFrom(
      from(delays).pipe(
        orderedMap(
          async (ms, i) => {
            most = Math.max(most, ++inFlight);
            await sleep(ms);
            inFlight--;
            return `r${i}`;
          },
          { concurrency: 3 },
        ),
        toArray(),
      ),
    );
    expect(out).toEqual(delays.map((_, i) => `r${i}`));
    expect(most).toBe(3);
    expect(() => orderedMap(async (x) => x, { concurrency: 0 })).toThrow('orderedMap concurrency must be a positive integer, got 0');
  });

  it('errors the stream when one projection fails', async () => {
    const out = lastValueFrom(from([1, 2, 3]).pipe(orderedMap(async (x) => (x === 2 ? Promise.reject(new Error('boom 2')) : x), { concurrency: 2 })));
    await expect(out).rejects.toThrow('boom 2');
  });
});

describe('render', () => {
  it('gives samples in puzzle order, identical in process and on worker threads, decodable at the stated sizes', async () => {
    const inline = await lastValueFrom(from(puzzles).pipe(render({ task: 'gc', concurrency: 0, response: true }), toArray()));
    const pool = openSamplePool(2);
    try {
      const pooled = await lastValueFrom(from(puzzles).pipe(render({ task: 'gc', pool, concurrency: 4, response: true }), toArray()));
      expect(pooled.map((s) => s.puzzle.id)).toEqual(puzzles.map((p) => p.id));
      expect(pooled).toEqual(inline); // png bytes, Float32 pixels, query and trace alike
      expect(pooled[0].pixels).toBeInstanceOf(Float32Array); // transferred back as typed arrays, not plain objects
    } finally {
      await pool.close();
    }
    const meta = await sharp(inline[2].png).metadata();
    expect([meta.width, meta.height]).toEqual([448, 448]);
    expect(inline[2].pixels!.length).toBe(inline[2].width * inline[2].height);
    expect(inline[2].response!.startsWith(`<caption>${puzzles[2].pStar}</caption>`)).toBe(true);
    const small = await lastValueFrom(of(puzzles[0]).pipe(render({ task: 'gc', concurrency: 0, options: { inputSize: 96 } })));
    expect([small.width, small.height, small.pixels!.length, small.response]).toEqual([96, 96, 96 * 96, undefined]);
  });

  it('closes a pool it opened on complete, on unsubscribe and on error, and never one it was given', async () => {
    const destroy = vi.spyOn(Piscina.prototype, 'destroy');
    await lastValueFrom(from(puzzles.slice(0, 2)).pipe(render({ task: 'gc', concurrency: 1 })));
    expect(destroy).toHaveBeenCalledTimes(1);
    await lastValueFrom(from(puzzles).pipe(render({ task: 'gc', concurrency: 1 }), take(1)));
    expect(destroy).toHaveBeenCalledTimes(2);
    const bad = lastValueFrom(of(puzzles[0]).pipe(render({ task: 'gc', concurrency: 1, options: { layout: 'sprin' } })));
    await expect(bad).rejects.toThrow('gc.layout must be one of circle, spring, got "sprin"');
    expect(destroy).toHaveBeenCalledTimes(3);
    const pool = openSamplePool(1);
    await lastValueFrom(of(puzzles[0]).pipe(render({ task: 'gc', pool })));
    expect(destroy).toHaveBeenCalledTimes(3);
    await pool.close();
    await pool.close(); // twice is fine
    expect(destroy).toHaveBeenCalledTimes(4);
  });
});
