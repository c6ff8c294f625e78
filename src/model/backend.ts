/**
 * Backend resolution (DESIGN §4): `--backend`, else `ASYMFLOW_BACKEND`, else auto in the order
 * tensorflow (tfjs-node-gpu / tfjs-node, only when installed and loadable) → webgpu (Dawn through the
 * `webgpu` package, only when a hardware adapter exists) → wasm → cpu. Resolved once per process; the
 * choice and the device are reported through `log` (stderr by default).
 *
 * Dawn keeps the process alive while its GPU object is referenced, so `dispose()` destroys the device and
 * drops `navigator.gpu`; call it before exit.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { installGradientPatches } from './grad-patches.ts';
import { installKernelPatches } from './kernel-patches.ts';
import { setFusedOptimizer } from './webgpu-fused.ts';
import { setFusedAttention, setPairedDq } from './webgpu-attention.ts';
import { setBindCache } from './webgpu-bindings.ts';
import { setPackedUpdate } from './guarded-update.ts';
import { installColumnSum } from './webgpu-colsum.ts';
import { setFusedEmbed } from './webgpu-embed.ts';
import { setBiasGradInMatmul, setFusedLinear } from './webgpu-linear.ts';
import { setFusedLogprobs } from './webgpu-logprobs.ts';
import { DEFAULT_MATMUL_TILE, installMatmul } from './webgpu-matmul.ts';
import { installSegmentSum, setSegmentCompact } from './webgpu-segment-sum.ts';
import { installWriteBufferUploads } from './webgpu-upload.ts';
import { mixedPrecision, setMixedPrecision } from './loss-scale.ts';
import { parsePrecision, tensorCoreGap, TENSOR_CORE_DAWN_OPTIONS, TENSOR_CORE_FEATURES, type Precision } from './tensor-cores.ts';
import { DEFAULT_TC_TILE, parseTcTile } from './webgpu-matmul-tc.ts';

export const BACKEND_NAMES = ['tensorflow', 'webgpu', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];
export type BackendRequest = 'auto' | BackendName;

export interface ResolvedBackend {
  readonly name: BackendName;
  /** Adapter / device description, e.g. 'NVIDIA H100 80GB HBM3 (vulkan)' or 'cpu'. */
  readonly device: string;
  /** 'mixed' only where the tensor-core matmuls are in use (webgpu with subgroup matrices); else 'fp32'. */
  readonly precision: Precision;
  /**
   * WebGPU validation / out-of-memory errors since the backend started. tfjs-webgpu batches dispatches into
   * command buffers; one invalid pipeline makes the whole buffer fail to submit, so every kernel in it keeps
   * stale pool memory as output — a step with any error here is garbage (see bench/nan-repro.ts).
   */
  gpuErrors(): readonly string[];
  /** Throws a BackendError naming the first GPU error, if any happened since the last call. */
  throwIfGpuErrors(where: string): void;
  dispose(): Promise<void>;
}

export interface ResolveOptions {
  /** Environment to read ASYMFLOW_BACKEND / ASYMFLOW_WEBGPU_* from (default process.env). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Receives the one `backend: <name> (<device>)` line; default writes it to stderr. */
  readonly log?: (line: string) => void;
  /** `--precision`: fp32 (default) or mixed (f16 tensor-core matmuls); else ASYMFLOW_PRECISION. */
  readonly precision?: string;
}

/** --verbose sets ASYMFLOW_VERBOSE=1: library banners are shown. */
export const isVerbose = (env: Readonly<Record<string, string | undefined>> = process.env): boolean => env.ASYMFLOW_VERBOSE === '1';

export class BackendError extends Error {
  override readonly name = 'BackendError';
}

/** Validates a backend name from a flag or the environment; `source` names where it came from. */
export function parseBackendRequest(value: string, source: string): BackendRequest {
  const v = value.trim().toLowerCase();
  if (v === 'auto' || (BACKEND_NAMES as readonly string[]).includes(v)) return v as BackendRequest;
  throw new BackendError(`${source}: unknown backend '${value}'; known: auto, ${BACKEND_NAMES.join(', ')}`);
}

