/**
 * The problems the tensor-core attention is checked on (forward and backward tests), their inputs, and the
 * comparison against a bounded reference.
 */
import { expect } from 'vitest';
import type { AttentionProblem } from './attention-run.ts';
import type { Bounded } from './attention-reference.ts';
import { uniform } from '../../bench/gpu-io.ts';

export interface NamedProblem extends AttentionProblem {
  readonly name: string;
}

/** keyBias as the model builds it: 0, or −1e4 (MASKED) on padding keys — here the last `pad` keys of batch 1. */
function padding(batch: number, l: number, pad: number): Float32Array {
  const kb = new Float32Array(batch * l);
  for (let j = l - pad; j < l; j++) kb[(batch - 1) * l + j] = -1e4;
  return kb;
}

/**
 * Head sizes of tiny (64 / 2 = 32), small and base (256 / 4 = 512 / 8 = 64). lavapipe's workgroups hold 32 rows
 * (4 subgroups of 8) and tiles of 32 keys or queries (4 fragments, as the H200's 64 of 16) or, at dh 64, of one
 * fragment (lavapipe compiles each unrolled fragment product slowly: ~25 CPU-s for the three dh-32 kernels of
 * the default tile), so L = 45 / 70 / 37 end inside a block, prefix 13 and 9 lie inside one, 64 on the edge of
 * both; two lanes per row with two rows each run the H200's lane arithmetic (its 32 lanes share 16 rows); a
 * long row past 2,048 positions at the smallest width a 16×16 fragment takes.
 */
export const PROBLEMS: readonly NamedProblem[] = [
  { name: 'tiny heads, prefix inside a block, padding keys, B·H = 4', batch: 2, heads: 2, l: 45, dh: 32, prefix: 13, keyBias: padding(2, 45, 6) },
  { name: 'small/base heads, prefix on a block edge, B·H = 2', batch: 1, heads: 2, l: 70, dh: 64, prefix: 64, tk: 8 },
  {
    name: 'two lanes per row (the H200 arithmetic), tiles of one fragment',
    batch: 2,
    heads: 1,
    l: 37,
    dh: 32,
    prefix: 9,
    keyBias: padding(2, 37, 3),
    lpr: 2,
    tk: 8,
  },
  { name: 'causal only (prefix 0), dh 64, padding keys', batch: 1, heads: 1, l: 33, dh: 64, prefix: 0, keyBias: padding(1, 33, 4), tk: 8 },
  { name: 'L = 3, shorter than a fragment', batch: 1, heads: 2, l: 3, dh: 32, prefix: 2 },
  { name: 'a row past 2,048 positions, dh 16', batch: 1, heads: 1, l: 2085, dh: 16, prefix: 96 },
];

/** q, k, v, dO of a problem: scores of a few units (softmax neither flat nor one-hot). */
export function inputs(p: AttentionProblem) {
  const n = p.batch * p.l * p.heads * p.dh;
  // q·k·scale has standard deviation a²/3 = 2 for q, k uniform in (−a, a).
  const a = Math.sqrt(6);
  return { q: uniform(n, 1, a), k: uniform(n, 2, a), v: uniform(n, 3), dout: uniform(n, 4, 0.5) };
}

/**
 * Every element within its bound; returns the largest |got − reference| / bound (reported, and well below 1 when
 * the bound is not loose by orders of magnitude — checked too, so a bound that could never fail fails).
 */
export function withinBounds(what: string, got: Float32Array, ref: Bounded, rows?: (e: number) => boolean): number {
  let worst = 0,
    at = -1;
  for (let e = 0; e < ref.value.length; e++) {
    if (rows && !rows(e)) continue;
    const ratio = Math.abs(got[e]! - ref.value[e]!) / ref.bound[e]!;
    if (!(ratio <= worst)) {
      worst = ratio;
      at = e;
    }
  }
  expect(worst, `${what}: element ${at}: ${got[at]} vs ${ref.value[at]} ± ${ref.bound[at]}`).toBeLessThanOrEqual(1);
  return worst;
}

/** max |a − b| over max |b|. */
export function relDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0,
    m = 0;
  for (let i = 0; i < b.length; i++) {
    d = Math.max(d, Math.abs(a[i]! - b[i]!));
    m = Math.max(m, Math.abs(b[i]!));
  }
  return d / m;
}
