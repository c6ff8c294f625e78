/**
 * Batched sampling with a KV cache (docs/architecture.md §4): prefill image + prompt once, then one token per row per
 * step against a fixed-capacity cache (same shapes every step). Tokens are drawn on the CPU from downloaded
 * logits (`await data()`, never dataSync: it throws on webgpu) with a seeded Rng, so a seed reproduces the
 * samples on one backend. On webgpu the decode steps and the picking run in our own WGSL instead
 * (src/webgpu/decode.ts, decodeOnGpu below), fed the same Rng draws in the same order; ASYMFLOW_GPU_DECODE=0
 * turns that off.
 *
 * Rows may have prompts of different lengths: the prefill is right-padded and each row then writes its
 * next token at its own cache slot, with its own text position, so no row ever attends to padding.
 * The returned log-probs are those of the untempered model (log-softmax of the raw logits, no top-p), the
 * same quantity scoreLogprobs() computes, so old-policy log-probs from sampling and scoring agree.
 *
 * Randomness: one Rng drawn in row order (a row's sample then depends on its neighbours), or one Rng per row,
 * which makes each row's sample a function of its own seed whatever the batch (what `asymflow serve` needs).
 */
import * as tf from '@tensorflow/tfjs';
import { yieldIfDue } from '../event-loop.ts';
import { Rng } from '../rng.ts';
import { decode, PAD } from '../tokenizer.ts';
import { patchCount, patchDim } from './config.ts';
import { decodeStep, hiddenStates, logits, patchify, type KvCache } from './forward.ts';
import { MASKED } from './layers.ts';
import { roundUp } from './logprobs.ts';
import { assistantPrefix } from '../prompt.ts';
import { SampleRows, type FinishReason, type TokenLogprob } from './sample-rows.ts';
import { param, type Vlm } from './vlm.ts';
import { gridRowsPer, gridRowTensor } from './caption-grid.ts';
import { GpuDecoder, trimWebgpuPool, type DecodeModel } from '../webgpu/index.ts';

export interface SampleRequest {
  readonly pixels: Float32Array; // inputSize² greyscale values
  readonly prompt: Int32Array; // promptTokens(query, forcedPrefix): the prefix is context, not sampled
}

export interface SampleOptions {
  readonly temperature: number; // 0 = greedy
  readonly topP: number; // nucleus mass in (0, 1]
  readonly maxTokens: number; // per row, also capped by model.maxText − prompt length
  readonly rng: Rng | readonly Rng[]; // one stream drawn in row order each step, or one per row
  readonly bucket?: number; // prompt/capacity rounding (default 64)
  readonly stop?: readonly string[]; // a row stops once its sampled text contains one of these
  readonly topLogprobs?: number; // also return the k most likely tokens at each step (tfjs-op loop only)
}

export type { FinishReason, TokenLogprob };

/** Row i's stream: its own, or the one shared by every row. */
const rowRng = (rng: Rng | readonly Rng[], i: number): Rng => (rng instanceof Rng ? rng : rng[i]);
const copyRng = (r: Rng): Rng => Rng.fromState(r.seed, r.state());

export interface Generation {
  readonly tokens: Int32Array; // sampled tokens only (the stop token included)
  readonly logprobs: Float32Array; // untempered log p of each sampled token
  readonly text: string; // forced prefix + decoded sampled tokens
  readonly finish: FinishReason;
  readonly stopString?: string; // the stop string that ended it (finish 'stop')
  readonly top?: readonly (readonly TokenLogprob[])[]; // per sampled token, the k most likely (topLogprobs)
}

/** The k highest log-probs of a distribution, best first (ties to the lower id). */
function topK(lp: Float64Array, k: number): TokenLogprob[] {
  const order = Array.from(lp.keys()).sort((a, b) => lp[b] - lp[a] || a - b);
  return order.slice(0, k).map((token) => ({ token, logprob: lp[token] }));
}

