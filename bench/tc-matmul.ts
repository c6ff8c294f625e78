/**
 * Issue 17: the tensor-core matmul (src/webgpu/matmul-tc.ts) against our fp32 kernel and PyTorch, on raw Dawn
 * (no tfjs), at 1024³…4096³ and at the model's shapes — correctness first (spot checks against a float64
 * reference of the f16-rounded operands), then GPU time per product from back-to-back dispatches.
 * Usage on the device: node .device/tc-matmul.mjs [--cases a,b] [--kernels tc,fp32] [--reps 30]
 *   [--tile wm,wn,fm,fn,bk[,double]] [--torch FILE]   (FILE: bench/tc_matmul_reference.py's output from the same call)
 * One JSON line per case and kernel; a case's process can die (the probe's 4096³ crash), so the shell script
 * runs each case in its own process.
 */
import { flags, torchRowsByCase } from './bench-util.ts';
import { defaultTcTile, matmulTcWgsl, parseTcTile, tcThreads, tcTileCols, tcTileRows, tcWorkgroupBytes, type TcTile } from '../src/webgpu/matmul-tc.ts';
import { readFloats, uniform } from './gpu-io.ts';
import { NVIDIA_TC_SHAPE, type MatrixConfig, type TcShape } from '../src/webgpu/tc-shape.ts';
import { tensorCoreShape, TENSOR_CORE_DAWN_OPTIONS, TENSOR_CORE_FEATURES } from '../src/backend/tensor-cores.ts';
import { matmulWgsl } from '../src/webgpu/matmul-wgsl.ts';
import { REDUCE_WGSL, splitK } from '../src/webgpu/matmul-split.ts';
import { f16Round } from '../src/webgpu/f16.ts';

interface Case {
  name: string;
  m: number;
  n: number;
  k: number;
  tA: boolean;
  tB: boolean;
  bias?: boolean;
  addend?: boolean;
  colSum?: boolean;
}

// Model shapes: B·L = 32 × (81 patches + 512 text) = 18,976 rows; small d = 256, base d = 512, MLP 4d.
const ROWS = 32 * (81 + 512);
export const CASES: Case[] = [
  { name: 'edge', m: 100, n: 40, k: 37, tA: false, tB: false, bias: true, addend: true },
  { name: 'edgeTN', m: 70, n: 90, k: 333, tA: true, tB: false, colSum: true },
  { name: 'edgeNT', m: 33, n: 130, k: 65, tA: false, tB: true },
  { name: 'edgeVec', m: 36, n: 132, k: 68, tA: true, tB: false, colSum: true, bias: true },
  { name: 'edgeVecNT', m: 132, n: 20, k: 300, tA: false, tB: true, addend: true },
  { name: 'sq1024', m: 1024, n: 1024, k: 1024, tA: false, tB: false },
  { name: 'sq2048', m: 2048, n: 2048, k: 2048, tA: false, tB: false },
  { name: 'sq4096', m: 4096, n: 4096, k: 4096, tA: false, tB: false },
  { name: 'small.up', m: ROWS, n: 1024, k: 256, tA: false, tB: false, bias: true },
  { name: 'small.down', m: ROWS, n: 256, k: 1024, tA: false, tB: false, bias: true, addend: true },
  { name: 'small.dx', m: ROWS, n: 256, k: 1024, tA: false, tB: true },
  { name: 'small.dW', m: 256, n: 1024, k: ROWS, tA: true, tB: false, colSum: true },
  { name: 'base.up', m: ROWS, n: 2048, k: 512, tA: false, tB: false, bias: true },
  { name: 'base.dx', m: ROWS, n: 512, k: 2048, tA: false, tB: true },
  { name: 'base.dW', m: 512, n: 2048, k: ROWS, tA: true, tB: false, colSum: true },
];

