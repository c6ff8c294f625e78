/**
 * Parity of the webgpu decoding path: the in-place KV-cache write, greedy sampling through the fused kernels
 * against the reference ops, and the webgpu decoder (src/webgpu/decode.ts) against the tfjs-op decode step.
 * Part of fusedKernelParity (fused-parity.ts); needs the webgpu backend active.
 */
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../../src/rng.ts';
import { modelConfig } from '../../src/model/config.ts';
import { promptTokens } from '../../src/prompt.ts';
import { sample, type Generation, type SampleOptions, type SampleRequest } from '../../src/model/sample.ts';
import { createVlm, disposeVlm, type Vlm } from '../../src/model/vlm.ts';
import { gpuDecodeCount, internals, setFusedOptimizer, setGpuDecode, writeKvSlot } from '../../src/webgpu/index.ts';

export interface DecodeParityReport {
  readonly kvWriteAbs: number; // in-place KV-cache write vs cache·(1−slot) + kv·slot: max |diff| (exact: 0)
  readonly sampleSameTokens: boolean; // greedy sampling of the tiny model: the same tokens either way
  readonly sampleLogprobAbs: number; // and max |Δ log p| of those tokens
  readonly gpuDecodeRan: boolean; // sample() took the webgpu decoder (src/webgpu/decode.ts) when it was on
  readonly gpuGreedySame: boolean; // greedy: the webgpu decoder's tokens = the tfjs-op step's (tied and untied head)
  readonly gpuGreedyLogprobAbs: number; // and max |Δ log p|
  readonly gpuGreedyTokens: number; // tokens compared in the greedy runs
  readonly gpuSampledSame: boolean; // T = 0.8, top-p 0.9, same seed: the same tokens
  readonly gpuSampledLogprobAbs: number; // and max |Δ log p|
  readonly gpuSampledTokens: number; // tokens compared in the sampled run
}

/** Every check of the decoding path; leaves the fused kernels on (fusedKernelParity restores its own state). */
export async function decodeParity(): Promise<DecodeParityReport> {
  return { kvWriteAbs: await kvWriteParity(), ...(await sampleParity()), ...(await gpuDecodeParity()) };
}

async function kvWriteParity(): Promise<number> {
  const rng = new Rng('fused-parity').split('kv');
  const [b, h, c, dh] = [3, 2, 7, 5];
  const values = (n: number) => Float32Array.from({ length: n }, () => rng.normal());
  const slots = [6, 0, 3];
  const oneHot = new Float32Array(b * c);
  slots.forEach((s, i) => (oneHot[i * c + s] = 1));
  const cache = tf.tensor4d(values(b * h * c * dh), [b, h, c, dh]); // [B, H, C, dh]
  const kv = tf.tensor4d(values(b * h * dh), [b, h, 1, dh]); // [B, H, 1, dh]
  const slot = tf.tensor4d(oneHot, [b, 1, c, 1]); // [B, 1, C, 1]
  const reference = tf.tidy(() => tf.add(tf.mul(cache, tf.sub(1, slot)), tf.mul(kv, slot))); // [B, H, C, dh]
  const index = tf.tensor1d(slots, 'int32'); // [B]
  const wrote = writeKvSlot(internals(), cache, kv, index);
  const [got, want] = (await Promise.all([cache.data(), reference.data()])) as Float32Array[];
  tf.dispose([cache, kv, slot, reference, index]);
  if (!wrote) return Infinity;
  return got.reduce((worst, x, i) => Math.max(worst, Math.abs(x - want[i])), 0);
}

/** Greedy sampling (KV cache, fused LayerNorm/matmul+bias/in-place cache writes) against the reference ops. */
async function sampleParity(): Promise<{ sampleSameTokens: boolean; sampleLogprobAbs: number }> {
  const config = modelConfig('tiny');
  const model = createVlm(config, 'fused-parity');
  const rng = new Rng('fused-parity').split('sample');
  const requests = [0, 1, 2].map((i) => ({
    pixels: Float32Array.from({ length: config.inputSize ** 2 }, () => rng.next()),
    prompt: promptTokens(`Solve ${'x'.repeat(i * 5)}`),
  }));
  const run = async (on: boolean) => {
    setFusedOptimizer(on);
    setGpuDecode(false); // the tfjs-op step, fused kernels vs reference ops (the webgpu decoder: gpuDecodeParity)
    try {
      return await sample(model, requests, { temperature: 0, topP: 1, maxTokens: 24, rng: new Rng(1) });
    } finally {
      setGpuDecode(true);
    }
  };
  try {
    const { same, worst } = compare(await run(true), await run(false));
    return { sampleSameTokens: same, sampleLogprobAbs: worst };
  } finally {
    disposeVlm(model);
  }
}

