/**
 * The forward pass: image patches as prefix tokens, then text tokens, through pre-norm blocks.
 *   full pass  : hiddenStates() over [P image + T text] with the prefix-LM mask (+ optional key padding)
 *   decode step: decodeStep() for one new token per row against a fixed-capacity KV cache
 * Pure tensor functions: callers wrap them in tf.tidy.
 */
import * as tf from '@tensorflow/tfjs';
import { patchCount, patchDim, type ModelConfig } from './config.ts';
import { gridInput, gridRows } from './caption-grid.ts';
import { attend, gelu, layerNorm, linear, mergeHeads, prefixLmBias, splitHeads } from './layers.ts';
import { param, type Vlm } from './vlm.ts';
import { attentionFused, attentionFusedApplies, embedFusedApplies, embedTextFused, fusedBackend, writeKvSlot } from '../webgpu/index.ts';

/** Per-layer keys and values, each [B, H, L, dh]. */
export interface KvCache {
  readonly k: tf.Tensor4D[];
  readonly v: tf.Tensor4D[];
  grid?: tf.Tensor2D; // [B·(2P+1), d] rows the caption grid reads (gridRows), when it is on
}

/**
 * One greyscale image (inputSize² values, row-major, white = 1) → its patches as ink (1 − pixel), row-major:
 * P × patch² values. Ink, not brightness: on a white page every patch would share a large constant input that
 * the linear patch embedding passes on and LayerNorm then weighs against the few stroke pixels that carry the
 * content. Measured with the tiny model on 4-node GC captions (perception loss only, fresh samples, batch 8,
 * lr 3e-3, wasm): L_p 0.104 after 150 steps with ink against 0.229 with brightness.
 */
export function patchify(pixels: Float32Array, c: ModelConfig, where = 'pixels'): Float32Array {
  const side = c.inputSize;
  if (pixels.length !== side * side) {
    throw new Error(`${where}: expected ${side}×${side} = ${side * side} model-input pixels, got ${pixels.length}`);
  }
  const n = side / c.patch;
  const out = new Float32Array(patchCount(c) * patchDim(c));
  let o = 0;
  for (let pr = 0; pr < n; pr++)
    for (let pc = 0; pc < n; pc++)
      for (let y = 0; y < c.patch; y++) {
        const row = (pr * c.patch + y) * side + pc * c.patch;
        for (let x = 0; x < c.patch; x++) out[o++] = 1 - pixels[row + x];
      }
  return out;
}

const p = (m: Vlm, name: string) => param(m, name) as tf.Tensor as tf.Tensor1D;
const w = (m: Vlm, name: string) => param(m, name) as tf.Tensor as tf.Tensor2D;

/**
 * tok[ids] + pos[positions]: tables [V, d] and [P, d], ids/positions int32 [...] → [..., d]. One op each way on
 * webgpu (src/webgpu/embed.ts), else two gathers and an add.
 */
export function embedTokens(tok: tf.Tensor2D, pos: tf.Tensor2D, ids: tf.Tensor, positions: tf.Tensor): tf.Tensor {
  const fused = fusedBackend();
  if (fused && embedFusedApplies(tok, pos, ids, positions)) return embedTextFused(fused, tok, pos, ids, positions); // [..., d]
  return tf.add(tf.gather(tok, ids), tf.gather(pos, positions)); // [..., d]
}

/** Token + text-position embeddings (+ the caption grid's patch rows): ids/positions [B, T] int32 → [B, T, d]. */
function embedText(m: Vlm, ids: tf.Tensor2D, positions: tf.Tensor2D, grid: tf.Tensor2D | undefined): tf.Tensor3D {
  const x = embedTokens(w(m, 'tokEmb'), w(m, 'textPos'), ids, positions) as tf.Tensor3D; // [B, T, d]
  return grid ? (tf.add(x, gridInput(m.config, grid, positions)) as tf.Tensor3D) : x; // [B, T, d]
}

/** Patch embedding + patch positions: [B, P, patch²] → [B, P, d]. */
function embedImage(m: Vlm, patches: tf.Tensor3D): tf.Tensor3D {
  const x = linear(patches, w(m, 'patch.w'), p(m, 'patch.b')); // [B, P, d]
  return tf.add(x, param(m, 'patchPos')) as tf.Tensor3D; // [B, P, d]
}

/** Q, K, V of block i for normalised input x [B, L, d], each [B, L, d] (heads side by side). */
function qkvMerged(m: Vlm, i: number, x: tf.Tensor3D): [tf.Tensor3D, tf.Tensor3D, tf.Tensor3D] {
  const proj = (name: string) => linear(x, w(m, `blocks.${i}.attn.${name}.w`), p(m, `blocks.${i}.attn.${name}.b`)) as tf.Tensor3D;
  return [proj('q'), proj('k'), proj('v')]; // [B, L, d] each
}

