import { describe, expect, it } from 'vitest';
import { f16Round } from '../../../src/webgpu/f16.ts';

describe('f16Round', () => {
  it('keeps values f16 holds exactly', () => {
    for (const x of [0, 1, -2, 0.5, 1024, 65504, 2 ** -14, 2 ** -24, 3 * 2 ** -24, 1 + 2 ** -10]) expect(f16Round(x)).toBe(x);
  });
  it('rounds to the nearest f16, ties to even', () => {
    expect(f16Round(1 + 2 ** -11)).toBe(1); // tie between 1 and 1 + 2^-10: even mantissa
    expect(f16Round(1 + 3 * 2 ** -11)).toBe(1 + 2 ** -9); // tie: rounds up to the even one
    expect(f16Round(1 + 2 ** -11 + 2 ** -20)).toBe(1 + 2 ** -10);
    expect(f16Round(0.1)).toBe(0.0999755859375);
    expect(f16Round(-0.1)).toBe(-0.0999755859375);
  });
  it('keeps subnormals, flushes below half the smallest to zero, overflows to infinity', () => {
    expect(f16Round(2 ** -25)).toBe(0); // tie between 0 and 2^-24: even is 0
    expect(f16Round(1.5 * 2 ** -24)).toBe(2 * 2 ** -24);
    expect(f16Round(1e-9)).toBe(0);
    expect(f16Round(65519)).toBe(65504);
    expect(f16Round(65520)).toBe(Infinity);
    expect(f16Round(-1e6)).toBe(-Infinity);
  });
});
