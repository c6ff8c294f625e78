/**
 * A whole decode step on webgpu as our own WGSL dispatches in one command buffer (issue 9): the tfjs-op step
 * (model/forward.ts decodeStep + logits + CPU picking) costs ~25 tfjs kernels per layer at 25–40 µs of JS each plus
 * a read-back of B × V logits, so sampling was CPU bound (13.9 ms per step for `small` on the H100). Here a
 * step is 5 dispatches per layer with bind groups made once per call, and it reads back only B token ids
 * and B log-probs, while the next step is already queued (the token ids stay on the GPU):
 *   embed → per layer: LN1 + QKV (one packed [d, 3d] matmul), attention (writes K/V into the cache in place),
 *   out-proj + residual, LN2 + FFN1 + GELU, FFN2 + residual → final LN + logits (tied head), pick
 * Same math as decodeStep on the fused webgpu path (same LayerNorm and GELU WGSL; matmul sums in 4 interleaved
 * k-slices). The prefill stays on tfjs ops; its cache tensors are written in place here and stay the caller's.
 * Under mixed precision, on a device with subgroup matrices, the linears run on the tensor cores from f16 copies of
 * the weights made at each decoder's setup (decode-linear.ts); everything else stays f32.
 *
 * Commands go to our own encoder on tfjs's GPUDevice after flushing tfjs's, so they order after the prefill;
 * tfjs is idle until sample() is done, and whatever it submits later (reusing the cache's buffers from its
 * pool) is queue-ordered after the step still queued at the end.
 * Off (create() returns undefined) unless fusedBackend() is set and ASYMFLOW_GPU_DECODE is not '0'.
 */
import * as tf from '@tensorflow/tfjs';
import type { DecodeCache, DecodeModel, GpuDecodeOptions, Picks, StepFeed } from './decode-model.ts';
import { attentionFits, attentionWgsl, attentionWorkgroupBytes, embedWgsl, MAX_SLOTS, ROW_WORDS, slotsFor } from './decode-attention.ts';
import { pickWgsl, pickWorkgroupBytes } from './pick.ts';
import { bufferOf, fusedBackend, owns, pipeline, writtenBufferOf, type Backend } from './raw.ts';
import { DecodeLinears, decodeTcPlan, type Command } from './decode-linear.ts';
import { encodeTimed } from './decode-profile.ts';
import type { RowsTcPlan } from './rows-linear-tc.ts';

// GPUBufferUsage / GPUMapMode values (WebGPU spec), spelled out so this file needs no Dawn globals.
const MAP_READ = 0x1;
const COPY_SRC = 0x4;
const COPY_DST = 0x8;
const UNIFORM = 0x40;
const STORAGE = 0x80;
const READ = 0x1;

let enabled = true;
let created = 0;
let createdMixed = 0;

/** How many decoders create() has made (parity checks use it to see that sample() took this path). */
export const gpuDecodeCount = (): number => created;

/** How many of them ran their linears on the tensor cores (mixed precision, decode-linear.ts). */
export const gpuDecodeMixedCount = (): number => createdMixed;

/** Off: sample() takes the tfjs-op step even on webgpu (parity checks compare both). */
export function setGpuDecode(on: boolean): void {
  enabled = on;
}

/**
 * Our buffers of finished calls by device, by `size:usage`, for the next call: creating a buffer costs ~0.25 ms
 * under Dawn/Vulkan on the H100 (bench/README.md), ~30 per call. Each decoder takes its own (calls may overlap);
 * what the next decoder leaves untaken (other shapes) is destroyed, so the pool holds at most one call's set.
 */
const idle = new WeakMap<GPUDevice, Map<string, GPUBuffer[]>>();