/** Log-softmax of logits in float64: [V] → [V]. */
function logSoftmax(z: Float32Array): Float64Array {
  let max = -Infinity;
  for (const x of z) max = Math.max(max, x);
  let sum = 0;
  for (const x of z) sum += Math.exp(x - max);
  const lse = max + Math.log(sum);
  return Float64Array.from(z, (x) => x - lse);
}

/** One token id from log-probs under temperature and top-p. */
export function pickToken(logp: Float64Array, temperature: number, topP: number, rng: Rng): number {
  if (temperature === 0) {
    let best = 0;
    for (let i = 1; i < logp.length; i++) if (logp[i] > logp[best]) best = i;
    return best;
  }
  let max = -Infinity;
  for (const x of logp) max = Math.max(max, x / temperature);
  const weights = Float64Array.from(logp, (x) => Math.exp(x / temperature - max));
  const order = Array.from(weights.keys()).sort((a, b) => weights[b] - weights[a] || a - b);
  const total = weights.reduce((a, b) => a + b, 0);
  let kept = 0;
  let count = 0;
  while (count < order.length && (count === 0 || kept < topP * total)) kept += weights[order[count++]];
  let u = rng.next() * kept;
  for (let i = 0; i < count; i++) {
    u -= weights[order[i]];
    if (u < 0) return order[i];
  }
  return order[count - 1];
}

function validate(o: SampleOptions): void {
  if (!(o.temperature >= 0 && Number.isFinite(o.temperature))) throw new Error(`sample: temperature must be a finite number >= 0, got ${o.temperature}`);
  if (!(o.topP > 0 && o.topP <= 1)) throw new Error(`sample: topP must be in (0, 1], got ${o.topP}`);
  if (!(Number.isInteger(o.maxTokens) && o.maxTokens > 0)) throw new Error(`sample: maxTokens must be a positive integer, got ${o.maxTokens}`);
  if (o.topLogprobs !== undefined && !(Number.isInteger(o.topLogprobs) && o.topLogprobs >= 0))
    throw new Error(`sample: topLogprobs must be a non-negative integer, got ${o.topLogprobs}`);
}

