/**
 * The tensor-core matmul on this adapter's fragments (8×8 on lavapipe) through the webgpu backend under
 * `--precision mixed`, every form the model uses, against float64 of the f16-rounded operands
 * (bench/checks/tc-matmul-check.ts states the bounds and why); then the double-buffered K loop
 * (ASYMFLOW_TC_TILE's `,double`, matmul-tc-loop.ts) on the forms where its buffer swaps, column sums through the
 * staging area and split-K chunks could go wrong, against the same bounds.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveBackend, type ResolvedBackend } from '../../src/backend/index.ts';
import { defaultTcTile, tcWorkgroupBytes, type TcTile } from '../../src/webgpu/matmul-tc.ts';
import { DEFAULT_MATMUL_TILE, installMatmul, tensorCoreMatmul, type TensorCoreMatmul } from '../../src/webgpu/matmul.ts';
import { fusedBackend } from '../../src/webgpu/raw.ts';
import { tcShape } from '../../src/webgpu/tc-shape.ts';
import { checkTcMatmul, TC_F16_SEEN, TC_MATMUL_CASES, TC_MATMUL_REL, type TcMatmulResult } from '../../bench/checks/tc-matmul-check.ts';

let backend: ResolvedBackend;
const log: string[] = [];
beforeAll(async () => {
  backend = await resolveBackend('webgpu', { precision: 'mixed', log: (line) => log.push(line) });
});
afterAll(async () => {
  await backend.dispose();
});

describe('the tensor-core matmul under --precision mixed', () => {
  it('runs on the adapter’s fragment shape with its default tile, and the run says so', () => {
    expect(backend.precision).toBe('mixed');
    expect(log).toContain('precision: mixed (f16 tensor-core matmuls, f32 accumulation and master weights, dynamic loss scaling)');
    const tc = tensorCoreMatmul();
    expect(tc?.shape).toEqual(tcShape());
    expect([8, 16]).toContain(tc?.shape.size);
    expect(tc?.tile).toEqual(defaultTcTile(tcShape()));
  });

  const results: TcMatmulResult[] = [];
  for (const c of TC_MATMUL_CASES) {
    it(`${c.name}: ${c.m}×${c.n}×${c.k} within ${TC_MATMUL_REL} of float64 on f16 operands`, async () => {
      const r = await checkTcMatmul(c);
      results.push(r);
      console.log(JSON.stringify(r));
      expect(r.rel).toBeLessThanOrEqual(TC_MATMUL_REL);
      expect(r.colSumRel).toBeLessThanOrEqual(TC_MATMUL_REL);
      expect(r.relToF32).toBeGreaterThan(TC_F16_SEEN);
      expect(backend.gpuErrors()).toEqual([]);
    });
  }

  it('covered split-K, vec4 and scalar loads of both operands', () => {
    expect(results).toHaveLength(TC_MATMUL_CASES.length);
    expect(results.some((r) => r.splits > 1)).toBe(true);
    for (const side of ['vecA', 'vecB'] as const) expect(new Set(results.map((r) => r[side]))).toEqual(new Set([true, false]));
  });
});

// The adapter's default tile with two buffers per operand and K steps of one fragment (a buffer swap every 8 of
// K, a partial last step where K is odd), on forms that take each new path: stores at both buffers' offsets in both
// layouts, row- and column-major fragment loads at them, column sums through stage (scalar and vec4), split-K.
// Each form is one more pipeline to compile, seconds on lavapipe, hence four.
const DOUBLE_FORMS: readonly string[] = ['NN scalar, odd, K < bk', 'TN scalar, colSum', 'TN split-K, colSum (a weight gradient)', 'NT vec4, addend'];
const DOUBLE_CASES = TC_MATMUL_CASES.filter((x) => DOUBLE_FORMS.includes(x.name));
if (DOUBLE_CASES.length !== DOUBLE_FORMS.length) throw new Error(`matmul-tc.test.ts: DOUBLE_FORMS names a case TC_MATMUL_CASES lacks`);
describe('the double-buffered tensor-core matmul (ASYMFLOW_TC_TILE …,double)', () => {
  let was: TensorCoreMatmul | undefined;
  let tile: TcTile;
  beforeAll(() => {
    was = tensorCoreMatmul();
    if (!was) throw new Error('the tensor-core matmul is not installed');
    const base = defaultTcTile(was.shape);
    tile = { ...base, bk: was.shape.size, doubleBuffer: true };
    installMatmul(DEFAULT_MATMUL_TILE, { tile, shape: was.shape });
  });
  afterAll(() => installMatmul(DEFAULT_MATMUL_TILE, was));

  it('fits the device’s workgroup memory in every form (else matmulOwn would run fp32)', () => {
    const limit = fusedBackend()!.device.limits.maxComputeWorkgroupStorageSize;
    for (const tA of [false, true])
      for (const tB of [false, true]) expect(tcWorkgroupBytes(tile, tensorCoreMatmul()!.shape, tA, tB)).toBeLessThanOrEqual(limit);
  });

  for (const c of DOUBLE_CASES) {
    it(`${c.name}: ${c.m}×${c.n}×${c.k} within ${TC_MATMUL_REL} of float64 on f16 operands`, async () => {
      expect(tensorCoreMatmul()?.tile.doubleBuffer).toBe(true);
      const r = await checkTcMatmul(c, 2);
      console.log(JSON.stringify({ double: true, bk: tile.bk, ...r }));
      expect(r.rel).toBeLessThanOrEqual(TC_MATMUL_REL);
      expect(r.colSumRel).toBeLessThanOrEqual(TC_MATMUL_REL);
      expect(r.relToF32).toBeGreaterThan(TC_F16_SEEN);
      expect(backend.gpuErrors()).toEqual([]);
    });
  }
});
