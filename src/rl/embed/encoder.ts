/**
 * A small image–caption contrastive encoder (CLIP-style; docs/architecture.md §5's embedding-similarity baseline):
 *   image:   inputSize² pixels → average-pooled to grid² → dense(hidden, relu) → dense(dim) → L2-normalised
 *   caption: first maxText tokens → embedding(tokDim) flattened (positions kept) → dense(hidden, relu)
 *            → dense(dim) → L2-normalised
 * Similarity is the cosine of the two embeddings, in [−1, 1]. A few hundred thousand weights: it trains in
 * seconds on a CPU and scores thousands of captions per second.
 */
import { writeFileAtomicAsync } from '../../io/atomic-write.ts';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { encode, PAD, VOCAB_SIZE } from '../../tokenizer.ts';
import { Rng } from '../../rng.ts';

export interface EncoderConfig {
  readonly inputSize: number; // model-input side the pixels come at
  readonly grid: number; // pooled image side (inputSize % grid === 0)
  readonly maxText: number; // caption tokens kept (longer captions are cut)
  readonly tokDim: number;
  readonly hidden: number;
  readonly dim: number; // embedding size
}

export const ENCODER_DEFAULTS: Omit<EncoderConfig, 'inputSize'> = { grid: 24, maxText: 256, tokDim: 8, hidden: 128, dim: 32 };

export interface Encoder {
  readonly config: EncoderConfig;
  readonly params: ReadonlyMap<string, tf.Variable>;
}

const FORMAT = 'asymflow-embed/1';

/** The pooled side for an input: the largest divisor of inputSize not above the default grid (72 → 24, 32 → 16). */
export function gridFor(inputSize: number, most = ENCODER_DEFAULTS.grid): number {
  for (let g = Math.min(most, inputSize); g > 1; g--) if (inputSize % g === 0) return g;
  return 1;
}

function shapes(c: EncoderConfig): [string, number[]][] {
  return [
    ['img.w1', [c.grid * c.grid, c.hidden]],
    ['img.b1', [c.hidden]],
    ['img.w2', [c.hidden, c.dim]],
    ['txt.emb', [VOCAB_SIZE, c.tokDim]],
    ['txt.w1', [c.maxText * c.tokDim, c.hidden]],
    ['txt.b1', [c.hidden]],
    ['txt.w2', [c.hidden, c.dim]],
  ];
}

export function createEncoder(config: EncoderConfig, seed = 0): Encoder {
  if (config.inputSize % config.grid !== 0) throw new Error(`embed encoder: inputSize ${config.inputSize} is not a multiple of grid ${config.grid}`);
  const rng = new Rng(seed).split('embed-init');
  const params = new Map<string, tf.Variable>();
  for (const [name, shape] of shapes(config)) {
    const size = shape.reduce((a, b) => a * b, 1);
    const values = new Float32Array(size);
    if (shape.length > 1) for (let i = 0; i < size; i++) values[i] = rng.normal() * Math.sqrt(2 / shape[0]); // He init
    const initial = tf.tensor(values, shape); // shape
    params.set(name, tf.variable(initial, true, `embed${nextId++}/${name}`));
    initial.dispose();
  }
  return { config, params };
}

let nextId = 0;

const v = (e: Encoder, name: string) => e.params.get(name)! as tf.Tensor as tf.Tensor2D;

/** Average-pools each image to grid² on the CPU: [B·inputSize²] → [B·grid²]. */
export function poolImages(e: Encoder, images: readonly Float32Array[]): Float32Array {
  const { inputSize: s, grid: g } = e.config;
  const f = s / g;
  const out = new Float32Array(images.length * g * g);
  images.forEach((px, b) => {
    if (px.length !== s * s) throw new Error(`embed encoder: image ${b} has ${px.length} pixels; the encoder takes ${s}×${s}`);
    for (let y = 0; y < s; y++) for (let x = 0; x < s; x++) out[b * g * g + Math.floor(y / f) * g + Math.floor(x / f)] += px[y * s + x] / (f * f);
  });
  return out;
}

/** Caption token ids, PAD-filled or cut to maxText: [B·maxText]. */
export function captionIds(e: Encoder, captions: readonly string[]): Int32Array {
  const t = e.config.maxText;
  const out = new Int32Array(captions.length * t).fill(PAD);
  captions.forEach((c, b) => out.set(encode(c).subarray(0, t), b * t));
  return out;
}

