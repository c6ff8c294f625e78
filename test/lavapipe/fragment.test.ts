/**
 * One subgroup-matrix product on the adapter's own fragment shape (8×8×8 on lavapipe): the builtins' forms
 * (left/right/result types, load/store with strides and column-major operands) as the tensor-core kernels use
 * them, checked exactly: small integers are exact in f16 and their sums exact in f32.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { lavapipeDevice, runKernel, type TcDevice } from './device.ts';

let tc: TcDevice;
beforeAll(async () => {
  tc = await lavapipeDevice();
});

const product = (n: number, colMajorB: boolean) => /* wgsl */ `
enable f16;
enable subgroups;
enable chromium_experimental_subgroup_matrix;
@group(0) @binding(0) var<storage, read> a: array<f32>;
@group(0) @binding(1) var<storage, read> b: array<f32>;
@group(0) @binding(2) var<storage, read_write> c: array<f32>;
var<workgroup> sa: array<f16, ${n * n}>;
var<workgroup> sb: array<f16, ${n * n}>;
@compute @workgroup_size(${tc.shape.subgroup})
fn main(@builtin(local_invocation_index) lid: u32) {
  // Operands are rounded to f16 on their way into workgroup memory, as the tensor-core kernels do.
  for (var i = lid; i < ${n * n}u; i += ${tc.shape.subgroup}u) { sa[i] = f16(a[i]); sb[i] = f16(b[i]); }
  workgroupBarrier();
  let l = subgroupMatrixLoad<subgroup_matrix_left<f16, ${n}, ${n}>, row_major>(&sa, 0u, ${n}u);
  let r = subgroupMatrixLoad<subgroup_matrix_right<f16, ${n}, ${n}>, ${colMajorB ? 'col_major' : 'row_major'}>(&sb, 0u, ${n}u);
  var acc: subgroup_matrix_result<f32, ${n}, ${n}>;
  acc = subgroupMatrixMultiplyAccumulate(l, r, acc);
  subgroupMatrixStore<row_major>(&c, 0u, acc, ${n}u);
}`;

describe('subgroup matrices on this adapter', () => {
  it('offers a fixed subgroup size and a square f16→f32 fragment', () => {
    expect([8, 16]).toContain(tc.shape.size);
    expect((tc.shape.size * tc.shape.size) % tc.shape.subgroup).toBe(0);
  });

  for (const colMajorB of [false, true]) {
    it(`multiplies one fragment exactly (B ${colMajorB ? 'column' : 'row'}-major)`, async () => {
      const n = tc.shape.size;
      const A = Array.from({ length: n * n }, (_, i) => ((i * 7) % 11) - 5);
      const B = Array.from({ length: n * n }, (_, i) => ((i * 5) % 13) - 6);
      const got = await runKernel(tc.device, product(n, colMajorB), [Float32Array.from(A), Float32Array.from(B)], n * n, [1]);
      const at = (M: number[], r: number, c: number, colMajor: boolean) => (colMajor ? M[c * n + r] : M[r * n + c]) as number;
      for (let i = 0; i < n; i++)
        for (let j = 0; j < n; j++) {
          let want = 0;
          for (let k = 0; k < n; k++) want += at(A, i, k, false) * at(B, k, j, colMajorB);
          expect(got[i * n + j]).toBe(want);
        }
    });
  }
});
