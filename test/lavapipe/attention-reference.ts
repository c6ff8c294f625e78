/**
 * Float64 reference of the prefix-LM attention (forward O, lse; backward dQ, dK, dV) with, beside each value, a
 * bound on what the tensor-core kernels may differ from it by. The reference takes the kernels' inputs already
 * rounded to f16 (`round`), so the bound covers only what the kernels do after that:
 *
 *   scores   S = Σ_d q·k: products of f16 values are exact in f32, the sum of dh of them errs by ≤ (dh+1)·2⁻²⁴·Σ|q·k|;
 *            x = S·scale + keyBias adds 2⁻²³·|x|: δx per score.
 *   exp      Vulkan's exp is good to (3 + 2|y|) ulp (2⁻²³ each) at y: εexp(y).
 *   f16      P (for P·V and Pᵀ·dO) and dS (for dS·K, dSᵀ·Q) rounded to f16: 2⁻¹¹ relative, or 2⁻²⁵ absolute
 *            below f16's normal range.
 *   sums     n terms accumulated in f32 (fragments, then across tiles): n·2⁻²⁴ of the sum of magnitudes.
 * Forward: O = Σ p·v / Σ p with p = exp(x − m). A common shift of the scores cancels in O, so each p carries
 * δx_j + max δx + εexp + 2⁻¹¹; l adds its f32 sum. lse = m + log l: max δx + l's relative error + log's 2⁻²¹.
 * Backward (O, lse, dO as given in f32): p = exp(x − lse) carries δx + εexp; dP = Σ dO·v errs by
 * (dh+1)·2⁻²⁴·Σ|dO·v|, D = Σ dO·O (f32, from the unrounded dO) by the same of Σ|dO·O|; dS = p·(dP − D) then
 * errs by p·εp·|dP − D| + p·(δdP + δD) + 2⁻²³|dS| + f16's rounding; dQ, dK, dV sum those errors times |k|, |q|,
 * |dO| plus their own f32 sums.
 */
import { f16Round } from '../../src/webgpu/f16.ts';
import type { AttentionProblem } from './attention-run.ts';

const U = 2 ** -24;
const F16 = 2 ** -11;
const F16_SUB = 2 ** -25;
const epsExp = (y: number) => (3 + 2 * Math.abs(y)) * 2 ** -23;
const f16Err = (x: number) => Math.max(F16 * Math.abs(x), F16_SUB);

export interface Bounded {
  readonly value: Float64Array;
  readonly bound: Float64Array;
}

/** Rounds every element to f16 (what the kernels do to q, k, v, dO on their way into workgroup memory). */
export const roundF16 = (x: Float32Array): Float64Array => Float64Array.from(x, f16Round);

const visible = (p: AttentionProblem, i: number, j: number) => j < p.prefix || j <= i;

/** Index of element d of row i of head h in [B, L, H·dh]. */
const at = (p: AttentionProblem, b: number, i: number, h: number, d: number) => ((b * p.l + i) * p.heads + h) * p.dh + d;

interface Scores {
  x: Float64Array; // scores of row i (masked: −Infinity)
  dx: Float64Array; // δx per score
}

function scores(p: AttentionProblem, q: ArrayLike<number>, k: ArrayLike<number>, b: number, h: number, i: number): Scores {
  const scale = 1 / Math.sqrt(p.dh);
  const x = new Float64Array(p.l).fill(-Infinity);
  const dx = new Float64Array(p.l);
  for (let j = 0; j < p.l; j++) {
    if (!visible(p, i, j)) continue;
    let s = 0,
      mag = 0;
    for (let d = 0; d < p.dh; d++) {
      const t = q[at(p, b, i, h, d)]! * k[at(p, b, j, h, d)]!;
      s += t;
      mag += Math.abs(t);
    }
    x[j] = s * scale + (p.keyBias ? p.keyBias[b * p.l + j]! : 0);
    dx[j] = (p.dh + 1) * U * mag * scale + 2 * U * Math.abs(x[j]!);
  }
  return { x, dx };
}