/** Samples one response per request. */
export async function sample(m: Vlm, requests: readonly SampleRequest[], options: SampleOptions): Promise<Generation[]> {
  validate(options);
  const c = m.config;
  const b = requests.length;
  if (b === 0) return [];
  if (!(options.rng instanceof Rng) && options.rng.length !== b) throw new Error(`sample: ${options.rng.length} row rngs for ${b} requests`);
  const bucket = options.bucket ?? 64;
  const prefix = patchCount(c);
  const lengths = requests.map((r, i) => {
    if (r.prompt.length === 0 || r.prompt.length >= c.maxText)
      throw new Error(`sample: request ${i} prompt has ${r.prompt.length} tokens; needs 1…${c.maxText - 1} (model.maxText)`);
    return r.prompt.length;
  });
  const limits = lengths.map((n) => Math.min(options.maxTokens, c.maxText - n));
  const tp = roundUp(Math.max(...lengths), bucket);
  const capacity = prefix + roundUp(tp + options.maxTokens, bucket);

  // Prefill: right-padded prompts; each row's next-token logits come from its last real column.
  const patches = new Float32Array(b * prefix * patchDim(c));
  const ids = new Int32Array(b * tp).fill(PAD);
  const positions = new Int32Array(b * tp);
  const last = new Float32Array(b * tp);
  requests.forEach((r, i) => {
    patches.set(patchify(r.pixels, c, `sample: request ${i} pixels`), i * prefix * patchDim(c));
    ids.set(r.prompt, i * tp);
    for (let col = 0; col < tp; col++) positions[i * tp + col] = Math.min(col, c.maxText - 1);
    last[i * tp + lengths[i] - 1] = 1;
  });
  let { cache, next }: { cache: KvCache; next: tf.Tensor2D } = tf.tidy(() => {
    const collect: KvCache = { k: [], v: [] };
    const h = hiddenStates(
      m,
      {
        patches: tf.tensor3d(patches, [b, prefix, patchDim(c)]), // [B, P, patch²]
        ids: tf.tensor2d(ids, [b, tp], 'int32'), // [B, Tp]
        positions: tf.tensor2d(positions, [b, tp], 'int32'), // [B, Tp]
      },
      collect,
    ); // [B, P+Tp, d]
    const text = tf.slice(h, [0, prefix, 0], [b, tp, c.d]); // [B, Tp, d]
    const hLast = tf.sum(tf.mul(text, tf.tensor3d(last, [b, tp, 1])), 1, true) as tf.Tensor3D; // [B, 1, d]
    const pad = (t: tf.Tensor4D) =>
      tf.pad(t, [
        [0, 0],
        [0, 0],
        [0, capacity - prefix - tp],
        [0, 0],
      ]) as tf.Tensor4D; // [B, H, C, dh]
    return { cache: { k: collect.k.map(pad), v: collect.v.map(pad), grid: collect.grid }, next: tf.reshape(logits(m, hLast), [b, c.vocab]) as tf.Tensor2D }; // [B, V]
  });

  const rows = new SampleRows(lengths, limits, prefix, c.maxText, capacity, options.stop);
  // Before each call, not per training step: an evaluation's buffers join training's idle ones (out of memory),
  // while emptying the pool every update re-creates every buffer each step (0.64 → 2.9 s per H100 step).
  trimWebgpuPool();
  const gpu = options.topLogprobs ? undefined : GpuDecoder.create(decodeModelOf(m), cache, next, options); // its picks carry no alternatives
  try {
    if (gpu) await decodeOnGpu(gpu, rows, options);
    else ({ cache, next } = await decodeWithOps(m, rows, cache, next, options));
  } finally {
    gpu?.dispose();
    tf.dispose([next, ...cache.k, ...cache.v, ...(cache.grid ? [cache.grid] : [])]);
  }
  return requests.map((r, i) => ({
    tokens: Int32Array.from(rows.tokens[i]),
    logprobs: Float32Array.from(rows.logprobs[i]),
    text: decode(assistantPrefix(r.prompt)) + decode(rows.tokens[i]),
    finish: rows.finish[i]!,
    ...(rows.stopString[i] !== undefined ? { stopString: rows.stopString[i] } : {}),
    ...(options.topLogprobs ? { top: rows.top[i] } : {}),
  }));
}

/**
 * The tfjs-op decode loop (cpu, wasm, webgpu with the GPU decoder off): logits read back every step and
 * tokens picked on the CPU. Returns the cache and logits left to dispose.
 */
