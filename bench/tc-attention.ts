/**
 * Issue 17: the tensor-core attention (src/webgpu/attention-tc*.ts) against our fp32 attention kernels and
 * PyTorch's scaled_dot_product_attention, on raw Dawn (no tfjs), at the model's shapes — the forward, dQ and dK/dV
 * kernels each timed from back-to-back dispatches, after a correctness check of the tensor-core outputs against
 * the fp32 kernels' on the same inputs (normwise, f16 operands: ~1e-3 expected; the element-wise bounds are
 * test/lavapipe's).
 * Usage on the device: node .device/tc-attention.mjs [--cases small,base] [--kernels fp32,tc] [--reps 20]
 *   [--tiles sg,tk/sg,tk] (tensor-core tiles to try instead of the first that fits) [--torch FILE]
 *   (FILE: bench/tc_attention_reference.py's output from the same call). One JSON line per case and kernel.
 */
import { flags, normwise, torchRowsByCase } from './bench-util.ts';
import { readFloats, uniform } from './gpu-io.ts';
import { forwardWgsl, ROWS } from '../src/webgpu/attention-wgsl.ts';
import { dkdvBalancedWgsl, dqPairedWgsl } from '../src/webgpu/attention-backward-wgsl.ts';
import { forwardTcWgsl } from '../src/webgpu/attention-tc-forward-wgsl.ts';
import { dkdvTcWgsl, dqTcWgsl } from '../src/webgpu/attention-tc-backward-wgsl.ts';
import { tcAttentionLayout, tcAttentionTile, tcAttentionTileGap, type TcAttentionKind, type TcAttentionTile } from '../src/webgpu/attention-tc-layout.ts';
import { tensorCoreShape, TENSOR_CORE_DAWN_OPTIONS, TENSOR_CORE_FEATURES } from '../src/backend/tensor-cores.ts';

interface Case {
  name: string;
  batch: number;
  l: number;
  heads: number;
  dh: number;
  prefix: number;
}

// The model's training batch: 32 rows of 81 image patches + 512 text tokens; small 4 heads, base 8, of 64.
export const CASES: Case[] = [
  { name: 'small', batch: 32, l: 593, heads: 4, dh: 64, prefix: 81 },
  { name: 'base', batch: 32, l: 593, heads: 8, dh: 64, prefix: 81 },
  { name: 'tiny', batch: 32, l: 593, heads: 2, dh: 32, prefix: 81 },
  { name: 'long', batch: 4, l: 4096, heads: 8, dh: 64, prefix: 256 },
  // Off the device (lavapipe: `.lavapipe/run npx tsx bench/tc-attention.ts --cases check`), that the harness runs.
  { name: 'check', batch: 2, l: 70, heads: 2, dh: 32, prefix: 13 },
];

const flag = flags();
const reps = Number(flag('reps', '20'));
const wanted = flag('cases', 'small,base').split(',');
const kernels = flag('kernels', 'fp32,tc').split(','); // fp32 first: the tensor-core outputs are checked against it
const tileSpecs = flag('tiles', '').split('/').filter(Boolean);
const torchPath = flag('torch', '');

type Dawn = { create(options: string[]): GPU; globals: Record<string, unknown> };
const dawn = (await import('webgpu')) as unknown as Dawn;
Object.assign(globalThis, dawn.globals);
const gpu = dawn.create(TENSOR_CORE_DAWN_OPTIONS);
const adapter = (await gpu.requestAdapter({ powerPreference: 'high-performance' }))!;
const missing = TENSOR_CORE_FEATURES.filter((f) => !adapter.features.has(f));
const info = adapter.info;
const shape = tensorCoreShape(adapter);
const device = await adapter.requestDevice({
  requiredFeatures: missing.length === 0 ? TENSOR_CORE_FEATURES : [],
  requiredLimits: {
    maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize,
    maxBufferSize: adapter.limits.maxBufferSize,
    maxComputeWorkgroupStorageSize: adapter.limits.maxComputeWorkgroupStorageSize,
    maxStorageBuffersPerShaderStage: adapter.limits.maxStorageBuffersPerShaderStage,
  },
});
const limit = device.limits.maxComputeWorkgroupStorageSize;
console.log(JSON.stringify({ adapter: info.device || info.description, missing, shape, maxWorkgroupStorage: limit }));
let gpuError = '';
device.addEventListener('uncapturederror', (e) => {
  gpuError ||= (e as GPUUncapturedErrorEvent).error.message;
});