/** The request in force: the explicit one (a `--backend` flag), else ASYMFLOW_BACKEND, else auto. */
export function requestedBackend(
  requested: string | undefined,
  env: Readonly<Record<string, string | undefined>> = process.env,
): BackendRequest {
  if (requested !== undefined && requested !== '') return parseBackendRequest(requested, '--backend');
  const fromEnv = env.ASYMFLOW_BACKEND;
  if (fromEnv !== undefined && fromEnv !== '') return parseBackendRequest(fromEnv, 'ASYMFLOW_BACKEND');
  return 'auto';
}

let active: ResolvedBackend | undefined;

/**
 * Resolves and activates the backend. An explicit name that cannot be used throws a BackendError saying
 * why; auto falls through to the next candidate. Calling again returns the backend already active when it
 * satisfies the request, else disposes it and resolves anew.
 */
export async function resolveBackend(requested?: string, options: ResolveOptions = {}): Promise<ResolvedBackend> {
  const env = options.env ?? process.env;
  const log = options.log ?? ((line: string) => process.stderr.write(line + '\n'));
  const request = requestedBackend(requested, env);
  if (!isVerbose(env)) tf.env().set('PROD', true); // quiet startup: PROD only silences tfjs's warn/log calls (tfjs 4.22)
  const precision = options.precision ? parsePrecision(options.precision, '--precision') : parsePrecision(env.ASYMFLOW_PRECISION || 'fp32', 'ASYMFLOW_PRECISION');
  if (active && (request === 'auto' || request === active.name) && (precision === 'fp32' || active.precision === 'mixed')) return active;
  if (active) await active.dispose();

  const order: readonly BackendName[] = request === 'auto' ? BACKEND_NAMES : [request];
  const reasons: string[] = [];
  for (const name of order) {
    try {
      const backend = await activate(name, env, request === 'auto', precision);
      active = backend;
      log(`backend: ${backend.name} (${backend.device})`);
      if (precision === 'mixed') log(backend.precision === 'mixed' ? 'precision: mixed (f16 tensor-core matmuls, f32 accumulation and master weights, dynamic loss scaling)' : `precision: fp32 (mixed asked for, but ${backend.name === 'webgpu' ? tensorCoreGapOf(backend) : `${backend.name} has no tensor-core path`})`);
      return backend;
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      if (request !== 'auto') throw new BackendError(`backend '${name}' is not usable: ${reason}`);
      reasons.push(`${name}: ${reason}`);
    }
  }
  throw new BackendError(`no backend is usable (${reasons.join('; ')})`);
}

/**
 * The speed patches of issue 9 (ASYMFLOW_SPEED_PATCHES=0 leaves them out, for before/after benchmarks):
 * Sum/Mean gradients without host ones (all backends, exact), and on webgpu uploads through
 * queue.writeBuffer, the embedding gradient without atomics and the fused kernels (webgpu-*.ts).
 */
function installSpeedPatches(name: BackendName, env: Readonly<Record<string, string | undefined>>, tensorCores: boolean): void {
  const on = env.ASYMFLOW_SPEED_PATCHES !== '0';
  setFusedOptimizer(on);
  setMixedPrecision(false);
  if (!on) return;
  installGradientPatches();
  if (name === 'webgpu') {
    installWriteBufferUploads(tf.backend());
    installSegmentSum();
    setSegmentCompact(env.ASYMFLOW_SEGMENT_COMPACT !== '0');
    if (env.ASYMFLOW_OWN_MATMUL !== '0') {
      installMatmul(env.ASYMFLOW_MATMUL_TILE ?? DEFAULT_MATMUL_TILE, tensorCores ? (env.ASYMFLOW_TC_TILE ? parseTcTile(env.ASYMFLOW_TC_TILE) : DEFAULT_TC_TILE) : undefined);
      setMixedPrecision(tensorCores);
    }
    setFusedAttention(env.ASYMFLOW_FUSED_ATTENTION !== '0');
    setPairedDq(env.ASYMFLOW_DQ_PAIRED !== '0');
    setBindCache(env.ASYMFLOW_BIND_CACHE !== '0');
    setPackedUpdate(env.ASYMFLOW_PACKED_UPDATE !== '0');
    setFusedLinear(env.ASYMFLOW_FUSED_LINEAR !== '0');
    setBiasGradInMatmul(env.ASYMFLOW_BIAS_GRAD_IN_MATMUL !== '0');
    setFusedEmbed(env.ASYMFLOW_FUSED_EMBED !== '0');
    setFusedLogprobs(env.ASYMFLOW_FUSED_LOGPROBS !== '0');
    if (env.ASYMFLOW_COLUMN_SUM !== '0') installColumnSum();
  }
}

