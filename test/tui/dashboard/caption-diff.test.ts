import { describe, expect, it } from 'vitest';
import { captionDiff } from '../../../tui/dashboard/caption-diff.ts';
import { sparkline } from '../../../tui/dashboard/sparkline.ts';

describe('captionDiff', () => {
  it('compares edge lists as sets: order and (j,i) spelling do not matter, missing and extra are named', () => {
    expect(captionDiff('(1,0),(2,5)', '(0,1),(2,5)').equal).toBe(true);
    const d = captionDiff('(0,1),(3,4),(2,5)', '(0,1),(0,3),(2,5)');
    expect(d.mode).toBe('edges');
    expect(d.missing).toEqual(['(0,3)']);
    expect(d.extra).toEqual(['(3,4)']);
    expect(d.parts.filter((p) => p.kind === 'extra').map((p) => p.text)).toEqual(['(3,4)']);
  });

  it('compares sudoku grids cell by cell', () => {
    const row = '123456789';
    const want = Array(9).fill(row).join('/');
    const got = [row.replace('5', '0'), ...Array(8).fill(row)].join('/');
    const d = captionDiff(got, want);
    expect(d.mode).toBe('grid');
    expect(d.missing).toEqual(['r1c5: 0≠5']);
    expect(d.parts.filter((p) => p.kind === 'wrong').map((p) => p.text)).toEqual(['0']);
    expect(d.parts.map((p) => p.text).join('')).toBe(got);
  });

  it('falls back to a character diff for free text', () => {
    const d = captionDiff('a red cat', 'a big cat');
    expect(d.mode).toBe('chars');
    expect(d.equal).toBe(false);
    // the caption is recoverable from same+extra parts, p* from same+missing parts
    expect(
      d.parts
        .filter((p) => p.kind !== 'missing')
        .map((p) => p.text)
        .join(''),
    ).toBe('a red cat');
    expect(
      d.parts
        .filter((p) => p.kind !== 'extra')
        .map((p) => p.text)
        .join(''),
    ).toBe('a big cat');
    expect(captionDiff('same', 'same').equal).toBe(true);
  });
});

describe('sparkline', () => {
  it('scales into block characters, keeps the last `width` values, blanks non-finite ones', () => {
    expect(sparkline([0, 0.5, 1], 3, { min: 0, max: 1 })).toBe('▁▅█');
    expect(sparkline([9, 9, 0, 1], 2)).toBe('▁█');
    expect(sparkline([1, NaN, 1], 3)).toBe('▄ ▄');
    expect(sparkline([], 5)).toBe('');
  });
});
