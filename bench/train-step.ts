/**
 * One training step (forward + backward + AdamW) of the VLM at a named size, fp32, in the shape of
 * ../shared/bench/torch_reference.py: batch 32, P image patches + 512 text tokens. Prints one JSON line with
 * ms per step, tokens/s and, with --torch <file of the reference's output>, the ratio to PyTorch.
 *
 *   node .device/train-step.mjs --size small --backend webgpu --torch $OUT/torch-small.jsonl [--profile 1] [--memory-every 50] [--queue 2]
 *
 * --queue N: steps queued before the oldest is awaited (trainStep queues a whole step before its first await);
 * 1 awaits each step's loss before starting the next, 2 keeps one step in flight, as the PyTorch reference does
 * (it never reads the loss inside its timed loop). encode_ms is the time trainStep takes to return its promise:
 * the CPU side of a step (on webgpu the GPU runs what was already submitted meanwhile).
 */
import * as tf from '@tensorflow/tfjs';
import { AdamW } from '../src/model/adamw.ts';
import { resolveBackend } from '../src/backend/index.ts';
import { patchCount } from '../src/model/config.ts';
import { prepareBatch, type ScoreRow } from '../src/model/logprobs.ts';
import { promptTokens } from '../src/prompt.ts';
import { trainStep, type StepResult } from '../src/model/train.ts';
import { lossScaleOf } from '../src/model/loss-scale.ts';
import { bindCacheStats, ourKernelTimes, timeOurKernels } from '../src/webgpu/index.ts';
import { createVlm, parameterCount } from '../src/model/vlm.ts';
import { Rng } from '../src/rng.ts';
import { VOCAB_SIZE } from '../src/tokenizer.ts';
import { benchConfig, flags, round, torchFlags, torchLine } from './bench-util.ts';

const arg = flags();
const size = arg('size', 'small');
const config = benchConfig(size);
const batch = Number(arg('batch', '32'));
const text = Number(arg('text', '512'));
// The prompt takes one 64-column bucket; an empty response has no tokens to average over (loss NaN).
if (!Number.isInteger(text) || text <= 64)
  throw new Error(`train-step: --text must be an integer above 64 (a 64-column prompt bucket + the response), got ${arg('text', '512')}`);
const steps = Number(arg('steps', '10'));
const warmup = Number(arg('warmup', '3'));
const backend = await resolveBackend(arg('backend', ''), { precision: arg('precision', 'fp32') });

// Prompt of 16 tokens (one 64-column bucket) + a response filling the rest: text columns = `text`.
const rng = new Rng('train-step-bench');
const prompt = promptTokens('x'.repeat(14)); // BOS + 14 + EOS = 16 tokens
const responseLength = text - 64;
const rows: ScoreRow[] = Array.from({ length: batch }, () => ({
  pixels: Float32Array.from({ length: config.inputSize ** 2 }, () => rng.next()),
  prompt,
  response: Int32Array.from({ length: responseLength }, () => 4 + rng.int(VOCAB_SIZE - 4)),
}));
const prepared = prepareBatch(config, rows); // built once: the bench measures the step, not the layout
const model = createVlm(config, 0);
const optimizer = new AdamW(model.params, { lr: 3e-4, weightDecay: 0, clipNorm: 0 }); // torch: plain Adam
const lossFn = (out: { logp: tf.Tensor2D; mask: tf.Tensor2D }) => tf.div(tf.neg(tf.sum(tf.mul(out.logp, out.mask))), tf.sum(out.mask)) as tf.Scalar;