/** Same tokens row by row, and the largest |Δ log p| over the tokens both have. */
function compare(a: Generation[], b: Generation[]): { same: boolean; worst: number; tokens: number } {
  let same = true;
  let worst = 0;
  let tokens = 0;
  a.forEach((g, i) => {
    const r = b[i];
    same &&= g.tokens.length === r.tokens.length && g.tokens.every((t, k) => t === r.tokens[k]) && g.finish === r.finish;
    for (let k = 0; k < Math.min(g.logprobs.length, r.logprobs.length); k++) worst = Math.max(worst, Math.abs(g.logprobs[k] - r.logprobs[k]));
    tokens += g.tokens.length;
  });
  return { same, worst, tokens };
}

/**
 * The webgpu decoder (src/webgpu/decode.ts: whole step in our WGSL, tokens picked on the GPU) against the tfjs-op
 * step with the fused kernels: greedy on the tiny model with a tied and an untied head, then T = 0.8 / top-p 0.9
 * from the same seed (the Rng's uniforms reach the GPU in the same order, so the tokens match unless a draw
 * lands within f32 rounding of a cumulative-weight boundary). Rows of different prompt lengths.
 */
async function gpuDecodeParity(): Promise<
  Pick<
    DecodeParityReport,
    'gpuDecodeRan' | 'gpuGreedySame' | 'gpuGreedyLogprobAbs' | 'gpuGreedyTokens' | 'gpuSampledSame' | 'gpuSampledLogprobAbs' | 'gpuSampledTokens'
  >
> {
  const rng = new Rng('fused-parity').split('gpu-decode');
  setFusedOptimizer(true);
  const both = async (model: Vlm, requests: SampleRequest[], options: SampleOptions, seed: number) => {
    const before = gpuDecodeCount();
    const gpu = await sample(model, requests, { ...options, rng: new Rng(seed) });
    const ran = gpuDecodeCount() === before + 1;
    setGpuDecode(false);
    try {
      return { ran, ...compare(gpu, await sample(model, requests, { ...options, rng: new Rng(seed) })) };
    } finally {
      setGpuDecode(true);
    }
  };
  let ran = true;
  let greedySame = true;
  let greedyWorst = 0;
  let greedyTokens = 0;
  for (const tiedHead of [false, true]) {
    // The untied model is also wider, d 96 in 3 heads with a 3·d FFN: a partial K tile (288) and partial column blocks.
    // The tied one has the caption grid on, on a 4×4 patch grid: caption at text positions 3…18, answer at
    // 20…35, both inside the prompts and the decode steps.
    const config = modelConfig(
      'tiny',
      tiedHead ? { inputSize: 32, gridStart: 3, gridStride: 4, gridAnswerStart: 20 } : { tiedHead, d: 96, heads: 3, ffnMult: 3 },
    );
    const model = createVlm(config, `gpu-decode-${tiedHead}`);
    // A fresh model has unit gains and zero biases: perturb them, or a swapped bias or gain would pass.
    for (const [name, v] of model.params) {
      if (v.rank !== 1) continue;
      const values = Float32Array.from({ length: v.size }, () => (name.endsWith('.g') ? 1 : 0) + 0.2 * rng.normal());
      tf.tidy(() => v.assign(tf.tensor1d(values)));
    }
    const requests = [0, 1, 2, 3, 4].map((i) => ({
      pixels: Float32Array.from({ length: config.inputSize ** 2 }, () => rng.next()),
      prompt: promptTokens(`Solve ${'x'.repeat(i * 7)}`),
    }));
    try {
      const greedy = await both(model, requests, { temperature: 0, topP: 1, maxTokens: 40, rng: new Rng(0) }, 1);
      ran &&= greedy.ran;
      greedySame &&= greedy.same;
      greedyWorst = Math.max(greedyWorst, greedy.worst);
      greedyTokens += greedy.tokens;
      if (!tiedHead) continue;
      const sampled = await both(model, requests, { temperature: 0.8, topP: 0.9, maxTokens: 40, rng: new Rng(0) }, 7);
      ran &&= sampled.ran;
      return {
        gpuDecodeRan: ran,
        gpuGreedySame: greedySame,
        gpuGreedyLogprobAbs: greedyWorst,
        gpuGreedyTokens: greedyTokens,
        gpuSampledSame: sampled.same,
        gpuSampledLogprobAbs: sampled.worst,
        gpuSampledTokens: sampled.tokens,
      };
    } finally {
      disposeVlm(model);
    }
  }
  throw new Error('unreachable');
}
