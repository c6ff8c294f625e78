/**
 * The tensor-core attention's tiles per fragment shape and workgroup-memory limit (no GPU needed); the kernels
 * themselves run in test/lavapipe/attention-tc-*.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { tcAttentionLayout, tcAttentionName, tcAttentionTile, tcAttentionTileGap } from '../../../src/webgpu/attention-tc-layout.ts';
import { forwardTcWgsl } from '../../../src/webgpu/attention-tc-forward-wgsl.ts';
import { dkdvTcWgsl, dqTcWgsl } from '../../../src/webgpu/attention-tc-backward-wgsl.ts';
import { NVIDIA_TC_SHAPE, type TcShape } from '../../../src/webgpu/tc-shape.ts';
import { setTensorCoreAttention, tcAttentionPlan } from '../../../src/webgpu/attention-tc.ts';
import type { Backend } from '../../../src/webgpu/raw.ts';

const LAVAPIPE: TcShape = { size: 8, subgroup: 8 };
const KIB = 1024;

describe('tensor-core attention tiles', () => {
  it('takes 4 subgroups and the most keys that fit: on the H200 two lanes a row, 64 query rows a workgroup', () => {
    const at = (kind: 'forward' | 'dq' | 'dkdv', limit: number) => tcAttentionTile(kind, NVIDIA_TC_SHAPE, 64, limit);
    expect(at('forward', 32 * KIB)).toEqual({ sg: 4, tk: 32, lpr: 2 });
    expect([at('dq', 32 * KIB)?.tk, at('dkdv', 32 * KIB)?.tk]).toEqual([16, 16]);
    expect([at('forward', 48 * KIB)?.tk, at('dq', 48 * KIB)?.tk, at('dkdv', 48 * KIB)?.tk]).toEqual([64, 32, 32]);
    expect(tcAttentionLayout('forward', NVIDIA_TC_SHAPE, 64, at('forward', 32 * KIB)!).rows).toBe(64);
    // lavapipe: the same 4 fragments a tile, of 8 rows; one lane a row.
    expect(tcAttentionTile('forward', LAVAPIPE, 64, 32 * KIB)).toEqual({ sg: 4, tk: 32, lpr: 1 });
  });

  it('says why a tile cannot run', () => {
    const t = { sg: 4, tk: 32, lpr: 2 };
    expect(tcAttentionTileGap('forward', NVIDIA_TC_SHAPE, 40, t, 64 * KIB)).toBe('head size 40 is not a multiple of the 16×16 fragment');
    expect(tcAttentionTileGap('forward', NVIDIA_TC_SHAPE, 64, { ...t, tk: 24 }, 64 * KIB)).toContain('not a multiple of the fragment');
    expect(tcAttentionTileGap('forward', NVIDIA_TC_SHAPE, 64, { ...t, lpr: 3 }, 64 * KIB)).toContain('3 lanes per row');
    expect(tcAttentionTileGap('dkdv', NVIDIA_TC_SHAPE, 64, { ...t, tk: 64 }, 32 * KIB)).toMatch(/^\d+ bytes of workgroup memory \(at most 32768\)$/);
    expect(tcAttentionTile('forward', NVIDIA_TC_SHAPE, 8, 64 * KIB)).toBeUndefined();
  });

  it('generates each kernel for both shapes, named apart', () => {
    for (const shape of [NVIDIA_TC_SHAPE, LAVAPIPE]) {
      const t = tcAttentionTile('dkdv', shape, 32, 32 * KIB)!;
      for (const code of [forwardTcWgsl(shape, 32, t), dqTcWgsl(shape, 32, t), dkdvTcWgsl(shape, 32, t)]) {
        expect(code).toContain(`subgroup_matrix_left<f16, N, N>`);
        expect(code).toContain(`const N = ${shape.size}u;`);
      }
    }
    const names = new Set([8, 16].map((size) => tcAttentionName('dq', { size, subgroup: 32 }, 64, { sg: 4, tk: 32, lpr: 2 })));
    expect(names.size).toBe(2);
  });

  it('is off unless switched on, and takes ASYMFLOW_TC_ATTENTION_TILE where it fits', () => {
    const device = { limits: { maxComputeWorkgroupStorageSize: 32 * KIB } } as unknown as GPUDevice;
    const b = { device } as unknown as Backend;
    expect(tcAttentionPlan(b, 64)).toBeUndefined();
    try {
      setTensorCoreAttention(true);
      expect(tcAttentionPlan(b, 64)?.tiles.forward).toEqual({ sg: 4, tk: 32, lpr: 2 });
      expect(tcAttentionPlan(b, 40)).toBeUndefined(); // not a multiple of 16: the fp32 kernels
      setTensorCoreAttention(true, '2,32');
      const tiles = tcAttentionPlan(b, 64)!.tiles;
      expect([tiles.forward.sg, tiles.forward.tk, tiles.dq.tk, tiles.dkdv.tk]).toEqual([2, 32, 32, 32]);
      setTensorCoreAttention(true, '4,64'); // fits none at 32 KiB: each kernel's first that fits
      expect(tcAttentionPlan(b, 64)!.tiles.dq).toEqual({ sg: 4, tk: 16, lpr: 2 });
      expect(() => setTensorCoreAttention(true, '4')).toThrow("ASYMFLOW_TC_ATTENTION_TILE must be 'sg,tk'");
    } finally {
      setTensorCoreAttention(false);
    }
  });
});