/** Image embeddings: pooled [B, grid²] → [B, dim], unit length. Pure: call inside tf.tidy. */
export function embedImages(e: Encoder, pooled: tf.Tensor2D): tf.Tensor2D {
  const h = tf.relu(tf.add(tf.matMul(pooled, v(e, 'img.w1')), e.params.get('img.b1')!)); // [B, hidden]
  const z = tf.matMul(h, v(e, 'img.w2')); // [B, dim]
  return tf.div(z, tf.add(tf.norm(z, 'euclidean', 1, true), 1e-6)) as tf.Tensor2D; // [B, dim]
}

/** Caption embeddings: ids [B, maxText] → [B, dim], unit length. Pure: call inside tf.tidy. */
export function embedCaptions(e: Encoder, ids: tf.Tensor2D): tf.Tensor2D {
  const b = ids.shape[0];
  const tok = tf.gather(e.params.get('txt.emb')!, ids); // [B, maxText, tokDim]
  const flat = tf.reshape(tok, [b, e.config.maxText * e.config.tokDim]) as tf.Tensor2D; // [B, maxText·tokDim]
  const h = tf.relu(tf.add(tf.matMul(flat, v(e, 'txt.w1')), e.params.get('txt.b1')!)); // [B, hidden]
  const z = tf.matMul(h, v(e, 'txt.w2')); // [B, dim]
  return tf.div(z, tf.add(tf.norm(z, 'euclidean', 1, true), 1e-6)) as tf.Tensor2D; // [B, dim]
}

/** Cosine similarity of each image with its caption: one number per pair. */
export async function similarity(e: Encoder, images: readonly Float32Array[], captions: readonly string[]): Promise<number[]> {
  if (images.length !== captions.length) throw new Error(`embed similarity: ${images.length} images but ${captions.length} captions`);
  if (images.length === 0) return [];
  const b = images.length;
  const sims = tf.tidy(() => {
    const zi = embedImages(e, tf.tensor2d(poolImages(e, images), [b, e.config.grid ** 2])); // [B, dim]
    const zt = embedCaptions(e, tf.tensor2d(captionIds(e, captions), [b, e.config.maxText], 'int32')); // [B, dim]
    return tf.sum(tf.mul(zi, zt), 1); // [B]
  });
  const values = Array.from((await sims.data()) as Float32Array);
  sims.dispose();
  return values;
}

export async function saveEncoder(dir: string, e: Encoder, metadata: Record<string, unknown> = {}): Promise<void> {
  const parts = await Promise.all([...e.params.values()].map(async (p) => (await p.data()) as Float32Array));
  const all = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) (all.set(p, o), (o += p.length));
  // each file whole or not at all; embed.json last, so it never points at a missing or partial embed.bin
  await writeFileAtomicAsync(path.join(dir, 'embed.bin'), new Uint8Array(all.buffer));
  await writeFileAtomicAsync(path.join(dir, 'embed.json'), JSON.stringify({ format: FORMAT, config: e.config, floats: all.length, metadata }, null, 1));
}

export async function loadEncoder(dir: string): Promise<Encoder> {
  const where = path.join(dir, 'embed.json');
  const text = await fs.readFile(where, 'utf8').catch((err: Error) => {
    throw new Error(`embed encoder ${where}: cannot read (${err.message}); train one with asymflow train-embed`);
  });
  const manifest = JSON.parse(text) as { format: string; config: EncoderConfig; floats: number };
  if (manifest.format !== FORMAT) throw new Error(`embed encoder ${where}: format ${JSON.stringify(manifest.format)}, expected ${FORMAT}`);
  const bytes = await fs.readFile(path.join(dir, 'embed.bin'));
  if (bytes.length !== manifest.floats * 4)
    throw new Error(`embed encoder ${path.join(dir, 'embed.bin')}: expected ${manifest.floats * 4} bytes, found ${bytes.length}`);
  const all = new Float32Array(manifest.floats);
  new Uint8Array(all.buffer).set(bytes);
  const e = createEncoder(manifest.config);
  let o = 0;
  for (const p of e.params.values()) {
    const t = tf.tensor(all.subarray(o, o + p.size), p.shape); // p.shape
    p.assign(t);
    t.dispose();
    o += p.size;
  }
  return e;
}

export function disposeEncoder(e: Encoder): void {
  for (const p of e.params.values()) p.dispose();
}
