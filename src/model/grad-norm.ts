/** Gradients by parameter name and their global L2 norm (train.ts, guarded-update.ts). */
import * as tf from '@tensorflow/tfjs';
import { fusedOptimizer } from '../webgpu/index.ts';

export type Grads = Record<string, tf.Tensor>; // short parameter name → gradient, same shape

/** Global L2 norm over every gradient: []. On webgpu two fused Σg² dispatches over all gradients (src/webgpu/fused.ts). */
export function globalNorm(grads: Grads): tf.Scalar {
  const fused = fusedOptimizer();
  return tf.tidy(() => {
    if (fused) return tf.sqrt(tf.sum(fused.sumSquares(Object.values(grads)))) as tf.Scalar; // []
    const squares = Object.values(grads).map((g) => tf.sum(tf.square(g))); // [] each
    return tf.sqrt(tf.addN(squares)) as tf.Scalar; // []
  });
}