/** O [B, L, H·dh] and lse [B·H, L] with their bounds, from inputs as the kernel sees them (rounded or not). */
export function forwardReference(p: AttentionProblem, q: ArrayLike<number>, k: ArrayLike<number>, v: ArrayLike<number>) {
  const size = p.batch * p.l * p.heads * p.dh;
  const o = { value: new Float64Array(size), bound: new Float64Array(size) };
  const lse = { value: new Float64Array(p.batch * p.heads * p.l), bound: new Float64Array(p.batch * p.heads * p.l) };
  for (let b = 0; b < p.batch; b++)
    for (let h = 0; h < p.heads; h++)
      for (let i = 0; i < p.l; i++) {
        const { x, dx } = scores(p, q, k, b, h, i);
        const m = Math.max(...x);
        let l = 0,
          n = 0,
          dxMax = 0;
        const pr = Float64Array.from(x, (xj, j) => {
          if (xj === -Infinity) return 0;
          n++;
          dxMax = Math.max(dxMax, dx[j]!);
          return Math.exp(xj - m);
        });
        for (const pj of pr) l += pj;
        let lRel = n * U; // l's relative error: its f32 sum and each p's
        for (let j = 0; j < p.l; j++) if (pr[j]! > 0) lRel += (pr[j]! / l) * (dx[j]! + dxMax + epsExp(x[j]! - m));
        const r = (b * p.heads + h) * p.l + i;
        lse.value[r] = m + Math.log(l);
        lse.bound[r] = dxMax + lRel + 2 ** -21 + 2 * U * Math.abs(lse.value[r]!);
        for (let d = 0; d < p.dh; d++) {
          let num = 0,
            err = 0,
            vMax = 0;
          for (let j = 0; j < p.l; j++) {
            if (pr[j] === 0) continue;
            const vj = v[at(p, b, j, h, d)]!;
            num += pr[j]! * vj;
            err += pr[j]! * Math.abs(vj) * (F16 + dx[j]! + dxMax + epsExp(x[j]! - m) + n * U) + F16_SUB * Math.abs(vj);
            vMax = Math.max(vMax, Math.abs(vj));
          }
          const e = at(p, b, i, h, d);
          o.value[e] = num / l;
          o.bound[e] = err / l + lRel * Math.abs(num / l) + 2 * U * Math.abs(num / l);
        }
      }
  return { o, lse };
}

/** dQ, dK, dV [B, L, H·dh] with bounds, from rounded q, k, v, dO (`r*`), the unrounded dO, and O, lse as given. */
export function backwardReference(
  p: AttentionProblem,
  rq: ArrayLike<number>,
  rk: ArrayLike<number>,
  rv: ArrayLike<number>,
  rdo: ArrayLike<number>,
  dout: ArrayLike<number>,
  o: ArrayLike<number>,
  lse: ArrayLike<number>,
) {
  const size = p.batch * p.l * p.heads * p.dh;
  const make = (): Bounded => ({ value: new Float64Array(size), bound: new Float64Array(size) });
  const [dq, dk, dv] = [make(), make(), make()];
  const scale = 1 / Math.sqrt(p.dh);
  const dqv = dq.value as Float64Array,
    dkv = dk.value as Float64Array,
    dvv = dv.value as Float64Array;
  const dqb = dq.bound as Float64Array,
    dkb = dk.bound as Float64Array,
    dvb = dv.bound as Float64Array;
  for (let b = 0; b < p.batch; b++)
    for (let h = 0; h < p.heads; h++)
      for (let i = 0; i < p.l; i++) {
        const { x, dx } = scores(p, rq, rk, b, h, i);
        let dsum = 0,
          dMag = 0;
        for (let d = 0; d < p.dh; d++) {
          dsum += dout[at(p, b, i, h, d)]! * o[at(p, b, i, h, d)]!;
          dMag += Math.abs(dout[at(p, b, i, h, d)]! * o[at(p, b, i, h, d)]!);
        }
        const dD = (p.dh + 1) * U * dMag;
        const rowLse = lse[(b * p.heads + h) * p.l + i]!;
        let n = 0;
        for (let j = 0; j < p.l; j++) if (x[j] !== -Infinity) n++;
        for (let j = 0; j < p.l; j++) {
          if (x[j] === -Infinity) continue;
          const pj = Math.exp(x[j]! - rowLse);
          const ep = dx[j]! + epsExp(x[j]! - rowLse);
          let dp = 0,
            dpMag = 0;
          for (let d = 0; d < p.dh; d++) {
            const t = rdo[at(p, b, i, h, d)]! * rv[at(p, b, j, h, d)]!;
            dp += t;
            dpMag += Math.abs(t);
          }
          const ds = pj * (dp - dsum);
          const eDs = pj * ep * Math.abs(dp - dsum) + pj * ((p.dh + 1) * U * dpMag + dD) + 2 * U * Math.abs(ds) + f16Err(ds);
          const eP = pj * ep + f16Err(pj);
          for (let d = 0; d < p.dh; d++) {
            const ei = at(p, b, i, h, d),
              ej = at(p, b, j, h, d);
            dqv[ei] += scale * ds * rk[ej]!;
            dqb[ei] += scale * Math.abs(rk[ej]!) * (eDs + n * U * Math.abs(ds));
            dkv[ej] += scale * ds * rq[ei]!;
            dkb[ej] += scale * Math.abs(rq[ei]!) * (eDs + p.l * U * Math.abs(ds));
            dvv[ej] += pj * rdo[ei]!;
            dvb[ej] += Math.abs(rdo[ei]!) * (eP + p.l * U * pj);
          }
        }
      }
  for (const g of [dq, dk, dv]) for (let e = 0; e < size; e++) (g.bound as Float64Array)[e] += 2 * U * Math.abs(g.value[e]!);
  return { dq, dk, dv };
}