async function activate(name: BackendName, env: Readonly<Record<string, string | undefined>>, auto: boolean, precision: Precision): Promise<ResolvedBackend> {
  const backend = await activateBackend(name, env, auto, precision);
  installSpeedPatches(name, env, backend.precision === 'mixed');
  if (backend.precision === 'mixed' && !mixedPrecision()) {
    // ASYMFLOW_SPEED_PATCHES=0 or ASYMFLOW_OWN_MATMUL=0: no tensor-core matmul to run.
    const fp32: ResolvedBackend = { ...backend, precision: 'fp32' };
    gaps.set(fp32, 'the speed patches or our matmul are switched off'); // the object resolveBackend logs
    return fp32;
  }
  return backend;
}

/** Why a webgpu backend asked for mixed precision runs fp32 (for the log line). */
const gaps = new WeakMap<ResolvedBackend, string>();
const tensorCoreGapOf = (backend: ResolvedBackend): string => gaps.get(backend) ?? 'the tensor cores are not in use';

async function activateBackend(name: BackendName, env: Readonly<Record<string, string | undefined>>, auto: boolean, precision: Precision): Promise<ResolvedBackend> {
  switch (name) {
    case 'tensorflow':
      return activateTensorflow();
    case 'webgpu':
    case 'wasm': {
      const backend = name === 'webgpu' ? await activateWebgpu(env, auto, precision) : await activateWasm();
      if (env.ASYMFLOW_KERNEL_PATCHES !== '0') installKernelPatches(name);
      return backend;
    }
    case 'cpu':
      await setTfBackend('cpu');
      if (env.ASYMFLOW_KERNEL_PATCHES !== '0') installKernelPatches('cpu');
      return cpuSide('cpu', 'cpu');
  }
}

/** A backend with no GPU device of our own to watch or destroy. */
function cpuSide(name: BackendName, device: string): ResolvedBackend {
  return { name, device, precision: 'fp32', gpuErrors: () => [], throwIfGpuErrors: () => {}, dispose: async () => {} };
}

async function setTfBackend(name: string): Promise<void> {
  if (!(await tf.setBackend(name))) throw new Error(`tf.setBackend('${name}') failed`);
  await tf.ready();
}

function removeBackendFactory(name: string): void {
  try {
    tf.removeBackend(name);
  } catch {} // throws when no factory is registered under that name
}

/** Imports a package only if installed; the computed specifier keeps tsc and esbuild from resolving it. */
async function importOptional(specifier: string): Promise<unknown> {
  const load = (s: string) => import(s);
  return load(specifier);
}

async function activateTensorflow(): Promise<ResolvedBackend> {
  const failures: string[] = [];
  for (const pkg of ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node']) {
    try {
      await importOptional(pkg);
      await setTfBackend('tensorflow');
      const device = pkg.endsWith('-gpu') ? 'libtensorflow GPU' : 'libtensorflow CPU';
      return cpuSide('tensorflow', `${device} via ${pkg}`);
    } catch (err) {
      const msg = err instanceof Error ? err.message.split('\n')[0] : String(err);
      failures.push(/Cannot find (package|module)/.test(msg) ? `${pkg} not installed` : `${pkg}: ${msg}`);
    }
  }
  throw new Error(failures.join(', '));
}

/** Software rasterisers: fine for parity checks, never chosen by auto (wasm is faster and exact). */
const SOFTWARE_ADAPTER = /llvmpipe|lavapipe|swiftshader|softpipe|software/i;

type DawnModule = { create(options: string[]): GPU; globals: Record<string, unknown> };

