import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { gridInput, gridRowOf, gridRows, withCaptionGrid } from '../../../src/model/caption-grid.ts';
import { modelConfig, patchCount } from '../../../src/model/config.ts';
import { responseLogprobs } from '../../../src/model/logprobs.ts';
import { promptTokens } from '../../../src/prompt.ts';
import { sample } from '../../../src/model/sample.ts';
import { createVlm, disposeVlm, param } from '../../../src/model/vlm.ts';
import { Rng } from '../../../src/rng.ts';
import { gcTask } from '../../../src/tasks/gc/index.ts';
import { SUDOKU_QUERY, sudokuTask } from '../../../src/tasks/sudoku/index.ts';
import { encode } from '../../../src/tokenizer.ts';
import { BUCKET, pixels, useCpu } from './fixtures.ts';

beforeAll(useCpu);

// 36-px input, 4-px patches: the 9×9 patch grid of every real size, cheap on the cpu backend.
const grid = modelConfig('tiny', { inputSize: 36, patch: 4, d: 32, layers: 1, gridStart: 5, gridStride: 10, gridAnswerStart: 95, maxText: 256 });

describe('caption grid', () => {
  it('maps the token that predicts cell (r, c) to its caption row, the answer to its answer row, the rest to the zero row', () => {
    const of = gridRowOf(grid);
    expect(of[5]).toBe(0);
    expect(of[5 + 8]).toBe(8);
    expect(of[5 + 9]).toBe(81); // the '/' after row 0 predicts row 1's first cell, which is position 15
    expect(of[15]).toBe(9);
    expect(of[5 + 8 * 10 + 8]).toBe(80);
    expect(of[4]).toBe(81);
    expect(of[95]).toBe(82);
    expect(of[95 + 8 * 10 + 8]).toBe(82 + 80);
    expect(Array.from(of).filter((p) => p !== 81)).toHaveLength(162);
  });

  it("adds patch (r, c)'s row of the same sample plus the cell embedding to the caption, the cell embedding alone to the answer", async () => {
    const m = createVlm(grid, 5);
    try {
      const p = patchCount(grid);
      const image = tf.tensor3d(
        Float32Array.from({ length: 2 * p * grid.d }, (_, i) => (i + 1) / 1000),
        [2, p, grid.d],
      ); // [B, P, d]
      const positions = tf.tensor2d(Int32Array.from([4, 5, 27, 93, 95, 6, 14, 183]), [2, 4], 'int32'); // [B, T]
      const added = (await gridInput(grid, gridRows(m, image), positions).array()) as number[][][];
      const [rows, cols, boxes] = await Promise.all(['gridRow', 'gridCol', 'gridBox'].map(async (n) => (await param(m, n).array()) as number[][]));
      const cell = (r: number, c: number) => rows[r].map((v, j) => v + cols[c][j] + boxes[Math.floor(r / 3) * 3 + Math.floor(c / 3)][j]);
      const patch = (b: number, k: number) => Array.from({ length: grid.d }, (_, j) => ((b * p + k) * grid.d + j + 1) / 1000);
      const near = (got: number[], want: number[]) => got.forEach((v, j) => expect(v).toBeCloseTo(want[j], 4));
      near(added[0][0], new Array(grid.d).fill(0));
      near(
        added[0][1],
        patch(0, 0).map((v, j) => v + cell(0, 0)[j]),
      );
      near(
        added[0][2],
        patch(0, 20).map((v, j) => v + cell(2, 2)[j]),
      );
      near(
        added[0][3],
        patch(0, 80).map((v, j) => v + cell(8, 8)[j]),
      );
      near(added[1][0], cell(0, 0)); // answer (0, 0): no patch
      near(
        added[1][1],
        patch(1, 1).map((v, j) => v + cell(0, 1)[j]),
      );
      near(added[1][2], new Array(grid.d).fill(0)); // the '/' at 14 predicts (1, 0) only from position 15
      near(added[1][3], cell(8, 8));
    } finally {
      disposeVlm(m);
    }
  });

  it('samples with the KV cache the log-probs that full-sequence scoring gives, the grid included', async () => {
    const m = createVlm(grid, 3);
    try {
      // Prompts of 63 and 93 tokens: the sampled tokens run through the caption grid's end and the answer grid.
      const requests = [60, 90].map((n, i) => ({ pixels: pixels(grid, i + 1), prompt: promptTokens('G'.repeat(n), '<caption>') }));
      const gens = await sample(m, requests, { temperature: 1, topP: 1, maxTokens: 40, rng: new Rng(2), bucket: BUCKET });
      const scored = await responseLogprobs(
        m,
        requests.map((r, i) => ({ ...r, response: gens[i].tokens })),
        BUCKET,
      );
      gens.forEach((g, i) => {
        expect(g.tokens.length).toBeGreaterThan(0);
        for (let k = 0; k < g.tokens.length; k++) expect(Math.abs(g.logprobs[k] - scored[i][k])).toBeLessThan(1e-4);
      });
    } finally {
      disposeVlm(m);
    }
  });

  it("is on for Sudoku's caption (and, at verbosity 0, its answer) at the right tokens, off for GC, and the caller's options win", () => {
    const start = promptTokens(SUDOKU_QUERY).length;
    const options = { verbosity: 0, blanks: 20 };
    const layout = sudokuTask.captionGrid!(options)!;
    const puzzle = sudokuTask.generate(new Rng(3), 'x', 3, options);
    const response = encode(sudokuTask.response(puzzle, options));
    const cells = (at: number) => Array.from({ length: 81 }, (_, k) => response[at - start + 1 + Math.floor(k / 9) * 10 + (k % 9)]);
    const digit = (s: string) => Array.from(s.replaceAll('/', ''), (ch) => encode(ch)[0]);
    expect(cells(layout.start)).toEqual(digit(puzzle.pStar)); // the tokens after each predictor are the cells
    expect(cells(layout.answerStart!)).toEqual(digit(puzzle.solution));
    expect(withCaptionGrid(layout, 'small', {})).toEqual({ gridStart: start, gridStride: 10, gridAnswerStart: layout.answerStart });
    expect(sudokuTask.captionGrid!({ verbosity: 2 })).toEqual({ start, side: 9, stride: 10 }); // traces of varying length
    expect(withCaptionGrid(gcTask.captionGrid?.({}), 'small', {})).toEqual({});
    expect(withCaptionGrid(layout, 'tiny', { gridStart: 0, gridAnswerStart: 0 })).toEqual({ gridStart: 0, gridStride: 10, gridAnswerStart: 0 });
    expect(withCaptionGrid(layout, 'tiny', { inputSize: 64 })).toEqual({ inputSize: 64 }); // 8×8 patches
  });

  it('rejects a grid that does not fit, and loads a config saved before the grid existed', () => {
    expect(() => modelConfig('tiny', { gridStart: 5, gridStride: 8 })).toThrow("model.gridStride (8) must be at least the patch grid's side (9)");
    expect(() => modelConfig('tiny', { gridStart: 500, gridStride: 10 })).toThrow(
      'model.gridStart/gridStride put patch row 8 at text position 588, past model.maxText (512)',
    );
    expect(() => modelConfig('tiny', { gridStart: 5, gridStride: 10, gridAnswerStart: 50 })).toThrow(
      'model.gridAnswerStart (50) must come after the caption grid (text positions 5…93)',
    );
    expect(() => modelConfig('tiny', { gridAnswerStart: 50 })).toThrow('model.gridAnswerStart (50) needs model.gridStart > 0');
    const { gridStart: _s, gridStride: _t, gridAnswerStart: _a, ...old } = modelConfig('tiny');
    expect(modelConfig(old as never).gridStart).toBe(0);
  });
});