const flag = flags();
const reps = Number(flag('reps', '30'));
const wanted = flag('cases', CASES.map((c) => c.name).join(',')).split(',');
const kernels = flag('kernels', 'tc,fp32').split(',');
const torchPath = flag('torch', '');
const vec = flag('vec', '1') === '1'; // vec4 loads where the contiguous dimension allows (--vec 0: scalar loads)

type Dawn = { create(options: string[]): GPU; globals: Record<string, unknown> };
const dawn = (await import('webgpu')) as unknown as Dawn;
Object.assign(globalThis, dawn.globals);
// ASYMFLOW_WEBGPU_DAWN=backend=opengles: the fp32 kernel on Mesa (this harness's own check off the GPU machine).
const gles = process.env.ASYMFLOW_WEBGPU_DAWN === 'backend=opengles';
const gpu = dawn.create(gles ? ['backend=opengles'] : TENSOR_CORE_DAWN_OPTIONS);
const adapter = (await gpu.requestAdapter((gles ? { featureLevel: 'compatibility' } : { powerPreference: 'high-performance' }) as GPURequestAdapterOptions))!;
const missing = TENSOR_CORE_FEATURES.filter((f) => !adapter.features.has(f));
const info = adapter.info as GPUAdapterInfo & { subgroupMatrixConfigs?: MatrixConfig[] };
// The adapter's fragments (16×16 on NVIDIA, 8×8 on lavapipe); NVIDIA's where it has none (the fp32 kernel alone runs).
const offered = tensorCoreShape(adapter);
const shape: TcShape = typeof offered === 'string' ? NVIDIA_TC_SHAPE : offered;
const tile: TcTile = flag('tile', '') ? parseTcTile(flag('tile', ''), shape) : defaultTcTile(shape);
console.log(
  JSON.stringify({
    adapter: info.device || info.description,
    missing,
    configs: info.subgroupMatrixConfigs?.length ?? 0,
    maxWorkgroupStorage: adapter.limits.maxComputeWorkgroupStorageSize,
    shape: typeof offered === 'string' ? offered : shape,
    tile,
    threads: tcThreads(tile, shape),
  }),
);
const device = await adapter.requestDevice({
  requiredFeatures: kernels.includes('tc') ? TENSOR_CORE_FEATURES : [],
  requiredLimits: {
    maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize,
    maxBufferSize: adapter.limits.maxBufferSize,
    maxComputeWorkgroupStorageSize: adapter.limits.maxComputeWorkgroupStorageSize,
    maxComputeInvocationsPerWorkgroup: adapter.limits.maxComputeInvocationsPerWorkgroup,
    maxComputeWorkgroupSizeX: adapter.limits.maxComputeWorkgroupSizeX,
  },
});
let gpuError = '';
device.addEventListener('uncapturederror', (e) => {
  gpuError ||= (e as GPUUncapturedErrorEvent).error.message;
});

const torch = torchRowsByCase(torchPath);

const pipelines = new Map<string, GPUComputePipeline>();
async function pipelineOf(name: string, code: () => string): Promise<GPUComputePipeline> {
  let p = pipelines.get(name);
  if (!p) {
    const module = device.createShaderModule({ code: code() });
    for (const m of (await module.getCompilationInfo()).messages) if (m.type !== 'info') console.log(`wgsl ${name} ${m.type} ${m.lineNum}: ${m.message}`);
    p = device.createComputePipeline({ layout: 'auto', compute: { module, entryPoint: 'main' } });
    pipelines.set(name, p);
  }
  return p;
}

const usage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC;
const bufferOf = (data: Float32Array<ArrayBuffer> | Uint32Array<ArrayBuffer>, extra = 0) => {
  const buffer = device.createBuffer({ size: Math.max(16, data.byteLength), usage: usage | extra });
  device.queue.writeBuffer(buffer, 0, data);
  return buffer;
};

