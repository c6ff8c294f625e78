import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { AdamW } from '../../../src/model/adamw.ts';
import { prepareBatch } from '../../../src/model/logprobs.ts';
import { sample } from '../../../src/model/sample.ts';
import { trainStep } from '../../../src/model/train.ts';
import { createVlm, disposeVlm } from '../../../src/model/vlm.ts';
import { Rng } from '../../../src/rng.ts';
import { BUCKET, rows, tiny, useCpu } from './fixtures.ts';

// The webgpu NaN of issue 8 came from a rank-5 PadV2 (the gradient of a 5-D slice) compiling to invalid
// WGSL. kernel-patches.ts folds such pads, but the model itself must never need them: every kernel of a
// training step and of sampling sees tensors of rank ≤ 4. Checked on cpu by wrapping each kernel.
describe('the model stays within rank 4 (webgpu kernels break at rank 5)', () => {
  const seen = new Map<string, number>(); // kernel → highest rank among its inputs and outputs
  const originals: tf.KernelConfig[] = [];

  beforeAll(async () => {
    await useCpu();
    for (const config of tf.getKernelsForBackend('cpu')) {
      originals.push(config);
      tf.unregisterKernel(config.kernelName, 'cpu');
      tf.registerKernel({
        ...config,
        kernelFunc: (args) => {
          const out = config.kernelFunc(args) as tf.TensorInfo | tf.TensorInfo[];
          const infos = [...Object.values(args.inputs as Record<string, tf.TensorInfo>), ...(Array.isArray(out) ? out : [out])];
          const rank = Math.max(...infos.filter(Boolean).map((t) => t.shape.length));
          seen.set(config.kernelName, Math.max(seen.get(config.kernelName) ?? 0, rank));
          return out as tf.TensorInfo;
        },
      });
    }
  });

  afterAll(() => {
    for (const config of originals) {
      tf.unregisterKernel(config.kernelName, 'cpu');
      tf.registerKernel(config);
    }
  });

  it('in a training step (forward, backward, AdamW with clipping)', async () => {
    seen.clear();
    const model = createVlm(tiny, 3);
    const optimizer = new AdamW(model.params, { clipNorm: 1 });
    const lossFn = (out: { logp: tf.Tensor2D; mask: tf.Tensor2D }) => tf.neg(tf.mean(tf.mul(out.logp, out.mask))) as tf.Scalar;
    await trainStep(model, optimizer, prepareBatch(tiny, rows(tiny, 2), BUCKET), lossFn);
    disposeVlm(model);
    expect(seen.size).toBeGreaterThan(20);
    expect([...seen].filter(([, rank]) => rank > 4)).toEqual([]);
  });

  it('in KV-cache sampling', async () => {
    seen.clear();
    const model = createVlm(tiny, 3);
    const requests = rows(tiny, 2).map(({ pixels, prompt }) => ({ pixels, prompt }));
    await sample(model, requests, { temperature: 1, topP: 1, maxTokens: 4, rng: new Rng(2), bucket: BUCKET });
    disposeVlm(model);
    expect(seen.size).toBeGreaterThan(10);
    expect([...seen].filter(([, rank]) => rank > 4)).toEqual([]);
  });
});