async function decodeWithOps(
  m: Vlm,
  rows: SampleRows,
  cache: KvCache,
  next: tf.Tensor2D,
  options: SampleOptions,
): Promise<{ cache: KvCache; next: tf.Tensor2D }> {
  const c = m.config;
  const b = rows.size;
  const capacity = cache.k[0].shape[2];
  for (let step = 0; ; step++) {
    const z = (await next.data()) as Float32Array; // [B·V]
    await yieldIfDue(); // cpu/wasm: data() resolves as a microtask; let the dashboard and signals in
    for (let i = 0; i < b; i++) {
      if (rows.finish[i]) continue;
      const lp = logSoftmax(z.subarray(i * c.vocab, (i + 1) * c.vocab));
      const token = pickToken(lp, options.temperature, options.topP, rowRng(options.rng, i));
      rows.record(i, token, lp[token], options.topLogprobs ? topK(lp, options.topLogprobs) : undefined);
    }
    if (rows.done()) return { cache, next };
    next.dispose();
    // Feed each row's newest token at its slot (finished rows repeat a harmless, ignored step).
    const feed = rows.feed(step);
    const slot = new Float32Array(b * capacity);
    const keyBias = new Float32Array(b * capacity);
    for (let i = 0; i < b; i++) {
      slot[i * capacity + feed.slots[i]] = 1;
      keyBias.fill(MASKED, i * capacity + feed.slots[i] + 1, (i + 1) * capacity);
    }
    const out = tf.tidy(() => {
      const r = decodeStep(
        m,
        {
          ids: tf.tensor2d(feed.ids, [b, 1], 'int32'), // [B, 1]
          positions: tf.tensor2d(feed.positions, [b, 1], 'int32'), // [B, 1]
          slot: tf.tensor4d(slot, [b, 1, capacity, 1]), // [B, 1, C, 1]
          slotIndex: tf.tensor1d(feed.slots, 'int32'), // [B]
          keyBias: tf.tensor4d(keyBias, [b, 1, 1, capacity]), // [B, 1, 1, C]
        },
        cache,
      );
      return { k: r.cache.k, v: r.cache.v, next: tf.reshape(logits(m, r.h), [b, c.vocab]) as tf.Tensor2D }; // [B, V]
    });
    const kept = new Set<tf.Tensor>([...out.k, ...out.v]); // written in place on webgpu
    tf.dispose([...cache.k, ...cache.v].filter((t) => !kept.has(t)));
    cache = { k: out.k, v: out.v, grid: cache.grid };
    next = out.next;
  }
}

/** The model as the webgpu decoder reads it. */
const decodeModelOf = (m: Vlm): DecodeModel => ({
  config: m.config,
  weight: (name) => param(m, name),
  gridRowsPer: gridRowsPer(m.config),
  gridRowTensor: () => gridRowTensor(m.config),
});

/** What decodeOnGpu needs of a GpuDecoder (a CPU stand-in tests the loop: test/src/model/sample-rows.test.ts). */
export type GpuSteps = Pick<GpuDecoder, 'submitFirst' | 'submitStep' | 'repick' | 'read'>;

/**
 * The webgpu decode loop (src/webgpu/decode.ts): tokens picked on the GPU, B ids and log-probs read back per
 * step, with the next step already queued so the GPU never waits for this loop. Uniforms go to the GPU as
 * pickToken draws them (one per unfinished row, in row order, none when greedy): the step queued ahead gets
 * them from a copy of the Rng, guessing that no row stops at the pick being read; when one does, the real
 * draws differ and that pick is made again from the same logits, so the stream matches the tfjs-op loop.
 * (With one Rng per row a stop never shifts another row's draws, and the guess is always right.)
 */
export async function decodeOnGpu(gpu: GpuSteps, rows: SampleRows, options: Pick<SampleOptions, 'temperature' | 'rng'>): Promise<void> {
  const b = rows.size;
  const draw = (rng: Rng | readonly Rng[]) => {
    const rands = new Float32Array(b);
    if (options.temperature > 0) for (let i = 0; i < b; i++) if (!rows.finish[i]) rands[i] = rowRng(rng, i).next();
    return rands;
  };
  const guess = () => draw(options.rng instanceof Rng ? copyRng(options.rng) : options.rng.map(copyRng));
  gpu.submitFirst(draw(options.rng));
  let ahead = guess(); // pick 1
  gpu.submitStep(rows.feed(0), ahead);
  for (let k = 0; ; k++) {
    const picks = await gpu.read(k);
    for (let i = 0; i < b; i++) rows.record(i, picks.tokens[i], picks.logprobs[i]);
    if (rows.done()) return; // pick k + 1 is still queued: its results are never read
    const exact = draw(options.rng); // pick k + 1's real uniforms, now that pick k's stops are known
    if (exact.some((u, i) => u !== ahead[i])) gpu.repick(exact);
    ahead = guess(); // pick k + 2
    gpu.submitStep(rows.feed(k + 1), ahead);
  }
}
