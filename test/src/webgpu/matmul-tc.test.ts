/**
 * The tensor-core matmul's geometry for each fragment shape and the adapter check (no GPU needed); the kernel
 * itself runs in test/lavapipe/matmul-tc.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { tensorCoreGap, tensorCoreShape, TENSOR_CORE_FEATURES } from '../../../src/backend/tensor-cores.ts';
import {
  DEFAULT_TC_TILE,
  defaultTcTile,
  matmulTcWgsl,
  parseTcTile,
  tcThreads,
  tcTileCols,
  tcTileRows,
  tcWorkgroupBytes,
} from '../../../src/webgpu/matmul-tc.ts';
import { tcKey } from '../../../src/webgpu/matmul.ts';
import { NVIDIA_TC_SHAPE, type MatrixConfig, type TcShape } from '../../../src/webgpu/tc-shape.ts';

const LAVAPIPE: TcShape = { size: 8, subgroup: 8 };
const config = (size: number): MatrixConfig => ({ componentType: 'f16', resultComponentType: 'f32', M: size, N: size, K: size });

describe('tensor-core tiles per fragment shape', () => {
  it("keeps NVIDIA's 128×128 tile of 256 invocations, and gives 8×8 fragments a 64×64 tile within WebGPU's defaults", () => {
    expect(defaultTcTile(NVIDIA_TC_SHAPE)).toBe(DEFAULT_TC_TILE);
    expect([tcTileRows(DEFAULT_TC_TILE, NVIDIA_TC_SHAPE), tcTileCols(DEFAULT_TC_TILE, NVIDIA_TC_SHAPE), tcThreads(DEFAULT_TC_TILE, NVIDIA_TC_SHAPE)]).toEqual([
      128, 128, 256,
    ]);
    const small = defaultTcTile(LAVAPIPE);
    expect([tcTileRows(small, LAVAPIPE), tcTileCols(small, LAVAPIPE), tcThreads(small, LAVAPIPE)]).toEqual([64, 64, 128]);
    for (const tA of [false, true]) for (const tB of [false, true]) expect(tcWorkgroupBytes(small, LAVAPIPE, tA, tB)).toBeLessThanOrEqual(16384);
    expect(parseTcTile('4,4,2,2,32', LAVAPIPE)).toEqual(small);
  });

  it('refuses tiles the kernel cannot run, naming why', () => {
    expect(() => parseTcTile('2,4,4,2,8', NVIDIA_TC_SHAPE)).toThrow('bk must be a multiple of the fragment size 16, got 8');
    expect(parseTcTile('4,4,2,2,8', LAVAPIPE).bk).toBe(8); // a K step of one 8×8 fragment is fine there
    expect(() => parseTcTile('4,4,2,2,12', LAVAPIPE)).toThrow('multiple of the fragment size 8');
    expect(() => parseTcTile('8,8,1,1,32', NVIDIA_TC_SHAPE)).toThrow('2048 invocations per workgroup');
    expect(() => parseTcTile('4,1,1,1,16', NVIDIA_TC_SHAPE)).toThrow('the B tile (256 values) does not split into vec4s over 128 invocations');
    expect(() => parseTcTile('2,4', LAVAPIPE)).toThrow("must be 'wm,wn,fm,fn,bk'");
  });

  it('generates fragments, staging and subgroup arithmetic of the shape', () => {
    const wgsl = matmulTcWgsl(false, true, defaultTcTile(LAVAPIPE), LAVAPIPE, true, false);
    expect(wgsl).toContain('subgroup_matrix_left<f16, 8, 8>');
    expect(wgsl).toContain('@workgroup_size(128)');
    expect(wgsl).toContain('let sg = lid.x / 8u;');
    expect(wgsl).toContain('for (var e = 0u; e < 8u; e++)'); // 64 staged values over 8 invocations
    expect(wgsl).toContain('var<workgroup> stage: array<f32, 1024>;'); // 16 subgroups × 64
    expect(wgsl).not.toContain('16, 16');
  });
});

describe('the double-buffered K loop (ASYMFLOW_TC_TILE …,double)', () => {
  const double = parseTcTile('2,4,4,2,32,double', NVIDIA_TC_SHAPE);

  it('parses as the tile plus the flag, and only that word', () => {
    expect(double).toEqual({ ...DEFAULT_TC_TILE, doubleBuffer: true });
    expect(parseTcTile('2,4,4,2,32', NVIDIA_TC_SHAPE).doubleBuffer).toBeUndefined();
    expect(() => parseTcTile('2,4,4,2,32,triple', NVIDIA_TC_SHAPE)).toThrow("optionally followed by ',double'");
    expect(() => parseTcTile('2,4,4,2,32,double,double', NVIDIA_TC_SHAPE)).toThrow("must be 'wm,wn,fm,fn,bk'");
    expect(tcKey({ tile: double, shape: NVIDIA_TC_SHAPE })).not.toBe(tcKey({ tile: DEFAULT_TC_TILE, shape: NVIDIA_TC_SHAPE }));
  });

  it("doubles the tiles' buffers, keeps the column sums in stage, and fits the H200's default tile in 48 KiB", () => {
    const wgsl = matmulTcWgsl(true, false, double, NVIDIA_TC_SHAPE, true, true);
    const single = matmulTcWgsl(true, false, DEFAULT_TC_TILE, NVIDIA_TC_SHAPE, true, true);
    expect(single).toContain('var<workgroup> As: array<f16, 4352>;'); // 32 rows of k × (128 + 8)
    expect(wgsl).toContain('var<workgroup> As: array<f16, 8704>;');
    expect(wgsl).toContain('rdA = 4352u - rdA;');
    expect(wgsl).not.toContain('csums');
    const loop = (code: string) => code.slice(code.indexOf('for (var k0'), code.indexOf('if (sumsB) {\n'));
    expect(loop(single).split('workgroupBarrier()').length - 1).toBe(2);
    expect(loop(wgsl).split('workgroupBarrier()').length - 1).toBe(1);
    // As 2 × 8704 + Bs 2 × 5120 halves (A stored [K, M]), stage 8 × 256 floats; 2,4,4,4,32 doubled would not fit.
    expect(tcWorkgroupBytes(double, NVIDIA_TC_SHAPE, true, false)).toBe(43008);
    for (const tA of [false, true]) for (const tB of [false, true]) expect(tcWorkgroupBytes(double, NVIDIA_TC_SHAPE, tA, tB)).toBeLessThanOrEqual(49152);
    expect(tcWorkgroupBytes(parseTcTile('2,4,4,4,32,double', NVIDIA_TC_SHAPE), NVIDIA_TC_SHAPE, false, false)).toBeGreaterThan(49152);
  });
});

describe('tensorCoreShape', () => {
  const adapter = (features: readonly string[], configs: MatrixConfig[], min: number, max: number) =>
    ({ features: new Set(features), info: { subgroupMatrixConfigs: configs, subgroupMinSize: min, subgroupMaxSize: max } }) as unknown as GPUAdapter;

  it("takes the H200's and lavapipe's shapes", () => {
    expect(tensorCoreShape(adapter(TENSOR_CORE_FEATURES, [config(16), config(8)], 32, 32))).toEqual(NVIDIA_TC_SHAPE);
    expect(tensorCoreShape(adapter(TENSOR_CORE_FEATURES, [config(8)], 8, 8))).toEqual(LAVAPIPE);
    expect(tensorCoreGap(adapter(TENSOR_CORE_FEATURES, [config(8)], 8, 8))).toBeUndefined();
  });

  it('says in one line why an adapter cannot', () => {
    expect(tensorCoreGap(adapter(['shader-f16'], [], 32, 32))).toBe('the adapter lacks subgroups, chromium-experimental-subgroup-matrix');
    expect(tensorCoreGap(adapter(TENSOR_CORE_FEATURES, [config(8)], 8, 16))).toBe('subgroups of 8…16 invocations (the kernels need one fixed size)');
    expect(tensorCoreGap(adapter(TENSOR_CORE_FEATURES, [{ ...config(16), resultComponentType: 'f16' }], 32, 32))).toContain('no square f16×f16→f32');
  });
});
