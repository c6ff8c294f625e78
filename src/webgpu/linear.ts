/**
 * x·W + b (+ a residual) as one custom-gradient op on webgpu (issue 9): forward one matmul+bias(+residual) dispatch, backward
 * dx = dy·Wᵀ, dW = xᵀ·dy (our matmul, matmul.ts) and db = column sum of dy, summed by the dW matmul
 * from the dy tiles it loads anyway (no dispatch of its own; ASYMFLOW_BIAS_GRAD_IN_MATMUL=0: the column-sum
 * kernels of colsum.ts, two dispatches of ~19 MB reads each at small), all recorded straight into tfjs's command stream on views of the same buffers. tf.fused.matMul takes ~24 tfjs
 * kernel calls per linear and step (reshapes to 3-D and back, a saved copy of every reshape's input, the
 * bias gradient's Sum + Reshape): 600 of the small step's 872, each costing engine and tape bookkeeping on the
 * CPU. Here it is one tape node and one saved copy (x; the weight is a variable, see saveForGradient). The
 * products run through the same matmulOwn calls as the tf.fused.matMul path (same tiles and K splits), so
 * values are the same bit for bit (the bias gradient sums in another fixed order). ASYMFLOW_FUSED_LINEAR=0 keeps tf.fused.matMul (A/B runs); parity:
 * bench/checks/fused-parity.ts `linearRel`.
 */
import * as tf from '@tensorflow/tfjs';
import { sumRows } from './colsum.ts';
import { matmulOwn, ownMatmulFits, ownMatmulInstalled } from './matmul.ts';
import { alias, asTensor, newOutput, saveForGradient, view, type Backend, type Info } from './raw.ts';

let enabled = true;
let biasGradInMatmul = true;

/** ASYMFLOW_FUSED_LINEAR=0 turns the op off (model/layers.ts then uses tf.fused.matMul). */
export function setFusedLinear(on: boolean): void {
  enabled = on;
}

/**
 * ASYMFLOW_BIAS_GRAD_IN_MATMUL=0: the bias gradient by the column-sum kernels instead of inside the dW matmul
 * (A/B). Returns the previous setting (the parity runs both).
 */
export function setBiasGradInMatmul(on: boolean): boolean {
  const was = biasGradInMatmul;
  biasGradInMatmul = on;
  return was;
}

/**
 * The op applies: on, our matmul installed (ASYMFLOW_OWN_MATMUL=0 leaves tfjs's kernels in charge), float32,
 * and all three products (forward, dx, dW) are shapes our matmul takes.
 */
export function linearFusedApplies(x: tf.Tensor, w: tf.Tensor2D, bias: tf.Tensor1D, residual?: tf.Tensor): boolean {
  const [n, m] = w.shape;
  const rows = x.size / n;
  if (residual && (residual.dtype !== 'float32' || residual.shape.join() !== [...x.shape.slice(0, -1), m].join())) return false;
  return (
    enabled &&
    ownMatmulInstalled() &&
    x.dtype === 'float32' &&
    w.dtype === 'float32' &&
    bias.dtype === 'float32' &&
    bias.size === m &&
    x.shape[x.rank - 1] === n &&
    ownMatmulFits(rows, m, n) &&
    ownMatmulFits(rows, n, m) &&
    ownMatmulFits(n, m, rows)
  );
}

/** matmulOwn for shapes linearFusedApplies has accepted. */
function product(b: Backend, a: Info, bm: Info, transposeA: boolean, transposeB: boolean, bias?: Info, addend?: Info, colSum?: Info): Info {
  const out = matmulOwn(b, a, bm, transposeA, transposeB, bias, addend, colSum);
  if (!out) throw new Error(`linearFused: matmul [${a.shape}]${transposeA ? 'ᵀ' : ''}·[${bm.shape}]${transposeB ? 'ᵀ' : ''} not taken`);
  return out;
}

/**
 * x [..., n] · w [n, m] + bias [m] (+ residual [..., m], added last as tf.add(residual, ·) rounds) → [..., m]
 * on the webgpu backend `b` (check linearFusedApplies first). The residual's gradient is dy itself, shared.
 */
export function linearFused(b: Backend, x: tf.Tensor, w: tf.Tensor2D, bias: tf.Tensor1D, residual?: tf.Tensor): tf.Tensor {
  const [n, m] = w.shape;
  const rows = x.size / n;
  const inputs = residual ? [x, w, bias, residual] : [x, w, bias];
  const f = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [xs, ws, bs, rs] = args.slice(0, inputs.length) as tf.Tensor[];
    const kept = saveForGradient(args[inputs.length] as tf.GradSaveFunc, [xs, ws]);
    const y = product(b, view(xs, [rows, n]), ws, false, false, bs, rs); // [rows, m]
    return {
      value: asTensor(view(y, [...xs.shape.slice(0, -1), m])), // [..., m]
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [x0, w0] = kept(saved);
        const dy2 = view(dy, [rows, m]);
        const dx = product(b, dy2, w0, false, true); // [rows, n]
        const db = biasGradInMatmul ? newOutput(b, [m]) : undefined;
        const dw = product(b, view(x0, [rows, n]), dy2, true, false, undefined, undefined, db); // [n, m] (+ db = Σ rows of dy)
        const grads = [asTensor(view(dx, [...x0.shape])), asTensor(dw), db ? asTensor(db) : sumRows(b, dy, m)]; // [..., n], [n, m], [m]
        return residual ? [...grads, alias(b, dy)] : grads; // + [..., m]
      },
    };
  });
  return f(...inputs);
}
