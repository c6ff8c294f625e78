import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { gridInput, gridPatchOf, gridRows, withCaptionGrid } from '../../../src/model/caption-grid.ts';
import { modelConfig, patchCount } from '../../../src/model/config.ts';
import { responseLogprobs } from '../../../src/model/logprobs.ts';
import { promptTokens } from '../../../src/model/prompt.ts';
import { sample } from '../../../src/model/sample.ts';
import { createVlm, disposeVlm } from '../../../src/model/vlm.ts';
import { Rng } from '../../../src/rng.ts';
import { gcTask } from '../../../src/tasks/gc/index.ts';
import { SUDOKU_QUERY, sudokuTask } from '../../../src/tasks/sudoku/index.ts';
import { encode } from '../../../src/tokenizer.ts';
import { BUCKET, pixels, useCpu } from './fixtures.ts';

beforeAll(useCpu);

// 36-px input, 4-px patches: the 9×9 patch grid of every real size, cheap on the cpu backend.
const grid = modelConfig('tiny', { inputSize: 36, patch: 4, d: 32, layers: 1, gridStart: 5, gridStride: 10, maxText: 128 });

describe('caption grid', () => {
  it('maps the token that predicts cell (r, c) to patch (r, c), and every other position to the zero row', () => {
    const of = gridPatchOf(grid);
    expect(of[5]).toBe(0);
    expect(of[5 + 8]).toBe(8);
    expect(of[5 + 9]).toBe(81); // the '/' after row 0 predicts row 1's first cell, which is position 15
    expect(of[15]).toBe(9);
    expect(of[5 + 8 * 10 + 8]).toBe(80);
    expect(of[4]).toBe(81);
    expect(Array.from(of).filter((p) => p < 81)).toHaveLength(81);
  });

  it("adds patch (r, c)'s row of the same sample at the grid positions and nothing elsewhere", async () => {
    const p = patchCount(grid);
    const image = tf.tensor3d(Float32Array.from({ length: 2 * p * grid.d }, (_, i) => i + 1), [2, p, grid.d]); // [B, P, d]
    const positions = tf.tensor2d(Int32Array.from([4, 5, 27, 93, 5, 6, 14, 15]), [2, 4], 'int32'); // [B, T]
    const added = (await gridInput(grid, gridRows(image), positions).array()) as number[][][];
    const row = (b: number, patch: number) => Array.from({ length: grid.d }, (_, c) => (b * p + patch) * grid.d + c + 1);
    const zero = new Array(grid.d).fill(0);
    expect(added[0]).toEqual([zero, row(0, 0), row(0, 2 * 9 + 2), row(0, 80)]);
    expect(added[1]).toEqual([row(1, 0), row(1, 1), zero, row(1, 9)]);
  });

  it('samples with the KV cache the log-probs that full-sequence scoring gives, the grid included', async () => {
    const m = createVlm(grid, 3);
    try {
      const requests = [0, 1].map((i) => ({ pixels: pixels(grid, i + 1), prompt: promptTokens('Grid', '<caption>') }));
      const gens = await sample(m, requests, { temperature: 1, topP: 1, maxTokens: 40, rng: new Rng(2), bucket: BUCKET });
      const scored = await responseLogprobs(m, requests.map((r, i) => ({ ...r, response: gens[i].tokens })), BUCKET);
      gens.forEach((g, i) => {
        expect(g.tokens.length).toBeGreaterThan(0); // the prompt ends at position 6: every token is on the grid
        for (let k = 0; k < g.tokens.length; k++) expect(Math.abs(g.logprobs[k] - scored[i][k])).toBeLessThan(1e-4);
      });
    } finally {
      disposeVlm(m);
    }
  });

  it("is on for Sudoku's caption at the response start, off for GC, and the caller's options win", () => {
    expect(withCaptionGrid(sudokuTask.captionGrid, 'small', {})).toEqual({ gridStart: promptTokens(SUDOKU_QUERY).length, gridStride: 10 });
    expect(encode(`<caption>${'1'.repeat(9)}/`)).toHaveLength(11); // one token a cell and a separator
    expect(withCaptionGrid(gcTask.captionGrid, 'small', {})).toEqual({});
    expect(withCaptionGrid(sudokuTask.captionGrid, 'tiny', { gridStart: 0 })).toEqual({ gridStart: 0, gridStride: 10 });
    expect(withCaptionGrid(sudokuTask.captionGrid, 'tiny', { inputSize: 64 })).toEqual({ inputSize: 64 }); // 8×8 patches
  });

  it('rejects a grid that does not fit, and loads a config saved before the grid existed', () => {
    expect(() => modelConfig('tiny', { gridStart: 5, gridStride: 8 })).toThrow('model.gridStride (8) must be at least the patch grid\'s side (9)');
    expect(() => modelConfig('tiny', { gridStart: 500, gridStride: 10 })).toThrow('model.gridStart/gridStride put patch row 8 at text position 588, past model.maxText (512)');
    const { gridStart: _s, gridStride: _t, ...old } = modelConfig('tiny');
    expect(modelConfig(old as never).gridStart).toBe(0);
  });
});