async function runCase(c: Case, kernel: string): Promise<Record<string, unknown>> {
  const [rows, cols] = kernel === 'tc' ? [tcTileRows(tile, shape), tcTileCols(tile, shape)] : [128, 64];
  const bytes = tcWorkgroupBytes(tile, shape, c.tA, c.tB);
  if (kernel === 'tc' && bytes > adapter.limits.maxComputeWorkgroupStorageSize) {
    return { skipped: `workgroup memory ${bytes} > ${adapter.limits.maxComputeWorkgroupStorageSize}` };
  }
  const tilesN = Math.ceil(c.n / cols);
  const tilesMN = Math.ceil(c.m / rows) * tilesN;
  const { splits, kChunk } = splitK(tilesMN, c.k, kernel === 'tc' ? tile.bk : 16);
  const a = uniform(c.m * c.k, 1),
    b = uniform(c.k * c.n, 2),
    bias = uniform(c.n, 3),
    addend = c.addend ? uniform(c.m * c.n, 4) : new Float32Array(4);
  const total = tilesMN * splits;
  const U = new Uint32Array([
    c.m,
    c.n,
    c.k,
    kChunk,
    0,
    0,
    tilesN,
    tilesMN,
    1,
    splits,
    c.bias && splits === 1 ? 1 : 0,
    total,
    c.addend && splits === 1 ? 1 : 0,
    c.colSum ? 1 : 0,
    0,
    0,
  ]);
  const bufs = {
    a: bufferOf(a),
    b: bufferOf(b),
    bias: bufferOf(bias),
    addend: bufferOf(addend),
    u: bufferOf(U, GPUBufferUsage.UNIFORM),
    out: bufferOf(new Float32Array(c.m * c.n)),
    part: bufferOf(new Float32Array(splits > 1 ? splits * c.m * c.n : 4)),
    csum: bufferOf(new Float32Array(c.n)),
    csumPart: bufferOf(new Float32Array(splits * c.n)),
    ru: bufferOf(new Uint32Array([c.m * c.n, c.n, splits, c.bias ? 1 : 0, c.addend ? 1 : 0, c.colSum ? 1 : 0, 0, 0]), GPUBufferUsage.UNIFORM),
  };
  const [vecA, vecB] = vec ? [(c.tA ? c.m : c.k) % 4 === 0, (c.tB ? c.k : c.n) % 4 === 0] : [false, false];
  const name = `${kernel}${c.tA ? 'T' : 'N'}${c.tB ? 'T' : 'N'}${+vecA}${+vecB}`;
  const main = await pipelineOf(name, () => (kernel === 'tc' ? matmulTcWgsl(c.tA, c.tB, tile, shape, vecA, vecB) : matmulWgsl(c.tA, c.tB, 8, 4)));
  const reduce = await pipelineOf('reduce', () => REDUCE_WGSL);
  const target = splits > 1 ? bufs.part : bufs.out;
  const mainGroup = device.createBindGroup({
    layout: main.getBindGroupLayout(0),
    entries: [target, bufs.a, bufs.b, bufs.bias, bufs.addend, bufs.u, splits > 1 ? bufs.csumPart : bufs.csum].map((buffer, binding) => ({
      binding,
      resource: { buffer },
    })),
  });
  const reduceGroup =
    splits > 1
      ? device.createBindGroup({
          layout: reduce.getBindGroupLayout(0),
          entries: [bufs.out, bufs.part, bufs.bias, bufs.addend, bufs.ru, bufs.csum, bufs.csumPart].map((buffer, binding) => ({
            binding,
            resource: { buffer },
          })),
        })
      : undefined;
  const maxX = device.limits.maxComputeWorkgroupsPerDimension;
  const record = (enc: GPUCommandEncoder) => {
    const pass = enc.beginComputePass();
    pass.setPipeline(main);
    pass.setBindGroup(0, mainGroup);
    pass.dispatchWorkgroups(Math.min(total, maxX), Math.ceil(total / maxX));
    if (reduceGroup) {
      const groups = Math.ceil((c.m * c.n + (c.colSum ? c.n : 0)) / 256);
      pass.setPipeline(reduce);
      pass.setBindGroup(0, reduceGroup);
      pass.dispatchWorkgroups(Math.min(groups, maxX), Math.ceil(groups / maxX));
    }
    pass.end();
  };
  const submit = async (n: number) => {
    const enc = device.createCommandEncoder();
    for (let i = 0; i < n; i++) record(enc);
    device.queue.submit([enc.finish()]);
    await device.queue.onSubmittedWorkDone();
  };
  await submit(1);
  const out = await readFloats(device, bufs.out, c.m * c.n);
  const round = kernel === 'tc' ? f16Round : (x: number) => x;
  let worst = 0,
    worstFp32 = 0;
  for (let t = 0; t < 256; t++) {
    const i = (t * 7919 + 13) % c.m,
      j = (t * 104729 + 7) % c.n;
    let s = 0,
      s32 = 0,
      mag = 0;
    for (let kk = 0; kk < c.k; kk++) {
      const av = c.tA ? a[kk * c.m + i] : a[i * c.k + kk];
      const bv = c.tB ? b[j * c.k + kk] : b[kk * c.n + j];
      s += round(av) * round(bv);
      s32 += av * bv;
      mag += Math.abs(av * bv);
    }
    const extra = (c.bias ? bias[j] : 0) + (c.addend ? addend[i * c.n + j] : 0);
    worst = Math.max(worst, Math.abs(out[i * c.n + j] - (s + extra)) / (mag + 1e-3));
    worstFp32 = Math.max(worstFp32, Math.abs(out[i * c.n + j] - (s32 + extra)) / (mag + 1e-3));
  }
  let colSumErr = 0;
  if (c.colSum) {
    const cs = await readFloats(device, bufs.csum, c.n);
    for (let j = 0; j < c.n; j += Math.max(1, Math.floor(c.n / 64))) {
      let s = 0,
        mag = 0;
      for (let kk = 0; kk < c.k; kk++) {
        s += b[kk * c.n + j];
        mag += Math.abs(b[kk * c.n + j]);
      }
      colSumErr = Math.max(colSumErr, Math.abs(cs[j] - s) / mag); // f32 sums in another order: ~1e-7 of Σ|b|
    }
  }
  await submit(3);
  const t0 = performance.now();
  await submit(reps);
  const ms = (performance.now() - t0) / reps;
  for (const buffer of Object.values(bufs)) buffer.destroy();
  const tflops = (2 * c.m * c.n * c.k) / (ms * 1e9);
  const ref = torch.get(c.name);
  return {
    vec: `${+vecA}${+vecB}`,
    splits,
    ms: +ms.toFixed(4),
    tflops: +tflops.toFixed(1),
    relErr: +worst.toExponential(2),
    relErrVsFp32: +worstFp32.toExponential(2),
    colSumErr: c.colSum ? +colSumErr.toExponential(2) : undefined,
    ok: worst < 1e-5 && colSumErr < 1e-5 && !gpuError,
    ...(ref ? { vsTorchFp32: +(ms / ref.fp32_ms).toFixed(3), vsTorchBf16: +(ms / ref.bf16_ms).toFixed(3), vsTorchFp16: +(ms / ref.fp16_ms).toFixed(3) } : {}),
  };
}

for (const c of CASES.filter((x) => wanted.includes(x.name))) {
  for (const kernel of kernels) {
    if (kernel === 'tc' && missing.length) {
      console.log(JSON.stringify({ case: c.name, kernel, skipped: `adapter lacks ${missing.join(', ')}` }));
      continue;
    }
    gpuError = '';
    try {
      const tiled = kernel === 'tc' ? { tile: flag('tile', '') || 'default' } : {};
      console.log(JSON.stringify({ case: c.name, kernel, ...tiled, m: c.m, n: c.n, k: c.k, ...(await runCase(c, kernel)), gpuError: gpuError || undefined }));
    } catch (err) {
      console.log(JSON.stringify({ case: c.name, kernel, error: (err as Error).message.split('\n')[0] }));
    }
  }
}
device.destroy();
process.exit(0);