async function activateWebgpu(env: Readonly<Record<string, string | undefined>>, auto: boolean, precision: Precision): Promise<ResolvedBackend> {
  const dawn = (await import('webgpu')) as unknown as DawnModule;
  Object.assign(globalThis, dawn.globals);
  const found = await findAdapter(dawn, env, precision === 'mixed');
  if (!found) throw new Error('no WebGPU adapter found (Dawn tried its default backends and OpenGL ES)');
  const { gpu, adapter, label } = found;
  if (auto && SOFTWARE_ADAPTER.test(label) && env.ASYMFLOW_WEBGPU_SOFTWARE !== '1') {
    throw new Error(`only a software adapter (${label}); use --backend webgpu to force it`);
  }
  const limits = adapter.limits;
  const gap = precision === 'mixed' ? tensorCoreGap(adapter) : 'fp32 asked for';
  const device = await adapter.requestDevice({
    requiredFeatures: [...(adapter.features.has('timestamp-query') ? ['timestamp-query' as GPUFeatureName] : []), ...(gap ? [] : TENSOR_CORE_FEATURES)],
    // The limits tfjs-webgpu itself asks for: the defaults are too small for large matmuls.
    requiredLimits: {
      maxComputeWorkgroupStorageSize: limits.maxComputeWorkgroupStorageSize,
      maxComputeWorkgroupsPerDimension: limits.maxComputeWorkgroupsPerDimension,
      maxStorageBufferBindingSize: limits.maxStorageBufferBindingSize,
      maxBufferSize: limits.maxBufferSize,
      maxComputeWorkgroupSizeX: limits.maxComputeWorkgroupSizeX,
      maxComputeInvocationsPerWorkgroup: limits.maxComputeInvocationsPerWorkgroup,
      // AddN and Concat bind every input at once; the default 8 fails validation past 7 inputs.
      maxStorageBuffersPerShaderStage: limits.maxStorageBuffersPerShaderStage,
    },
  });
  const errors: string[] = [];
  let checked = 0;
  const reported = new Set<string>();
  device.addEventListener('uncapturederror', (event) => {
    const message = (event as GPUUncapturedErrorEvent).error.message;
    errors.push(message);
    const first = message.split('\n').find((l) => l.trim() !== '') ?? message;
    if (!reported.has(first)) {
      reported.add(first);
      process.stderr.write(`webgpu error: ${first}\n`);
    }
  });
  // tfjs-webgpu checks navigator.gpu when it is imported and when a backend is constructed.
  const nav = globalThis as unknown as { navigator?: { gpu?: GPU } };
  if (!nav.navigator) Object.defineProperty(globalThis, 'navigator', { value: {}, configurable: true, writable: true });
  (nav.navigator as { gpu?: GPU }).gpu = gpu;
  const { WebGPUBackend } = await import('@tensorflow/tfjs-backend-webgpu');
  // Importing the package registers a factory that asks for its own adapter; ours uses the one found.
  removeBackendFactory('webgpu');
  applyTfjsFlags(env.ASYMFLOW_TFJS_FLAGS);
  tf.registerBackend('webgpu', () => new WebGPUBackend(device, adapter.info), 3);
  try {
    await setTfBackend('webgpu');
  } catch (err) {
    device.destroy();
    throw err;
  }
  let disposed = false;
  const backend: ResolvedBackend = {
    name: 'webgpu',
    device: label,
    precision: gap ? 'fp32' : 'mixed',
    gpuErrors: () => errors,
    throwIfGpuErrors: (where: string) => {
      if (errors.length > checked) {
        const first = errors[checked];
        checked = errors.length;
        throw new BackendError(`${where}: WebGPU error, results are invalid: ${first.split('\n')[0]}`);
      }
    },
    dispose: async () => {
      if (disposed) return;
      disposed = true;
      if (tf.getBackend() === 'webgpu') await setTfBackend('cpu');
      removeBackendFactory('webgpu');
      device.destroy();
      if (nav.navigator) delete (nav.navigator as { gpu?: GPU }).gpu;
      if (active?.name === 'webgpu') active = undefined;
    },
  };
  if (gap && precision === 'mixed') gaps.set(backend, gap);
  return backend;
}

/**
 * ASYMFLOW_TFJS_FLAGS='WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE=64,WEBGPU_CPU_FORWARD=false': tfjs environment flags
 * (registered ones only) for tuning runs; tfjs reads flags from a URL in browsers, never from Node's env.
 */
export function applyTfjsFlags(spec: string | undefined): void {
  if (!spec) return;
  for (const item of spec.split(',').map((s) => s.trim()).filter(Boolean)) {
    const eq = item.indexOf('=');
    if (eq <= 0) throw new BackendError(`ASYMFLOW_TFJS_FLAGS: '${item}' is not NAME=value`);
    const name = item.slice(0, eq);
    const raw = item.slice(eq + 1);
    const value = raw === 'true' ? true : raw === 'false' ? false : Number.isFinite(Number(raw)) && raw !== '' ? Number(raw) : raw;
    try {
      tf.env().set(name, value);
    } catch (err) {
      throw new BackendError(`ASYMFLOW_TFJS_FLAGS: ${(err as Error).message}`);
    }
  }
}