/** Q, K, V of block i for normalised input x [B, L, d], each [B, H, L, dh]. */
function qkv(m: Vlm, i: number, x: tf.Tensor3D): [tf.Tensor4D, tf.Tensor4D, tf.Tensor4D] {
  const h = m.config.heads;
  return qkvMerged(m, i, x).map((t) => splitHeads(t, h)) as [tf.Tensor4D, tf.Tensor4D, tf.Tensor4D]; // [B, H, L, dh] each
}

/** The MLP sublayer with its residual: [B, L, d] → [B, L, d]. */
function mlp(m: Vlm, i: number, x: tf.Tensor3D): tf.Tensor3D {
  const pre = `blocks.${i}.`;
  const xn = layerNorm(x, p(m, `${pre}ln2.g`), p(m, `${pre}ln2.b`)); // [B, L, d]
  const hidden = gelu(linear(xn, w(m, `${pre}mlp.fc.w`), p(m, `${pre}mlp.fc.b`))); // [B, L, f·d]
  return linear(hidden, w(m, `${pre}mlp.proj.w`), p(m, `${pre}mlp.proj.b`), x) as tf.Tensor3D; // [B, L, d]
}

/** Attention output projection with its residual: y [B, L, d] (heads merged), x [B, L, d] → [B, L, d]. */
function attnOut(m: Vlm, i: number, x: tf.Tensor3D, y: tf.Tensor3D): tf.Tensor3D {
  return linear(y, w(m, `blocks.${i}.attn.o.w`), p(m, `blocks.${i}.attn.o.b`), x) as tf.Tensor3D; // [B, L, d]
}

export interface ForwardInputs {
  readonly patches: tf.Tensor3D; // [B, P, patch²]
  readonly ids: tf.Tensor2D; // [B, T] int32
  readonly positions: tf.Tensor2D; // [B, T] int32 text positions
  readonly keyBias?: tf.Tensor4D; // [B, 1, 1, P+T]: MASKED on padding keys (left-padded prompts)
}

/**
 * Final-LayerNormed hidden states over the whole sequence, [B, P+T, d]. When `collect` is given, each
 * layer's K and V ([B, H, P+T, dh]) are pushed to it (the KV-cache prefill).
 */
export function hiddenStates(m: Vlm, inputs: ForwardInputs, collect?: KvCache): tf.Tensor3D {
  const prefix = inputs.patches.shape[1];
  const text = inputs.ids.shape[1];
  const image = embedImage(m, inputs.patches); // [B, P, d]
  const grid = m.config.gridStart > 0 ? gridRows(m, image) : undefined; // [B·(2P+1), d]
  if (collect) collect.grid = grid;
  let x = tf.concat([image, embedText(m, inputs.ids, inputs.positions, grid)], 1) as tf.Tensor3D; // [B, L, d]
  const [batch, l] = x.shape;
  const heads = m.config.heads;
  // webgpu: one fused attention kernel each way (src/webgpu/attention.ts), no [B, H, L, L] tensors, no head transposes.
  const fused = fusedBackend();
  if (fused && attentionFusedApplies(m.config.d / heads)) {
    const keyBias = inputs.keyBias ? (tf.reshape(inputs.keyBias, [batch, l]) as tf.Tensor2D) : undefined; // [B, L]
    for (let i = 0; i < m.config.layers; i++) {
      const xn = layerNorm(x, p(m, `blocks.${i}.ln1.g`), p(m, `blocks.${i}.ln1.b`)) as tf.Tensor3D; // [B, L, d]
      const [q, k, v] = qkvMerged(m, i, xn); // [B, L, d] each
      collect?.k.push(splitHeads(k, heads)); // [B, H, L, dh]
      collect?.v.push(splitHeads(v, heads));
      x = mlp(m, i, attnOut(m, i, x, attentionFused(fused, q, k, v, heads, prefix, keyBias))); // [B, L, d]
    }
    return layerNorm(x, p(m, 'lnf.g'), p(m, 'lnf.b')) as tf.Tensor3D; // [B, L, d]
  }
  const mask = prefixLmBias(prefix, text); // [L, L]
  const bias = inputs.keyBias ? tf.add(mask, inputs.keyBias) : mask; // [B, 1, L, L] or [L, L]
  for (let i = 0; i < m.config.layers; i++) {
    const xn = layerNorm(x, p(m, `blocks.${i}.ln1.g`), p(m, `blocks.${i}.ln1.b`)) as tf.Tensor3D; // [B, L, d]
    const [q, k, v] = qkv(m, i, xn); // [B, H, L, dh] each
    collect?.k.push(k);
    collect?.v.push(v);
    x = mlp(m, i, attnOut(m, i, x, mergeHeads(attend(q, k, v, bias)))); // [B, L, d]
  }
  return layerNorm(x, p(m, 'lnf.g'), p(m, 'lnf.b')) as tf.Tensor3D; // [B, L, d]
}

