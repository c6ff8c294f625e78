/**
 * The transformer's building blocks as pure functions of tensors (callers run them inside tf.tidy).
 * Attention uses separate Q/K/V projections and 4-D reshapes/transposes only: the fused-QKV variant split by
 * a 5-D slice is suspected of the webgpu NaN (issue 8), so it is never used here.
 */
import * as tf from '@tensorflow/tfjs';
import { keptConstant } from './kept-constant.ts';
import { fusedBackend, geluFused, layerNormFused, linearFused, linearFusedApplies } from '../webgpu/index.ts';

/**
 * Masked attention logits get MASKED added, not −1e9: exp(−1e4 − max) already underflows to exactly 0 in
 * fp32, so masking is exact, while the logits stay small enough that `score + bias` keeps the score's
 * precision, stays finite in fp16 (max 65504) and never feeds huge magnitudes into a GPU's fast-math exp.
 */
export const MASKED = -1e4;

/**
 * x·W + b over the last axis, plus `residual` when given (residual + (x·W + b), the pre-norm block's
 * sublayer output): [..., n] → [..., m]. On webgpu one custom-gradient op (src/webgpu/linear.ts), or the bias add
 * riding in the matmul kernel (tf.fused.matMul) when that is off or the shape is not ours; elsewhere matMul
 * then add, so cpu/wasm numerics are unchanged.
 */
export function linear(x: tf.Tensor, w: tf.Tensor2D, b: tf.Tensor1D, residual?: tf.Tensor): tf.Tensor {
  const fused = fusedBackend();
  if (fused && linearFusedApplies(x, w, b, residual)) return linearFused(fused, x, w, b, residual);
  const n = x.shape[x.rank - 1];
  const flat = tf.reshape(x, [-1, n]); // [N, n]
  const y = fused ? tf.fused.matMul({ a: flat, b: w, bias: b }) : tf.add(tf.matMul(flat, w), b); // [N, m]
  const out = tf.reshape(y, [...x.shape.slice(0, -1), w.shape[1]]); // [..., m]
  return residual ? tf.add(residual, out) : out; // [..., m]
}

/** LayerNorm over the last axis with gain g and bias b: [..., d] → [..., d]. One fused kernel on webgpu. */
export function layerNorm(x: tf.Tensor, g: tf.Tensor1D, b: tf.Tensor1D, eps = 1e-5): tf.Tensor {
  const fused = fusedBackend();
  if (fused && x.dtype === 'float32' && x.size > 0) return layerNormFused(fused, x, g, b, eps);
  const { mean, variance } = tf.moments(x, -1, true); // [..., 1] each
  const normed = tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, eps))); // [..., d]
  return tf.add(tf.mul(normed, g), b); // [..., d]
}

/** Exact GELU, 0.5·x·(1 + erf(x/√2)) (PyTorch's default): [...] → [...]. One kernel each way on webgpu. */
export function gelu(x: tf.Tensor): tf.Tensor {
  const fused = fusedBackend();
  if (fused && x.dtype === 'float32' && x.size > 0) return geluFused(fused, x);
  const cdf = tf.mul(0.5, tf.add(1, tf.erf(tf.mul(x, Math.SQRT1_2)))); // [...]
  return tf.mul(x, cdf); // [...]
}

/** [B, L, d] → [B, H, L, d/H]. */
export function splitHeads(x: tf.Tensor3D, heads: number): tf.Tensor4D {
  const [b, l, d] = x.shape;
  return tf.transpose(tf.reshape(x, [b, l, heads, d / heads]), [0, 2, 1, 3]); // [B, H, L, dh]
}

/** [B, H, L, dh] → [B, L, H·dh]. */
export function mergeHeads(x: tf.Tensor4D): tf.Tensor3D {
  const [b, h, l, dh] = x.shape;
  return tf.reshape(tf.transpose(x, [0, 2, 1, 3]), [b, l, h * dh]); // [B, L, d]
}

/**
 * softmax(q·kᵀ/√dh + bias)·v. q [B, H, Lq, dh], k/v [B, H, Lk, dh], bias broadcastable to [B, H, Lq, Lk]
 * (0 where allowed, MASKED where not; every query row must allow at least one key).
 */
export function attend(q: tf.Tensor4D, k: tf.Tensor4D, v: tf.Tensor4D, bias: tf.Tensor): tf.Tensor4D {
  const scale = 1 / Math.sqrt(q.shape[3]);
  const scores = tf.add(tf.mul(tf.matMul(q, k, false, true), scale), bias); // [B, H, Lq, Lk]
  const weights = tf.softmax(scores, -1); // [B, H, Lq, Lk]
  return tf.matMul(weights, v) as tf.Tensor4D; // [B, H, Lq, dh]
}

/**
 * The prefix-LM bias for `prefix` image tokens followed by `text` tokens, [L, L] with L = prefix + text:
 * query i may see key j when j is an image token or j ≤ i (full attention over the image, causal over text).
 * Built once per (backend, prefix, text) and kept, so a training step adds no mask tensors.
 */
export function prefixLmBias(prefix: number, text: number): tf.Tensor2D {
  return keptConstant(`prefixLmBias:${prefix}:${text}`, () => {
    const l = prefix + text;
    const values = new Float32Array(l * l);
    for (let i = 0; i < l; i++) for (let j = 0; j < l; j++) values[i * l + j] = j < prefix || j <= i ? 0 : MASKED;
    return tf.tensor2d(values, [l, l]); // [L, L]
  });
}
