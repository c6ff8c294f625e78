import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/rng.ts';

describe('Rng', () => {
  it('is deterministic by seed and differs across seeds', () => {
    const a = Array.from(
      { length: 5 },
      (
        (r) => () =>
          r.uint32()
      )(new Rng(1)),
    );
    const b = Array.from(
      { length: 5 },
      (
        (r) => () =>
          r.uint32()
      )(new Rng(1)),
    );
    const c = Array.from(
      { length: 5 },
      (
        (r) => () =>
          r.uint32()
      )(new Rng(2)),
    );
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
  });

  it('splits by label independently of how far the parent has run', () => {
    const parent = new Rng(9);
    const before = parent.split('x').uint32();
    for (let i = 0; i < 10; i++) parent.uint32();
    expect(parent.split('x').uint32()).toBe(before);
    expect(parent.split('y').uint32()).not.toBe(before);
  });

  it('resumes exactly from a saved state', () => {
    const rng = new Rng(3);
    for (let i = 0; i < 7; i++) rng.next();
    const saved = rng.state();
    const expected = [rng.next(), rng.next(), rng.int(10)];
    const resumed = Rng.fromState(3, saved);
    expect([resumed.next(), resumed.next(), resumed.int(10)]).toEqual(expected);
  });

  it('draws uniform values in range', () => {
    const rng = new Rng(5);
    const counts = new Array(4).fill(0);
    for (let i = 0; i < 40_000; i++) counts[rng.int(4)]++;
    for (const c of counts) expect(Math.abs(c - 10_000)).toBeLessThan(400);
    for (let i = 0; i < 1000; i++) {
      const x = rng.next();
      expect(x >= 0 && x < 1).toBe(true);
    }
    expect(() => rng.int(0)).toThrow('Rng.int: n must be a positive integer, got 0');
  });
});
