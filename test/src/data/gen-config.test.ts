import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/config.ts';
import { resolveGenConfig, SPLIT_SIZES } from '../../../src/data/gen-config.ts';

describe('resolveGenConfig', () => {
  it('takes the split’s paper size when --n is left out, and keeps an explicit n', () => {
    expect(resolveGenConfig({ out: 'd', split: 'train_rl' }).n).toBe(SPLIT_SIZES.train_rl);
    expect(resolveGenConfig({ out: 'd', split: 'val' }).n).toBe(500);
    expect(resolveGenConfig({ out: 'd', split: 'val', n: 7 }).n).toBe(7);
  });

  it('keeps the defaults for what the flags leave out', () => {
    const config = resolveGenConfig({ out: 'd' });
    expect(config).toMatchObject({ task: 'gc', split: 'test', seed: 0, images: false, parquet: false, record: '', overwrite: false });
  });

  it('requires the dataset directory', () => {
    expect(() => resolveGenConfig({})).toThrow(new ConfigError('gen.out is required: the dataset directory (--out DIR)'));
  });

  it('refuses an explicit n of 0 and says how to get the default size', () => {
    expect(() => resolveGenConfig({ out: 'd', split: 'test', n: 0 })).toThrow(/gen\.n must be a positive integer, got 0 .*default size, 500/);
  });

  it('refuses --with-pixels without --record', () => {
    expect(() => resolveGenConfig({ out: 'd', withPixels: true })).toThrow('--with-pixels applies to --record FILE');
  });

  it('names the bad key and value for an unknown task or split', () => {
    expect(() => resolveGenConfig({ out: 'd', task: 'chess' })).toThrow(/gen\.task must be one of gc, sudoku.*chess/);
    expect(() => resolveGenConfig({ out: 'd', split: 'train' })).toThrow(/gen\.split must be one of .*train_sft.*got "train"/);
  });
});