interface FoundAdapter {
  readonly gpu: GPU;
  readonly adapter: GPUAdapter;
  readonly label: string;
}

/**
 * Dawn's default backends first (Vulkan on the GPU machine), then OpenGL ES in compatibility mode, which
 * on a machine without a GPU runs on Mesa's llvmpipe through surfaceless EGL.
 * ASYMFLOW_WEBGPU_DAWN='backend=opengles' (comma-separated Dawn options) forces one path.
 */
async function findAdapter(dawn: DawnModule, env: Readonly<Record<string, string | undefined>>, tensorCores: boolean): Promise<FoundAdapter | undefined> {
  const forced = env.ASYMFLOW_WEBGPU_DAWN;
  const attempts: { options: string[]; request: GPURequestAdapterOptions }[] = forced
    ? [{ options: forced.split(','), request: compatRequest(forced) }]
    : [
        // Mixed precision: the toggles that show the tensor cores (tensor-cores.ts), on the default backends only.
        { options: tensorCores ? TENSOR_CORE_DAWN_OPTIONS : [], request: { powerPreference: 'high-performance' } },
        { options: ['backend=opengles'], request: compatRequest('opengles') },
      ];
  for (const { options, request } of attempts) {
    if (options.some((o) => /opengl/.test(o)) && !process.env.EGL_PLATFORM) process.env.EGL_PLATFORM = 'surfaceless';
    const gpu = dawn.create(options);
    const adapter = await gpu.requestAdapter(request).catch(() => null);
    if (adapter) return { gpu, adapter, label: describeAdapter(adapter, options) };
  }
  return undefined;
}

function compatRequest(dawnOptions: string): GPURequestAdapterOptions {
  // featureLevel is newer than the DOM typings tsc ships.
  return (/opengl/.test(dawnOptions) ? { featureLevel: 'compatibility' } : {}) as GPURequestAdapterOptions;
}

/** e.g. 'nvidia-h100-80gb-hbm3 (NVIDIA: 580.159.04; Dawn default)' or 'llvmpipe… (OpenGL ES 3.2 Mesa 22.3.6; Dawn opengles)'. */
function describeAdapter(adapter: GPUAdapter, dawnOptions: readonly string[]): string {
  const info = adapter.info;
  const name = info.device || info.description || info.vendor || 'unknown adapter';
  const detail = info.description && info.description !== name ? info.description.replace(/^OpenGL version /, '') : '';
  const path = dawnOptions.find((o) => o.startsWith('backend='))?.slice('backend='.length) ?? 'default';
  return `${name} (${detail ? detail + '; ' : ''}Dawn ${path})`;
}

async function activateWasm(): Promise<ResolvedBackend> {
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  const dir = wasmBinaryDir();
  if (!dir) throw new Error('tfjs-backend-wasm.wasm not found next to the bundle nor in node_modules');
  // Emscripten's Node glue reads the free variable __dirname, which an ESM bundle (.device/*.mjs) lacks;
  // inside node_modules (CommonJS) the module's own __dirname shadows this global.
  const g = globalThis as { __dirname?: string };
  if (typeof g.__dirname !== 'string') g.__dirname = dir;
  // setWasmPaths throws once the backend has been initialised; it is then already configured.
  try {
    wasm.setWasmPaths(dir + '/');
  } catch {}
  await setTfBackend('wasm');
  return cpuSide('wasm', 'cpu (wasm)');
}

/** node_modules when run from source; next to the bundled .mjs (prepare.sh copies the .wasm into .device/). */
function wasmBinaryDir(): string | undefined {
  const candidates: string[] = [];
  try {
    const req = createRequire(import.meta.url);
    candidates.push(dirname(req.resolve('@tensorflow/tfjs-backend-wasm/package.json')) + '/dist');
  } catch {}
  candidates.push(dirname(fileURLToPath(import.meta.url)));
  return candidates.find((dir) => existsSync(join(dir, 'tfjs-backend-wasm.wasm')));
}