const torch = torchRowsByCase(torchPath);

const usage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC;
const upload = (data: Float32Array<ArrayBuffer> | ArrayBuffer, extra = 0, size = data.byteLength) => {
  const buffer = device.createBuffer({ size: Math.max(16, Math.ceil(size / 16) * 16), usage: extra || usage });
  device.queue.writeBuffer(buffer, 0, data);
  return buffer;
};

/** The uniforms (attention-wgsl.ts's struct U) for blocks of `rows`, and the workgroup count. */
function uniforms(c: Case, rows: number) {
  const blocks = Math.ceil(c.l / rows);
  const total = c.batch * c.heads * blocks;
  const data = new ArrayBuffer(32);
  new Uint32Array(data, 0, 6).set([c.l, c.heads, c.prefix, blocks, total, 1]);
  new Float32Array(data, 24, 1)[0] = 1 / Math.sqrt(c.dh);
  return { buffer: upload(data, GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST), total };
}

type Step = { pipeline: GPUComputePipeline; group: GPUBindGroup; total: number };
function step(code: string, buffers: GPUBuffer[], rows: number, c: Case): Step {
  const module = device.createShaderModule({ code });
  const pipeline = device.createComputePipeline({ layout: 'auto', compute: { module, entryPoint: 'main' } });
  const u = uniforms(c, rows);
  const entries = [...buffers, u.buffer].map((buffer, binding) => ({ binding, resource: { buffer } }));
  return { pipeline, group: device.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries }), total: u.total };
}

async function time(s: Step, n: number): Promise<number> {
  const maxX = device.limits.maxComputeWorkgroupsPerDimension;
  const enc = device.createCommandEncoder();
  const pass = enc.beginComputePass();
  for (let i = 0; i < n; i++) {
    pass.setPipeline(s.pipeline);
    pass.setBindGroup(0, s.group);
    pass.dispatchWorkgroups(Math.min(s.total, maxX), Math.ceil(s.total / maxX));
  }
  pass.end();
  const t0 = performance.now();
  device.queue.submit([enc.finish()]);
  await device.queue.onSubmittedWorkDone();
  return (performance.now() - t0) / n;
}

const reference = new Map<string, Float32Array[]>(); // case → the fp32 kernels' O, dQ, dK, dV

