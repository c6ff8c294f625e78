/**
 * The tensor-core matmul on this adapter's fragments (8×8 on lavapipe) through the webgpu backend under
 * `--precision mixed`, every form the model uses, against float64 of the f16-rounded operands
 * (bench/checks/tc-matmul-check.ts states the bounds and why).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveBackend, type ResolvedBackend } from '../../src/backend/index.ts';
import { defaultTcTile } from '../../src/webgpu/matmul-tc.ts';
import { tensorCoreMatmul } from '../../src/webgpu/matmul.ts';
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
