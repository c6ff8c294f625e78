/**
 * Which tfjs-webgpu kernels break at rank 5 (issue 8): runs a list of ops and their gradients on rank-4 and
 * rank-5 inputs on the active backend and on cpu, and prints per op whether the results match and whether
 * WebGPU reported an error (an invalid shader drops its whole command buffer, see src/backend/index.ts).
 *
 *   npx tsx bench/rank-scan.ts --backend webgpu
 */
import * as tf from '@tensorflow/tfjs';
import { resolveBackend } from '../src/backend/index.ts';

type Op = (x: tf.Tensor) => tf.Tensor;
const ops: Record<string, Op> = {
  slice: (x) =>
    x.slice(
      x.shape.map(() => 0),
      x.shape.map((d, i) => (i === 1 ? 1 : d)),
    ),
  'slice grad (PadV2)': (x) =>
    tf.grad((y: tf.Tensor) =>
      y
        .slice(
          y.shape.map(() => 0),
          y.shape.map((d, i) => (i === 1 ? 1 : d)),
        )
        .sum(),
    )(x),
  pad: (x) => x.pad(x.shape.map(() => [1, 0] as [number, number])),
  transpose: (x) => x.transpose(x.shape.map((_, i) => x.rank - 1 - i)),
  tile: (x) => x.tile(x.shape.map((_, i) => (i === 0 ? 2 : 1))),
  reverse: (x) => x.reverse(1),
  concat: (x) => tf.concat([x, x], 1),
  'broadcast add': (x) =>
    x.add(
      x.slice(
        x.shape.map(() => 0),
        x.shape.map((d, i) => (i === 0 ? 1 : d)),
      ),
    ),
  'broadcast add grad': (x) =>
    tf.grad((y: tf.Tensor) =>
      y
        .add(
          x.slice(
            x.shape.map(() => 0),
            x.shape.map((d, i) => (i === 0 ? 1 : d)),
          ),
        )
        .square()
        .sum(),
    )(x),
  'sum axis 1': (x) => x.sum(1),
  stridedSlice: (x) =>
    tf.stridedSlice(
      x,
      x.shape.map(() => 0),
      x.shape,
      x.shape.map(() => 1),
    ),
  softmax: (x) => tf.softmax(x),
  'squeeze+transpose grad': (x) =>
    tf.grad((y: tf.Tensor) =>
      y
        .slice(
          y.shape.map(() => 0),
          y.shape.map((d, i) => (i === 0 ? 1 : d)),
        )
        .squeeze([0])
        .transpose()
        .sum(),
    )(x),
};

const backend = await resolveBackend(process.argv.includes('--backend') ? process.argv[process.argv.indexOf('--backend') + 1] : 'webgpu');
const shapes = [
  [3, 4, 5, 6],
  [2, 3, 4, 5, 6],
];
for (const shape of shapes) {
  for (const [name, op] of Object.entries(ops)) {
    const n = shape.reduce((a, b) => a * b, 1);
    const values = Float32Array.from({ length: n }, (_, i) => Math.sin(i * 0.37) + 0.1);
    const before = backend.gpuErrors().length;
    let got: Float32Array | undefined,
      thrown = '';
    try {
      const y = op(tf.tensor(values, shape));
      got = (await y.data()) as Float32Array;
    } catch (e) {
      thrown = (e as Error).message.split('\n')[0];
    }
    await tf.setBackend('cpu');
    const want = (await op(tf.tensor(values, shape)).data()) as Float32Array;
    await tf.setBackend(backend.name);
    const errs = backend.gpuErrors().slice(before);
    let maxDiff = 0;
    if (got) for (let i = 0; i < want.length; i++) maxDiff = Math.max(maxDiff, Math.abs(got[i] - want[i]));
    const ok = got && maxDiff < 1e-4 && errs.length === 0;
    console.log(
      `${ok ? 'ok  ' : 'FAIL'} rank ${shape.length} ${name.padEnd(24)} maxDiff ${got ? maxDiff.toExponential(1) : '-'}` +
        (errs.length ? ` gpu errors ${errs.length}: ${errs[0].split('\n').find((l) => l.trim())}` : '') +
        (thrown ? ` threw: ${thrown}` : ''),
    );
  }
}
await backend.dispose();