export class GpuDecoder {
  private readonly device: GPUDevice;
  private readonly owned: { buffer: GPUBuffer; key: string }[] = [];
  private readonly rows: GPUBuffer;
  private readonly picked: GPUBuffer;
  private readonly staging: GPUBuffer[]; // by pick number mod 2: one is read while the next is queued
  private picks = 0; // picks submitted
  private lastFeed: StepFeed | undefined;
  private readonly setup: Command[] = [];
  private readonly decode: Command[] = [];
  private readonly pickPrefill: Command;
  private readonly batch: number;

  /**
   * The decoder for model m's cache (each [B, H, C, dh], written in place) and the prefill's next-token
   * logits [B, V], or undefined when the fused webgpu path is off or a shape does not fit its kernels.
   */
  static create(m: DecodeModel, cache: DecodeCache, prefillLogits: tf.Tensor2D, options: GpuDecodeOptions): GpuDecoder | undefined {
    const b = fusedBackend();
    if (!b || !enabled || process.env.ASYMFLOW_GPU_DECODE === '0') return undefined;
    const c = m.config;
    const [, heads, capacity, dh] = cache.k[0].shape;
    const limit = b.device.limits.maxComputeWorkgroupStorageSize;
    const slots = slotsFor(capacity);
    if (slots === undefined || attentionWorkgroupBytes(dh, slots) > limit || pickWorkgroupBytes(c.vocab) > limit) return undefined;
    if (!attentionFits(dh) || heads !== c.heads || [...cache.k, ...cache.v].some((t) => !owns(b, t) || t.dtype !== 'float32')) return undefined;
    if (c.gridStart > 0 && !(cache.grid && owns(b, cache.grid))) return undefined;
    const tc = decodeTcPlan(b.device, cache.k[0].shape[0]);
    created++;
    if (tc) createdMixed++;
    return new GpuDecoder(b, m, cache, prefillLogits, options, tc);
  }

