/**
 * The tensor-core attention backward (src/webgpu/attention-tc-backward-wgsl.ts) on lavapipe: dQ, dK, dV within the
 * bounds attention-reference.ts derives against a float64 reference of the f16-rounded q, k, v, dO (O and lse
 * given: the reference forward's, as f32), D as the fp32 kernel computes it, and the gradients within those
 * bounds plus the f16 rounding's own effect of the fp32 kernels on the unrounded inputs.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { lavapipeDevice, type TcDevice } from './device.ts';
import { attentionUniforms, runAttentionKernel, tileFor } from './attention-run.ts';
import { backwardReference, forwardReference, roundF16, type Bounded } from './attention-reference.ts';
import { inputs, PROBLEMS, relDiff, withinBounds, type NamedProblem } from './attention-cases.ts';
import { dkdvTcWgsl, dqTcWgsl } from '../../src/webgpu/attention-tc-backward-wgsl.ts';
import { tcAttentionLayout } from '../../src/webgpu/attention-tc-layout.ts';
import { dkdvBalancedWgsl, dqPairedWgsl } from '../../src/webgpu/attention-backward-wgsl.ts';
import { ROWS } from '../../src/webgpu/attention-wgsl.ts';

let tc: TcDevice;
beforeAll(async () => {
  tc = await lavapipeDevice();
});

type Kernels = { dq: string; dkdv: string; dqRows: number; dkdvRows: number };

/** dQ and D, then dK and dV, by the given kernels (fp32 or tensor-core) with the same bindings. */
async function backward(p: NamedProblem, kernels: Kernels, x: Record<'q' | 'k' | 'v' | 'o' | 'dout' | 'lse', Float32Array>) {
  const n = p.batch * p.l * p.heads * p.dh;
  const kb = p.keyBias ?? new Float32Array(4);
  const u1 = attentionUniforms(p, kernels.dqRows);
  const [dq, dsum] = (await runAttentionKernel(
    tc.device,
    kernels.dq,
    [n, p.batch * p.heads * p.l],
    [x.q, x.k, x.v, x.o, x.dout, x.lse, kb],
    u1.data,
    u1.groups,
  )) as [Float32Array, Float32Array];
  const u2 = attentionUniforms(p, kernels.dkdvRows);
  const [dk, dv] = (await runAttentionKernel(tc.device, kernels.dkdv, [n, n], [x.q, x.k, x.v, x.dout, x.lse, dsum, kb], u2.data, u2.groups)) as [
    Float32Array,
    Float32Array,
  ];
  return { dq, dsum, dk, dv };
}

describe('tensor-core attention backward', () => {
  for (const p of PROBLEMS) {
    it(p.name, async () => {
      const { q, k, v, dout } = inputs(p);
      const [rq, rk, rv, rdo] = [q, k, v, dout].map(roundF16) as [Float64Array, Float64Array, Float64Array, Float64Array];
      const fwd = forwardReference(p, rq, rk, rv);
      const o = Float32Array.from(fwd.o.value);
      const lse = Float32Array.from(fwd.lse.value);
      const [tq, tkv] = [tileFor('dq', tc, p), tileFor('dkdv', tc, p)];
      const tcKernels = {
        dq: dqTcWgsl(tc.shape, p.dh, tq),
        dkdv: dkdvTcWgsl(tc.shape, p.dh, tkv),
        dqRows: tcAttentionLayout('dq', tc.shape, p.dh, tq).rows,
        dkdvRows: tcAttentionLayout('dkdv', tc.shape, p.dh, tkv).rows,
      };
      const got = await backward(p, tcKernels, { q, k, v, o, dout, lse });
      const ref = backwardReference(p, rq, rk, rv, rdo, dout, o, lse);
      const ratios = { dq: withinBounds('dQ', got.dq, ref.dq), dk: withinBounds('dK', got.dk, ref.dk), dv: withinBounds('dV', got.dv, ref.dv) };
      // Bounds that could never fail would be no test: the f16 rounding of P and dS alone errs by their order.
      expect(Math.max(ratios.dq, ratios.dk, ratios.dv)).toBeGreaterThan(1e-3);
      // The fp32 kernels on the unrounded inputs (same O and lse): D alike, gradients apart by at most the
      // bound plus what rounding the inputs moves the float64 reference.
      const fp32 = await backward(
        p,
        { dq: dqPairedWgsl(p.dh / 4, 16), dkdv: dkdvBalancedWgsl(p.dh / 4, 16), dqRows: ROWS, dkdvRows: ROWS },
        { q, k, v, o, dout, lse },
      );
      expect(relDiff(got.dsum, fp32.dsum)).toBeLessThan(1e-6);
      const exact = backwardReference(p, q, k, v, dout, dout, o, lse);
      const apart = (what: string, a: Float32Array, b: Float32Array, r: Bounded, x: Bounded) => {
        for (let e = 0; e < a.length; e++) {
          const allowed = 2 * r.bound[e]! + Math.abs(r.value[e]! - x.value[e]!) + 1e-6 * (1 + Math.abs(x.value[e]!));
          if (!(Math.abs(a[e]! - b[e]!) <= allowed)) expect.fail(`${what} ${e}: tensor cores ${a[e]}, fp32 ${b[e]}, allowed ${allowed}`);
        }
      };
      apart('dQ', got.dq, fp32.dq, ref.dq, exact.dq);
      apart('dK', got.dk, fp32.dk, ref.dk, exact.dk);
      apart('dV', got.dv, fp32.dv, ref.dv, exact.dv);
      console.log(`${p.name}: |error| / bound at most dQ ${ratios.dq.toFixed(3)}, dK ${ratios.dk.toFixed(3)}, dV ${ratios.dv.toFixed(3)}`);
    });
  }
});
