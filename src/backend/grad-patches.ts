/**
 * Gradients of Sum and Mean without a host-side ones tensor. tfjs 4.22 writes both as
 * mul(reshape(dy), ones(x.shape)): `ones` fills a typed array of x's full size on the CPU, and on webgpu
 * every call then uploads it through a freshly created staging buffer. LayerNorm's two means per call made
 * that ~60 % of a webgpu training step (bench/README.md, issue 9). Broadcasting dy instead gives the same
 * values exactly (v·1 = v; Mean divides the same values by the same count before rather than after the
 * copy), on every backend.
 */
import * as tf from '@tensorflow/tfjs';

let installed = false;

/** Keeps x's shape with 1 on the reduced axes: the shape dy broadcasts from. */
function keptShape(x: tf.Tensor, axis: number | number[]): number[] {
  const axes = tf.util.parseAxisParam(axis, x.shape);
  return x.shape.map((size, i) => (axes.includes(i) ? 1 : size));
}

/** dy [reduced shape] → [x.shape] float32, by broadcasting (a Tile kernel, no host data). */
function spread(dy: tf.Tensor, x: tf.Tensor, axis: number | number[], divisor?: number): tf.Tensor {
  let kept = tf.reshape(dy.dtype === 'float32' ? dy : tf.cast(dy, 'float32'), keptShape(x, axis)); // [x.shape with 1 on axes]
  if (divisor !== undefined) kept = tf.div(kept, divisor);
  return tf.broadcastTo(kept, x.shape); // [x.shape]
}

export function installGradientPatches(): void {
  if (installed) return;
  installed = true;
  tf.registerGradient({
    kernelName: 'Sum',
    inputsToSave: ['x'],
    gradFunc: (dy, saved, attrs) => {
      const [x] = saved;
      const { axis } = attrs as { axis: number | number[] };
      return { x: () => spread(dy as tf.Tensor, x, axis) };
    },
  });
  tf.registerGradient({
    kernelName: 'Mean',
    inputsToSave: ['x'],
    gradFunc: (dy, saved, attrs) => {
      const [x] = saved;
      const { axis } = attrs as { axis: number | number[] };
      const axes = tf.util.parseAxisParam(axis, x.shape);
      const count = axes.reduce((n, a) => n * x.shape[a], 1);
      return { x: () => spread(dy as tf.Tensor, x, axis, count) };
    },
  });
}