let loss = NaN;
for (let i = 0; i < warmup; i++) loss = (await trainStep(model, optimizer, prepared, lossFn)).loss;
const tensorsBefore = tf.memory().numTensors;
// --memory-every N: tensors, live bytes and (webgpu) bytes the buffer pool holds, every N timed steps.
const memoryEvery = Number(arg('memory-every', '0'));
const memory: { step: number; tensors: number; bytes: number; gpu_bytes_allocated?: number }[] = [];
const sampleMemory = (step: number) => {
  const mem = tf.memory() as tf.MemoryInfo & { numBytesAllocatedInGPU?: number };
  memory.push({ step, tensors: mem.numTensors, bytes: mem.numBytes, gpu_bytes_allocated: mem.numBytesAllocatedInGPU });
};
const queue = Number(arg('queue', '1'));
if (!Number.isInteger(queue) || queue < 1) throw new Error(`train-step: --queue must be an integer ≥ 1, got ${arg('queue', '1')}`);
const inFlight: Promise<StepResult>[] = [];
let encodeMs = 0;
const cpu0 = process.cpuUsage();
const t0 = performance.now();
for (let i = 0; i < steps; i++) {
  const e0 = performance.now();
  inFlight.push(trainStep(model, optimizer, prepared, lossFn));
  encodeMs += performance.now() - e0;
  const last = i === steps - 1;
  while (inFlight.length >= queue || (last && inFlight.length > 0)) loss = (await inFlight.shift()!).loss;
  if (memoryEvery > 0 && (i % memoryEvery === 0 || i === steps - 1)) sampleMemory(i + 1);
}
const ms = (performance.now() - t0) / steps;
const cpu = process.cpuUsage(cpu0);
const tokens = batch * (patchCount(config) + prepared.promptColumns + prepared.responseColumns);
const torch = torchLine(arg('torch', ''), 'train_step');
const torchBf16 = torchLine(arg('torch-bf16', ''), 'train_step'); // torch_reference.py --mode bf16 (autocast)
// --profile: one more step under tf.profile (kernel timestamps on webgpu): where the time goes, for issue 9.
let profile: Record<string, unknown> | undefined;
if (arg('profile', '') === '1') {
  const wall0 = performance.now();
  timeOurKernels(backend.name === 'webgpu');
  const info = await tf.profile(async () => {
    await trainStep(model, optimizer, prepared, lossFn);
    return [];
  });
  const wall = performance.now() - wall0;
  const byKernel = new Map<string, { n: number; ms: number }>();
  let kernelMs = 0;
  for (const k of info.kernels) {
    const t = typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
    kernelMs += t;
    const e = byKernel.get(k.name) ?? { n: 0, ms: 0 };
    byKernel.set(k.name, { n: e.n + 1, ms: e.ms + t });
  }
  const top = [...byKernel]
    .sort((a, b) => b[1].ms - a[1].ms)
    .slice(0, 8)
    .map(([name, e]) => `${name}×${e.n} ${round(e.ms, 1)}ms`);
  // Every tfjs kernel call by name, most frequent first: the CPU side of the step (Mesa's GLES path has no timestamps).
  const counts = Object.fromEntries([...byKernel].sort((a, b) => b[1].n - a[1].n).map(([name, e]) => [name, e.n]));
  // Our WGSL dispatches (webgpu): those inside a tfjs kernel (matmul, Sum, segment sum) are in kernel_ms
  // already; ours_outside_ms (attention, LayerNorm, GELU, AdamW, Σg², …) adds to it for the step's GPU time.
  const ours = await ourKernelTimes();
  timeOurKernels(false);
  const oursTop = [...ours.byName]
    .sort((a, b) => b[1].ms - a[1].ms)
    .slice(0, 16)
    .map(([name, e]) => `${name}×${e.n} ${round(e.ms, 1)}ms`);
  // Every one of our dispatches by name (ours_top keeps only the 16 slowest): dispatch counts on GLES, where all times are 0.
  const oursCounts = Object.fromEntries([...ours.byName].sort((a, b) => b[1].n - a[1].n).map(([name, e]) => [name, e.n]));
  const oursDispatches = [...ours.byName.values()].reduce((n, e) => n + e.n, 0);
  profile = {
    kernels: info.kernels.length,
    kernel_ms: round(kernelMs, 1),
    profiled_wall_ms: round(wall, 1),
    top,
    counts,
    ours_ms: round(ours.totalMs, 1),
    ours_outside_ms: round(ours.outsideMs, 1),
    gpu_ms: round(kernelMs + ours.outsideMs, 1),
    ours_top: oursTop,
    ours_dispatches: oursDispatches,
    ours_counts: oursCounts,
  };
}
console.log(
  JSON.stringify({
    ref: 'tfjs',
    what: 'train_step',
    size,
    backend: backend.name,
    device: backend.device,
    precision: backend.precision,
    loss_scale: lossScaleOf(optimizer)?.scale,
    params: parameterCount(config),
    batch,
    text: prepared.promptColumns + prepared.responseColumns,
    patches: patchCount(config),
    ms: round(ms),
    queue,
    encode_ms: round(encodeMs / steps),
    cpu_ms: round((cpu.user + cpu.system) / 1000 / steps),
    tokens_per_s: Math.round((tokens / ms) * 1000),
    loss: round(loss, 4),
    torch_ms: torch?.ms,
    ratio: torch ? round(ms / torch.ms, 2) : undefined,
    torch_bf16_ms: torchBf16?.ms,
    ratio_bf16: torchBf16 ? round(ms / torchBf16.ms, 2) : undefined,
    bind_groups: backend.name === 'webgpu' ? { ...bindCacheStats } : undefined,
    tensors_leaked_per_step: (tf.memory().numTensors - tensorsBefore) / steps,
    gpu_errors: backend.gpuErrors().length,
    torch_flags: torchFlags(config, batch, text, 256),
    profile,
    memory: memoryEvery > 0 ? memory : undefined,
  }),
);
await backend.dispose();
