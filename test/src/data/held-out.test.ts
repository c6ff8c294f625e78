import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { drawAt, heldOutKeys, MAX_REDRAWS, puzzleRng } from '../../../src/data/held-out.ts';
import { puzzleAt, sampleOf } from '../../../src/data/split-sample.ts';
import { heldOutAudit, splitKeys } from '../../../src/data/split-audit.ts';
import { auditedSamples } from '../../../src/data/training-samples.ts';
import { record } from '../../../operators/record.ts';
import { from, lastValueFrom } from 'rxjs';
import { gcTask } from '../../../src/tasks/gc/index.ts';
import { sudokuTask } from '../../../src/tasks/sudoku/index.ts';

// 4-node graphs: 41 labelled graphs without an isolated node, so a few held-out puzzles cover much of the space.
const SMALL = { minNodes: 4, maxNodes: 4, verbosity: 0, heldOut: 12 };

/** The first draw of an index's own stream, as every split drew it before splits were kept apart. */
const firstDraw = (split: string, i: number, options = SMALL) => {
  const rng = puzzleRng(0, 'gc', split, i);
  return gcTask.generate(rng, `gc-${split}-${i}`, rng.seed, options);
};

describe('content-disjoint splits', () => {
  it('keeps test as it was and keys puzzles by the labelled graph', () => {
    for (let i = 0; i < 5; i++) expect(puzzleAt(gcTask, { split: 'test', seed: 0, options: SMALL }, i)).toEqual(firstDraw('test', i));
    const p = firstDraw('test', 0);
    expect(gcTask.key(p, SMALL)).toBe(`gc:circle:n=4:${p.pStar}`);
    expect(gcTask.key({ ...p, seed: 99 }, { ...SMALL, layout: 'spring' })).toBe(`gc:spring:n=4:${p.pStar}`); // the drawing is not the key
  });

  it('skips and counts a training draw that duplicates a held-out puzzle, and redraws it from the same stream', () => {
    const { bySplit } = heldOutKeys(gcTask, 0, SMALL);
    const held = new Set([...bySplit.get('test')!, ...bySplit.get('val')!]);
    // an index whose old (seed-only) puzzle is a test or val puzzle: the duplicate the seeds planted in training
    const planted = Array.from({ length: 200 }, (_, i) => i).find((i) => held.has(gcTask.key(firstDraw('train_sft', i), SMALL)));
    expect(planted).toBeDefined();
    const draw = drawAt(gcTask, { split: 'train_sft', seed: 0, options: SMALL }, planted!);
    expect(draw.skipped).toBeGreaterThan(0);
    expect(held.has(gcTask.key(draw.puzzle, SMALL))).toBe(false);
    expect(draw.puzzle.id).toBe(`gc-train_sft-${planted}`);
    expect(drawAt(gcTask, { split: 'train_sft', seed: 0, options: SMALL }, planted!)).toEqual(draw); // reproducible alone
    // val avoids test; the audit measures 0 overlap where the old seeds overlapped
    const val = splitKeys(gcTask, 'val', 0, SMALL, 12).keys;
    for (const key of val) expect(bySplit.get('test')!.has(key)).toBe(false);
    const testKeys = [...bySplit.get('test')!];
    expect(heldOutAudit(gcTask, 'test', 'test[0,12)', testKeys, 0, SMALL, 100).map((o) => o.overlap)).toEqual([0, 0]);
    const old = Array.from({ length: 100 }, (_, i) => gcTask.key(firstDraw('train_sft', i), SMALL)).filter((k) => bySplit.get('test')!.has(k));
    expect(old.length).toBeGreaterThan(0);
  });

  it('drops and counts a test puzzle planted in a training shard', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'held-out-'));
    const options = { minNodes: 5, maxNodes: 6, verbosity: 0, inputSize: 32, heldOut: 6 };
    const sampleAt = async (split: string, i: number) => sampleOf(gcTask, puzzleAt(gcTask, { split, seed: 3, options }, i), split === 'train_sft', options);
    const test = await Promise.all([0, 1, 2, 3, 4, 5].map((i) => sampleAt('test', i)));
    const train = await Promise.all([0, 1, 2, 3].map((i) => sampleAt('train_sft', i)));
    const planted = { ...test[4], puzzle: { ...test[4].puzzle, id: 'gc-train_sft-99' } }; // beyond the evaluated 2, inside heldOut
    const write = (split: string, samples: unknown[]) =>
      lastValueFrom(from(samples).pipe(record(path.join(dir, `gc-${split}.msgpack`), { kind: 'samples' })), { defaultValue: undefined });
    await write('test', test);
    await write('train_sft', [train[0], planted, train[1], test[1], train[2]]);
    const common = { task: gcTask, seed: 3, options, data: dir, inputSize: 32 };
    const audited = await auditedSamples({ ...common, split: 'train_sft', n: 10 }, { ...common, split: 'test', n: 2 });
    expect(audited.skipped).toBe(2);
    expect(audited.train.map((s) => s.puzzle.id)).toEqual([train[0], train[1], train[2]].map((s) => s.puzzle.id));
    expect(audited.overlap.map((o) => o.overlap)).toEqual([0]);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('says so when the held-out puzzles cover the whole space', () => {
    const tiny = { minNodes: 3, maxNodes: 3, verbosity: 0, heldOut: 40 }; // 4 labelled 3-node graphs: val finds none left
    expect(() => drawAt(gcTask, { split: 'train_rl', seed: 0, options: tiny }, 0)).toThrow(
      new RegExp(
        `gc: puzzle space too small for content-disjoint splits: val puzzle 0 drew ${MAX_REDRAWS} puzzles in a row that are held out \\(the first 40 of test hold 4 distinct puzzles`,
      ),
    );
    expect(drawAt(gcTask, { split: 'train_rl', seed: 0, options: { ...tiny, heldOut: 0 } }, 0).skipped).toBe(0); // not kept apart
    expect(() => drawAt(gcTask, { split: 'test_seen_glyphs', seed: 0, options: tiny }, 0)).toThrow("gc has no split 'test_seen_glyphs'");
  });

  it('keys Sudoku by its givens, and its seen-glyphs view avoids test and val', () => {
    const options = { blanks: 4, heldOut: 3 };
    const p = puzzleAt(sudokuTask, { split: 'test_seen_glyphs', seed: 1, options }, 0);
    expect(sudokuTask.key(p, options)).toBe(`sudoku:${p.pStar}`);
    const { bySplit } = heldOutKeys(sudokuTask, 1, options);
    expect([...bySplit.keys()]).toEqual(['test', 'val', 'test_seen_glyphs']);
  });
});