  private constructor(b: Backend, m: DecodeModel, cache: DecodeCache, prefillLogits: tf.Tensor2D, options: GpuDecodeOptions, tc: RowsTcPlan | undefined) {
    const c = m.config;
    const [batch, heads, capacity, dh] = cache.k[0].shape;
    const d = c.d;
    const f = c.ffnMult * d;
    this.batch = batch;
    this.device = b.device;
    const w = (name: string) => bufferOf(b, m.weight(name));
    const scratch = (floats: number, usage = 0) => this.buffer(4 * floats, STORAGE | usage);
    const x = scratch(batch * d); // [B, d] residual stream
    const qkv = scratch(batch * 3 * d); // [B, 3d]
    const y = scratch(batch * d); // [B, d] attention output, heads merged
    const hidden = scratch(batch * f); // [B, f·d]
    const logits = scratch(batch * c.vocab); // [B, V]
    this.rows = scratch(batch * ROW_WORDS, COPY_DST); // [B] DecodeRow
    this.picked = scratch(2 * batch, COPY_SRC); // [B] tokens, then [B] log-probs
    this.staging = [0, 1].map(() => this.buffer(8 * batch, MAP_READ | COPY_DST));
    const caches = [...cache.k, ...cache.v].map((t) => writtenBufferOf(b, t)); // the attention writes K, V in place
    const prefill = bufferOf(b, prefillLogits);

    const u32 = (...v: number[]) => this.uniform(Uint32Array.from(v).buffer);
    // Setup (once per call): Q, K, V weights and biases packed side by side, so QKV is one matmul; under mixed
    // precision every weight's f16 copy.
    const lin = new DecodeLinears(
      { b, batch, weight: w, scratch: (bytes) => this.buffer(bytes, STORAGE), u32, command: (p, buffers, x, y) => this.command(p, buffers, x, y) },
      tc,
    );
    const layers = Array.from({ length: c.layers }, (_, i) => {
      const [a, mlp] = [`blocks.${i}.attn.`, `blocks.${i}.mlp.`];
      return {
        qkv: lin.weight([`${a}q.w`, `${a}k.w`, `${a}v.w`], d, d), // [d, 3d]
        qkvBias: lin.bias([`${a}q.b`, `${a}k.b`, `${a}v.b`], d), // [3d]
        o: lin.weight([`${a}o.w`], d, d),
        fc: lin.weight([`${mlp}fc.w`], d, f),
        proj: lin.weight([`${mlp}proj.w`], f, d),
      };
    });
    const head = c.tiedHead ? lin.weight(['tokEmb'], d, c.vocab, true) : lin.weight(['head.w'], d, c.vocab);
    this.setup.push(...lin.setup);

    // The long variant only past MAX_SLOTS: a cache that fits keeps the one pipeline (and its speed) it always had.
    const slots = slotsFor(capacity) ?? MAX_SLOTS; // create() checked it fits
    const attention =
      slots === MAX_SLOTS
        ? pipeline(b, `decodeAttention:${dh}`, () => attentionWgsl(dh))
        : pipeline(b, `decodeAttention:${dh}:${slots}`, () => attentionWgsl(dh, slots));
    const attnU = this.uniform(new Uint32Array([heads, capacity, 0, new Uint32Array(Float32Array.of(1 / Math.sqrt(dh)).buffer)[0]]).buffer);
    const embedInputs = [x, w('tokEmb'), w('textPos'), this.rows, this.picked, u32(batch, d, m.gridRowsPer, 0)];
    if (cache.grid) {
      embedInputs.push(bufferOf(b, cache.grid), bufferOf(b, m.gridRowTensor()));
    }
    this.decode.push(
      this.command(
        pipeline(b, `decodeEmbed:${cache.grid !== undefined}`, () => embedWgsl(cache.grid !== undefined)),
        embedInputs,
        Math.ceil((batch * d) / 256),
      ),
    );
    for (let i = 0; i < c.layers; i++) {
      const [pre, l] = [`blocks.${i}.`, layers[i]];
      this.decode.push(
        lin.linear('store', qkv, x, l.qkv, l.qkvBias, `${pre}ln1`),
        this.command(attention, [y, qkv, caches[i], caches[c.layers + i], this.rows, attnU], batch * heads),
        lin.linear('residual', x, y, l.o, w(`${pre}attn.o.b`)),
        lin.linear('gelu', hidden, x, l.fc, w(`${pre}mlp.fc.b`), `${pre}ln2`),
        lin.linear('residual', x, hidden, l.proj, w(`${pre}mlp.proj.b`)),
      );
    }
    this.decode.push(lin.linear('store', logits, x, head, undefined, 'lnf'));
    const pick = pipeline(b, `decodePick:${c.vocab}`, () => pickWgsl(c.vocab));
    const pickU = this.uniform(new Float32Array([0, options.temperature, options.topP, 0]).buffer, batch);
    this.decode.push(this.command(pick, [this.picked, logits, this.rows, pickU], batch));
    this.pickPrefill = this.command(pick, [this.picked, prefill, this.rows, pickU], batch);

    const leftovers = idle.get(this.device);
    for (const buffer of [...(leftovers?.values() ?? [])].flat()) buffer.destroy();
    leftovers?.clear();
    // tfjs's unsubmitted commands (the prefill, uploads of the buffers above) go first.
    b.ensureCommandEncoderReady();
    b.endComputePassEncoder();
    b.submitQueue();
  }

  /**
   * Queues pick 0, from the prefill's logits, with the rows' uniforms `rands` [B] (0 where unused); read it
   * with read(0).
   */
  submitFirst(rands: Float32Array): void {
    this.submit([...this.setup, this.pickPrefill], undefined, rands);
  }

  /**
   * Queues the decode step that feeds each row's newest token (the last pick's, on the GPU) at `feed`'s
   * positions and slots, then the next pick. Works ahead of read(): the token ids never leave the GPU.
   */
  submitStep(feed: StepFeed, rands: Float32Array): void {
    this.submit(this.decode, feed, rands);
  }

