/**
 * The pretraining stage's data (src/pretrain/): the caption renders come from another, visibly different
 * distribution whose content does not overlap val or test — measured here against the held-out splits'
 * first 500 puzzles as `gen` draws them, with no redraw needed — and the Sudoku renders use the training
 * handwriting; the run's audit line says 0 for every comparison, and the reasoning rows carry no image.
 */
import { describe, expect, it } from 'vitest';
import { splitKeys, keysOf, overlapOf } from '../../../src/data/split-audit.ts';
import { modelConfig } from '../../../src/model/config.ts';
import { BLANK_PIXEL } from '../../../src/model/no-image.ts';
import { captionDistribution } from '../../../src/pretrain/caption-distribution.ts';
import { resolvePretrainConfig } from '../../../src/pretrain/pretrain-config.ts';
import { CAPTION_STREAM, loadPretrainData, streamSamples } from '../../../src/pretrain/pretrain-data.ts';
import { gcTask } from '../../../src/tasks/gc/index.ts';
import { glyphPoolOf, sudokuTask } from '../../../src/tasks/sudoku/index.ts';

const SEED = 0;

describe('pretraining caption distribution', () => {
  it('GC: other node counts and layout, content-disjoint from val and test (measured overlap 0 without redraws)', async () => {
    const run = { inputSize: 32 }; // the task's defaults: 7-9 nodes, circle layout
    const caption = captionDistribution(gcTask, run);
    expect(caption).toMatchObject({ layout: 'spring', minNodes: 3, maxNodes: 6 });
    const samples = await streamSamples({ task: gcTask, stream: CAPTION_STREAM, n: 200, seed: SEED, options: caption, keyOptions: run, avoid: new Set() });
    const keys = keysOf(
      gcTask,
      samples.map((s) => s.puzzle),
      run,
    );
    for (const split of ['val', 'test']) expect(overlapOf(keys, splitKeys(gcTask, split, SEED, run, 500).keys)).toBe(0);
    expect(samples.every((s) => Number(s.puzzle.meta.nodes) <= 6)).toBe(true);
    // a run on 4-6 nodes gets its captions above its range
    expect(captionDistribution(gcTask, { minNodes: 4, maxNodes: 6, layout: 'spring' })).toMatchObject({ layout: 'circle', minNodes: 7, maxNodes: 10 });
  });

  it('Sudoku: another density of givens, the training handwriting, disjoint from val and test', async () => {
    const run = { blanks: 20, inputSize: 36 };
    const caption = captionDistribution(sudokuTask, run);
    expect(caption.blanks).toBe(45);
    expect(captionDistribution(sudokuTask, { blanks: 55 }).blanks).toBe(30);
    const samples = await streamSamples({ task: sudokuTask, stream: CAPTION_STREAM, n: 20, seed: SEED, options: caption, keyOptions: run, avoid: new Set() });
    expect(samples.every((s) => glyphPoolOf(s.puzzle) === 'train')).toBe(true);
    const keys = keysOf(
      sudokuTask,
      samples.map((s) => s.puzzle),
      run,
    );
    for (const split of ['val', 'test']) expect(overlapOf(keys, splitKeys(sudokuTask, split, SEED, run, 500).keys)).toBe(0);
  });

  it("a run's data: audit 0 against every held-out split, caption rows of the other distribution, reasoning rows without the image", async () => {
    const config = resolvePretrainConfig({ task: 'gc', out: 'x', captionN: 30, reasoningN: 10, evalN: 20, schedule: 'sequence' });
    const mc = modelConfig('tiny', { inputSize: 32, d: 32, layers: 1 });
    const lines: string[] = [];
    const data = await loadPretrainData(config, gcTask, mc, { verbosity: 1 }, (l) => lines.push(l));
    const audit = lines.find((l) => l.startsWith('pretrain: content overlap'))!;
    for (const part of ['captions (30) × test[0,500): 0', 'captions (30) × val[0,500): 0', 'captions (30) × val[0,20): 0', 'reasoning (10) × test[0,500): 0'])
      expect(audit).toContain(part);
    expect(audit).not.toMatch(/NOT disjoint/);
    expect(lines).toContain("pretrain: caption renders differ from the task's in layout circle → spring, minNodes 7 → 3, maxNodes 9 → 6");
    expect(data.perception).toHaveLength(30);
    expect(data.main).toHaveLength(10);
    for (const row of data.main) expect(row.pixels.every((v) => v === BLANK_PIXEL)).toBe(true);
    expect(data.perception.some((row) => row.pixels.some((v) => v !== BLANK_PIXEL))).toBe(true);
  });
});
