/**
 * The webgpu backend through Dawn (the `webgpu` package): Dawn's default backends (Vulkan on the GPU machine),
 * else OpenGL ES on Mesa (CPU-only machines, CI's parity run), a device with tfjs-webgpu's limits, WebGPU errors
 * collected so a step that had one is refused (throwIfGpuErrors), and tfjs flags from ASYMFLOW_TFJS_FLAGS.
 * Dawn keeps the process alive while its GPU object is referenced: dispose() destroys the device and drops
 * `navigator.gpu`.
 */
import * as tf from '@tensorflow/tfjs';
import { BackendError, isVerbose, type Env, type ResolvedBackend } from './request.ts';
import type { Precision } from './precision.ts';
import { setTcShape } from '../webgpu/index.ts';
import { noteTensorCoreGap, tensorCoreShape, TENSOR_CORE_DAWN_OPTIONS, TENSOR_CORE_FEATURES } from './tensor-cores.ts';
import { removeBackendFactory, setTfBackend } from './tfjs-backends.ts';
import { hasVulkanLoader } from './vulkan-loader.ts';

/** Software rasterisers: fine for parity checks, never chosen by auto (wasm is faster and exact). */
const SOFTWARE_ADAPTER = /llvmpipe|lavapipe|swiftshader|softpipe|software/i;

type DawnModule = { create(options: string[]): GPU; globals: Record<string, unknown> };

/**
 * The webgpu backend on Dawn's first adapter (findAdapter), with the limits tfjs-webgpu asks for and the tensor-core
 * features when mixed precision is asked and the adapter has them; `onDispose` runs when the backend is disposed.
 */
export async function activateWebgpu(env: Env, auto: boolean, precision: Precision, onDispose: () => void): Promise<ResolvedBackend> {
  const dawn = (await import('webgpu')) as DawnModule;
  Object.assign(globalThis, dawn.globals);
  const found = await findAdapter(dawn, env, precision === 'mixed');
  if (!found) throw new Error('no WebGPU adapter found (Dawn tried its default backends and OpenGL ES)');
  const { gpu, adapter, label } = found;
  if (auto && SOFTWARE_ADAPTER.test(label) && env.ASYMFLOW_WEBGPU_SOFTWARE !== '1') {
    throw new Error(`only a software adapter (${label}); use --backend webgpu to force it`);
  }
  const limits = adapter.limits;
  const shape = precision === 'mixed' ? tensorCoreShape(adapter) : 'fp32 asked for';
  const gap = typeof shape === 'string' ? shape : undefined;
  // The kernels are generated for the adapter's fragments (16×16 on NVIDIA, 8×8 on lavapipe) from here on.
  if (typeof shape !== 'string') setTcShape(shape);
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
  const nav = globalThis as { navigator?: { gpu?: GPU } };
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
      onDispose();
    },
  };
  if (gap && precision === 'mixed') noteTensorCoreGap(backend, gap);
  return backend;
}

/**
 * ASYMFLOW_TFJS_FLAGS='WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE=64,WEBGPU_CPU_FORWARD=false': tfjs environment flags
 * (registered ones only) for tuning runs; tfjs reads flags from a URL in browsers, never from Node's env.
 */
export function applyTfjsFlags(spec: string | undefined): void {
  if (!spec) return;
  for (const item of spec
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
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
 * ASYMFLOW_WEBGPU_DAWN='backend=opengles' (comma-separated Dawn options) forces one path. Without a Vulkan
 * loader the default attempt is skipped (it would fail after Dawn printed a warning; vulkan-loader.ts), unless
 * --verbose asks to see it.
 */
async function findAdapter(dawn: DawnModule, env: Env, tensorCores: boolean): Promise<FoundAdapter | undefined> {
  const forced = env.ASYMFLOW_WEBGPU_DAWN;
  const attempts: { options: string[]; request: GPURequestAdapterOptions }[] = forced
    ? [{ options: forced.split(','), request: compatRequest(forced) }]
    : [
        // Mixed precision: the toggles that show the tensor cores (tensor-cores.ts), on the default backends only.
        ...(hasVulkanLoader(env) || isVerbose(env)
          ? [{ options: tensorCores ? TENSOR_CORE_DAWN_OPTIONS : [], request: { powerPreference: 'high-performance' } as GPURequestAdapterOptions }]
          : []),
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
