/**
 * The decode step's tensor-core linear, CPU side: which compiled form a batch gets on each fragment shape, within
 * the device's workgroup memory, and the f16 panel copy's geometry (the kernel itself: test/lavapipe).
 */
import { describe, expect, it } from 'vitest';
import { panelDepth, panelHalves, rowsLinearTcWgsl, rowsTcPlan } from '../../../src/webgpu/rows-linear-tc.ts';
import { NVIDIA_TC_SHAPE } from '../../../src/webgpu/tc-shape.ts';

const LAVAPIPE = { size: 8, subgroup: 8 };

describe('rowsTcPlan', () => {
  it('holds all of a 32-row step in one workgroup on the H200 and on lavapipe', () => {
    const h200 = rowsTcPlan(NVIDIA_TC_SHAPE, 32, 49152)!;
    expect([h200.rows, h200.threads, h200.cols]).toEqual([32, 256, 16]);
    const lavapipe = rowsTcPlan(LAVAPIPE, 32, 32768)!;
    expect([lavapipe.rows, lavapipe.threads, lavapipe.cols]).toEqual([32, 64, 8]);
  });

  it('pads one row to one fragment and caps a workgroup at 4 row fragments', () => {
    expect(rowsTcPlan(NVIDIA_TC_SHAPE, 1, 49152)?.rows).toBe(16);
    expect(rowsTcPlan(NVIDIA_TC_SHAPE, 200, 49152)?.rows).toBe(64);
  });

  it('takes the deepest k-step that fits the workgroup memory (at most 32 KiB), none when nothing fits', () => {
    for (const limit of [32768, 65536]) expect(rowsTcPlan(NVIDIA_TC_SHAPE, 32, limit)!.bytes).toBeLessThanOrEqual(32768);
    expect(rowsTcPlan(NVIDIA_TC_SHAPE, 1, 32768)!.bk).toBe(256); // 16 rows leave room for a deeper step
    expect(rowsTcPlan(NVIDIA_TC_SHAPE, 32, 32768)!.bk).toBe(128);
    expect(rowsTcPlan(NVIDIA_TC_SHAPE, 32, 16384)).toBeUndefined(); // the decoder then stays fp32
  });

  it('pads the panel copy to whole k-steps and whole column panels', () => {
    const plan = rowsTcPlan(NVIDIA_TC_SHAPE, 32, 32768)!;
    expect(panelDepth(plan, 1)).toBe(plan.bk);
    expect(panelDepth(plan, plan.bk)).toBe(plan.bk);
    expect(panelHalves(plan, 100, 17)).toBe(32 * plan.bk);
  });

  it('generates one kernel per fragment shape with the shape baked in', () => {
    const code = rowsLinearTcWgsl(rowsTcPlan(LAVAPIPE, 5, 32768)!, 'gelu', true, true, false);
    expect(code).toContain('subgroup_matrix_left<f16, 8, 8>');
    expect(code).toContain('fn erf_as');
    expect(code).toContain('@workgroup_size(64)');
  });
});