  /** Picks again from the last step's logits with other uniforms (before the next submitStep only). */
  repick(rands: Float32Array): void {
    this.picks--;
    this.submit([this.decode[this.decode.length - 1]], this.lastFeed, rands);
  }

  /** The picks of pick number `n` (0 = from the prefill), once the GPU has made them. */
  async read(n: number): Promise<Picks> {
    if (n >= this.picks || n < this.picks - 2) throw new Error(`GpuDecoder.read(${n}): picks ${this.picks - 2}…${this.picks - 1} are readable`);
    const staging = this.staging[n % 2];
    await staging.mapAsync(READ);
    let out: ArrayBuffer;
    try {
      out = staging.getMappedRange().slice(0);
    } finally {
      staging.unmap(); // a pooled buffer must come back unmapped
    }
    const b = this.batch;
    return { tokens: new Int32Array(out, 0, b), logprobs: new Float32Array(out, 4 * b, b) };
  }

  /**
   * Returns our buffers to the pool for the next call (not the cache nor the weights). Work still queued
   * that uses them runs before any later call's, which is queue-ordered after it.
   */
  dispose(): void {
    let pool = idle.get(this.device);
    if (!pool) idle.set(this.device, (pool = new Map()));
    for (const { buffer, key } of this.owned) pool.set(key, [...(pool.get(key) ?? []), buffer]);
    this.owned.length = 0;
  }

  private submit(commands: Command[], feed: StepFeed | undefined, rands: Float32Array): void {
    const n = this.batch;
    const words = new ArrayBuffer(4 * ROW_WORDS * n);
    const ints = new Int32Array(words);
    const floats = new Float32Array(words);
    for (let i = 0; i < n; i++) {
      if (feed) {
        ints[i * ROW_WORDS] = feed.positions[i];
        ints[i * ROW_WORDS + 1] = feed.slots[i];
      }
      floats[i * ROW_WORDS + 2] = rands[i];
    }
    this.lastFeed = feed;
    // Queue-ordered: work submitted earlier still reads the previous contents.
    this.device.queue.writeBuffer(this.rows, 0, words);
    const encoder = this.device.createCommandEncoder();
    if (!encodeTimed(this.device, encoder, commands)) {
      const pass = encoder.beginComputePass();
      for (const c of commands) {
        pass.setPipeline(c.pipeline);
        pass.setBindGroup(0, c.group);
        pass.dispatchWorkgroups(c.x, c.y);
      }
      pass.end();
    }
    encoder.copyBufferToBuffer(this.picked, 0, this.staging[this.picks % 2], 0, 8 * n);
    this.device.queue.submit([encoder.finish()]);
    this.picks++;
  }

  private buffer(bytes: number, usage: number): GPUBuffer {
    const size = Math.max(16, Math.ceil(bytes / 16) * 16);
    const key = `${size}:${usage}`;
    const buffer = idle.get(this.device)?.get(key)?.pop() ?? this.device.createBuffer({ size, usage });
    this.owned.push({ buffer, key });
    return buffer;
  }

  /** A uniform buffer holding `data`; `rows` (when given) overwrites its first u32 (the pick's row count). */
  private uniform(data: ArrayBuffer, rows?: number): GPUBuffer {
    if (rows !== undefined) new Uint32Array(data)[0] = rows;
    const buffer = this.buffer(data.byteLength, UNIFORM | COPY_DST);
    this.device.queue.writeBuffer(buffer, 0, data);
    return buffer;
  }

  private command(p: GPUComputePipeline, buffers: GPUBuffer[], x: number, y = 1): Command {
    const max = this.device.limits.maxComputeWorkgroupsPerDimension;
    if (x > max || y > max) throw new Error(`GpuDecoder: ${x}×${y} workgroups exceed the device's ${max} per dimension`);
    const group = this.device.createBindGroup({
      layout: p.getBindGroupLayout(0),
      entries: buffers.map((buffer, binding) => ({ binding, resource: { buffer } })),
    });
    return { pipeline: p, group, x, y };
  }
}
