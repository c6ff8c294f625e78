/**
 * The tensor-core attention forward (src/webgpu/attention-tc-forward-wgsl.ts) on lavapipe's subgroup matrices:
 * O and lse within the bounds attention-reference.ts derives against a float64 reference of the f16-rounded
 * inputs, and within those bounds plus the f16 rounding's own effect (the two float64 references' difference)
 * of the fp32 kernel on the unrounded inputs.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { lavapipeDevice, type TcDevice } from './device.ts';
import { attentionUniforms, runAttentionKernel, tileFor, type AttentionProblem } from './attention-run.ts';
import { forwardReference, roundF16 } from './attention-reference.ts';
import { inputs, PROBLEMS, withinBounds, type NamedProblem } from './attention-cases.ts';
import { forwardTcWgsl } from '../../src/webgpu/attention-tc-forward-wgsl.ts';
import { tcAttentionLayout } from '../../src/webgpu/attention-tc-layout.ts';
import { forwardWgsl, ROWS } from '../../src/webgpu/attention-wgsl.ts';

let tc: TcDevice;
beforeAll(async () => {
  tc = await lavapipeDevice();
});

/** O and lse from the tensor-core forward. */
async function forwardTc(tcd: TcDevice, p: NamedProblem, q: Float32Array, k: Float32Array, v: Float32Array) {
  const t = tileFor('forward', tcd, p);
  const { data, groups } = attentionUniforms(p, tcAttentionLayout('forward', tcd.shape, p.dh, t).rows);
  const n = p.batch * p.l * p.heads * p.dh;
  const [o, lse] = await runAttentionKernel(
    tcd.device,
    forwardTcWgsl(tcd.shape, p.dh, t),
    [n, p.batch * p.heads * p.l],
    [q, k, v, p.keyBias ?? new Float32Array(4)],
    data,
    groups,
  );
  return { o: o as Float32Array, lse: lse as Float32Array };
}

async function forwardFp32(p: AttentionProblem, q: Float32Array, k: Float32Array, v: Float32Array) {
  const { data, groups } = attentionUniforms(p, ROWS);
  const n = p.batch * p.l * p.heads * p.dh;
  const [o, lse] = await runAttentionKernel(
    tc.device,
    forwardWgsl(p.dh / 4, 16),
    [n, p.batch * p.heads * p.l],
    [q, k, v, p.keyBias ?? new Float32Array(4)],
    data,
    groups,
  );
  return { o: o as Float32Array, lse: lse as Float32Array };
}

describe('tensor-core attention forward', () => {
  for (const p of PROBLEMS) {
    it(p.name, async () => {
      const { q, k, v } = inputs(p);
      const got = await forwardTc(tc, p, q, k, v);
      const ref = forwardReference(p, roundF16(q), roundF16(k), roundF16(v));
      const ratios = { o: withinBounds('O', got.o, ref.o), lse: withinBounds('lse', got.lse, ref.lse) };
      // A bound a thousand times looser than the error could never catch a real fault: the f16 rounding of P
      // alone makes errors of its order.
      expect(ratios.o).toBeGreaterThan(1e-3);
      // Against the fp32 kernel on the unrounded inputs: the bound plus the f16 inputs' effect in float64.
      const fp32 = await forwardFp32(p, q, k, v);
      const exact = forwardReference(p, q, k, v);
      const apart = (what: string, a: Float32Array, b: Float32Array, r: typeof ref.o, x: typeof ref.o) => {
        for (let e = 0; e < a.length; e++) {
          const allowed = 2 * r.bound[e]! + Math.abs(r.value[e]! - x.value[e]!) + 1e-6 * (1 + Math.abs(x.value[e]!));
          if (!(Math.abs(a[e]! - b[e]!) <= allowed)) expect.fail(`${what} ${e}: tensor cores ${a[e]}, fp32 ${b[e]}, allowed ${allowed}`);
        }
      };
      apart('O', got.o, fp32.o, ref.o, exact.o);
      apart('lse', got.lse, fp32.lse, ref.lse, exact.lse);
      console.log(`${p.name}: |error| / bound at most O ${ratios.o.toFixed(3)}, lse ${ratios.lse.toFixed(3)}`);
    });
  }
});