/** One case on one kernel family: outputs checked against fp32's (when it ran first), then ms per kernel. */
async function runCase(c: Case, kernel: string, tiles?: Record<TcAttentionKind, TcAttentionTile>): Promise<Record<string, unknown>> {
  const n = c.batch * c.l * c.heads * c.dh;
  const rowsLse = c.batch * c.heads * c.l;
  const [q, k, v, dout] = [1, 2, 3, 4].map((s) => upload(uniform(n, s, s === 4 ? 0.5 : 2.4)));
  const kb = upload(Float32Array.from({ length: c.batch * c.l }, (_, i) => (i % c.l >= c.l - 16 ? -1e4 : 0))); // 16 padding keys a row
  const [o, lse, dq, dsum, dk, dv] = [n, rowsLse, n, rowsLse, n, n].map((size) => upload(new Float32Array(size)));
  const tc = kernel === 'tc' && tiles && typeof shape !== 'string';
  const rows = (kind: TcAttentionKind) => (tc ? tcAttentionLayout(kind, shape, c.dh, tiles[kind]).rows : ROWS);
  const code = {
    forward: tc ? forwardTcWgsl(shape, c.dh, tiles.forward) : forwardWgsl(c.dh / 4, 16),
    dq: tc ? dqTcWgsl(shape, c.dh, tiles.dq) : dqPairedWgsl(c.dh / 4, 16),
    dkdv: tc ? dkdvTcWgsl(shape, c.dh, tiles.dkdv) : dkdvBalancedWgsl(c.dh / 4, 16),
  };
  const steps = {
    forward: step(code.forward, [o!, lse!, q!, k!, v!, kb], rows('forward'), c),
    dq: step(code.dq, [dq!, dsum!, q!, k!, v!, o!, dout!, lse!, kb], rows('dq'), c),
    dkdv: step(code.dkdv, [dk!, dv!, q!, k!, v!, dout!, lse!, dsum!, kb], rows('dkdv'), c),
  };
  for (const s of [steps.forward, steps.dq, steps.dkdv]) await time(s, 1);
  const outs = await Promise.all([o!, dq!, dk!, dv!].map((b) => readFloats(device, b, n)));
  if (kernel === 'fp32') reference.set(c.name, outs);
  const ref = reference.get(c.name);
  const apart = ref ? outs.map((x, i) => +normwise(x, ref[i]!).toExponential(2)) : undefined;
  const ms: Record<string, number> = {};
  for (const [name, s] of Object.entries(steps)) {
    await time(s, 3);
    ms[name] = +(await time(s, reps)).toFixed(4);
  }
  const total = ms.forward! + ms.dq! + ms.dkdv!;
  for (const b of [q, k, v, dout, kb, o, lse, dq, dsum, dk, dv]) b!.destroy();
  const t = torch.get(c.name);
  return {
    ms,
    total: +total.toFixed(4),
    ...(apart ? { normwiseVsFp32: { o: apart[0], dq: apart[1], dk: apart[2], dv: apart[3] }, ok: apart.every((x) => x < 2 ** -8) && !gpuError } : {}),
    ...(t
      ? {
          fwdVsTorchBf16: +(ms.forward! / t.bf16_fwd_ms!).toFixed(3),
          totalVsTorchBf16: +(total / t.bf16_fwdbwd_ms!).toFixed(3),
          totalVsTorchFp32: +(total / t.fp32_fwdbwd_ms!).toFixed(3),
        }
      : {}),
  };
}

function tilesOf(c: Case, spec?: string): Record<TcAttentionKind, TcAttentionTile> | string {
  if (typeof shape === 'string') return shape;
  const pick = (kind: TcAttentionKind): TcAttentionTile | string => {
    const first = tcAttentionTile(kind, shape, c.dh, limit);
    if (!first) return `no ${kind} tile fits ${limit} bytes`;
    if (!spec) return first;
    const [sg, tk] = spec.split(',').map(Number) as [number, number];
    const t = { ...first, sg, tk };
    return tcAttentionTileGap(kind, shape, c.dh, t, limit) ?? t;
  };
  const [forward, dq, dkdv] = (['forward', 'dq', 'dkdv'] as const).map(pick);
  for (const t of [forward, dq, dkdv]) if (typeof t === 'string') return t;
  return { forward, dq, dkdv } as Record<TcAttentionKind, TcAttentionTile>;
}

for (const c of CASES.filter((x) => wanted.includes(x.name))) {
  for (const kernel of kernels) {
    for (const spec of kernel === 'tc' ? (tileSpecs.length ? tileSpecs : [undefined]) : [undefined]) {
      gpuError = '';
      const head = { case: c.name, kernel, b: c.batch, l: c.l, h: c.heads, dh: c.dh };
      const tiles = kernel === 'tc' ? tilesOf(c, spec) : undefined;
      if (kernel === 'tc' && (missing.length || typeof tiles === 'string')) {
        console.log(JSON.stringify({ ...head, skipped: missing.length ? `adapter lacks ${missing.join(', ')}` : tiles }));
        continue;
      }
      try {
        const t = tiles as Record<TcAttentionKind, TcAttentionTile> | undefined;
        console.log(JSON.stringify({ ...head, tiles: t, ...(await runCase(c, kernel, t)), gpuError: gpuError || undefined }));
      } catch (err) {
        console.log(JSON.stringify({ ...head, error: (err as Error).message.split('\n')[0] }));
      }
    }
  }
}
device.destroy();
process.exit(0);