/** The output head's table: the token embedding [V, d] when tied (logits = h·tableᵀ), else head.w [d, V]. */
export const headTable = (m: Vlm): tf.Tensor2D => w(m, m.config.tiedHead ? 'tokEmb' : 'head.w');

/** Logits of hidden states under a head table (see headTable): [B, N, d] → [B, N, V]. */
export function headLogits(h: tf.Tensor3D, table: tf.Tensor2D, tied: boolean): tf.Tensor3D {
  const [b, n, d] = h.shape;
  const flat = tf.reshape(h, [b * n, d]); // [B·N, d]
  const out = tf.matMul(flat, table, false, tied) as tf.Tensor2D; // [B·N, V]
  return tf.reshape(out, [b, n, out.shape[1]]); // [B, N, V]
}

/** Next-token logits of hidden states: [B, N, d] → [B, N, V]. */
export function logits(m: Vlm, h: tf.Tensor3D): tf.Tensor3D {
  return headLogits(h, headTable(m), m.config.tiedHead); // [B, N, V]
}

export interface DecodeInputs {
  readonly ids: tf.Tensor2D; // [B, 1] int32, the newest token of each row
  readonly positions: tf.Tensor2D; // [B, 1] int32 text position of that token
  readonly slot: tf.Tensor4D; // [B, 1, C, 1] one-hot cache slot the token is written to
  readonly slotIndex?: tf.Tensor1D; // [B] int32, the same slots as indices: lets webgpu write the cache in place
  readonly keyBias: tf.Tensor4D; // [B, 1, 1, C]: 0 for slots ≤ the row's slot, MASKED after
}

/**
 * One token per row through every block against a cache of capacity C. Returns the final-normed hidden
 * state [B, 1, d] and the updated cache. The write is cache·(1−slot) + kv·slot (new tensors; the caller
 * disposes the old cache) so every step has the same shapes (no growing concat). On webgpu, given
 * slotIndex, the cache tensors are written in place instead and returned as the new cache: the caller
 * must then dispose only the old tensors that are not in the new cache.
 */
export function decodeStep(m: Vlm, inputs: DecodeInputs, cache: KvCache): { h: tf.Tensor3D; cache: KvCache } {
  if (m.config.gridStart > 0 && !cache.grid)
    throw new Error('decodeStep: the model has a caption grid but the cache has no image rows (prefill with hiddenStates(…, collect))');
  let x = embedText(m, inputs.ids, inputs.positions, cache.grid); // [B, 1, d]
  const fused = inputs.slotIndex ? fusedBackend() : undefined;
  let keep: tf.Tensor | undefined; // [B, 1, C, 1], made only if some layer takes the reference write
  const write = (old: tf.Tensor4D, kv: tf.Tensor4D): tf.Tensor4D => {
    if (fused && writeKvSlot(fused, old, kv, inputs.slotIndex!)) return old; // [B, H, C, dh], in place
    keep ??= tf.sub(1, inputs.slot);
    return tf.add(tf.mul(old, keep), tf.mul(kv, inputs.slot)) as tf.Tensor4D; // [B, H, C, dh]
  };
  const next: KvCache = { k: [], v: [], grid: cache.grid };
  for (let i = 0; i < m.config.layers; i++) {
    const xn = layerNorm(x, p(m, `blocks.${i}.ln1.g`), p(m, `blocks.${i}.ln1.b`)) as tf.Tensor3D; // [B, 1, d]
    const [q, k, v] = qkv(m, i, xn); // [B, H, 1, dh] each
    const ck = write(cache.k[i], k); // [B, H, C, dh]
    const cv = write(cache.v[i], v); // [B, H, C, dh]
    next.k.push(ck);
    next.v.push(cv);
    x = mlp(m, i, attnOut(m, i, x, mergeHeads(attend(q, ck, cv, inputs.keyBias)))); // [B, 1, d]
  }
  return { h: layerNorm(x, p(m, 'lnf.g'), p(m, 'lnf.b')) as tf.Tensor3D, cache: next }; // [B, 1, d]
}
