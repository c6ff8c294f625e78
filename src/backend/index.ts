/**
 * Backend resolution (docs/architecture.md §4): `--backend`, else `ASYMFLOW_BACKEND`, else auto in the order
 * tensorflow (tfjs-node-gpu / tfjs-node, only when installed and loadable) → webgpu (Dawn through the
 * `webgpu` package, only when a hardware adapter exists) → wasm → cpu. Resolved once per process; the
 * choice and the device are reported through `log` (stderr by default). This is the backend folder's door:
 *   request.ts        names, the request, the resolved backend's face, BackendError
 *   webgpu-device.ts  Dawn's adapter and device, tfjs-webgpu on it     tfjs-backends.ts  tensorflow, wasm, cpu
 *   speed-patches.ts  our kernels and gradient patches (issue 9)      kernel-patches.ts fixes of tfjs's kernels
 *   tensor-cores.ts   mixed precision's device side (issue 17)     precision.ts      the --precision values
 *
 * Dawn keeps the process alive while its GPU object is referenced, so `dispose()` destroys the device and
 * drops `navigator.gpu`; call it before exit.
 */
import * as tf from '@tensorflow/tfjs';
import { mixedPrecision } from '../webgpu/index.ts';
import { installKernelPatches } from './kernel-patches.ts';
import { BACKEND_NAMES, BackendError, isVerbose, requestedBackend, type BackendName, type Env, type ResolvedBackend, type ResolveOptions } from './request.ts';
import { installSpeedPatches } from './speed-patches.ts';
import { parsePrecision, type Precision } from './precision.ts';
import { noteTensorCoreGap, tensorCoreGapOf } from './tensor-cores.ts';
import { activateTensorflow, activateWasm, cpuSide, setTfBackend } from './tfjs-backends.ts';
import { activateWebgpu } from './webgpu-device.ts';

export * from './request.ts';
export { applyTfjsFlags } from './webgpu-device.ts';

let active: ResolvedBackend | undefined;
/** A disposed webgpu backend is no longer the active one. */
const forgetWebgpu = (): void => {
  if (active?.name === 'webgpu') active = undefined;
};

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
  const precision = options.precision
    ? parsePrecision(options.precision, '--precision')
    : parsePrecision(env.ASYMFLOW_PRECISION || 'fp32', 'ASYMFLOW_PRECISION');
  if (active && (request === 'auto' || request === active.name) && (precision === 'fp32' || active.precision === 'mixed')) return active;
  if (active) await active.dispose();

  const order: readonly BackendName[] = request === 'auto' ? BACKEND_NAMES : [request];
  const reasons: string[] = [];
  for (const name of order) {
    try {
      const backend = await activate(name, env, request === 'auto', precision);
      active = backend;
      log(`backend: ${backend.name} (${backend.device})`);
      if (precision === 'mixed')
        log(
          backend.precision === 'mixed'
            ? 'precision: mixed (f16 tensor-core matmuls, f32 accumulation and master weights, dynamic loss scaling)'
            : `precision: fp32 (mixed asked for, but ${backend.name === 'webgpu' ? tensorCoreGapOf(backend) : `${backend.name} has no tensor-core path`})`,
        );
      return backend;
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      if (request !== 'auto') throw new BackendError(`backend '${name}' is not usable: ${reason}`);
      reasons.push(`${name}: ${reason}`);
    }
  }
  throw new BackendError(`no backend is usable (${reasons.join('; ')})`);
}

async function activate(name: BackendName, env: Env, auto: boolean, precision: Precision): Promise<ResolvedBackend> {
  const backend = await activateBackend(name, env, auto, precision);
  installSpeedPatches(name, env, backend.precision === 'mixed');
  if (backend.precision === 'mixed' && !mixedPrecision()) {
    // ASYMFLOW_SPEED_PATCHES=0 or ASYMFLOW_OWN_MATMUL=0: no tensor-core matmul to run.
    const fp32: ResolvedBackend = { ...backend, precision: 'fp32' };
    noteTensorCoreGap(fp32, 'the speed patches or our matmul are switched off'); // the object resolveBackend logs
    return fp32;
  }
  return backend;
}

async function activateBackend(name: BackendName, env: Env, auto: boolean, precision: Precision): Promise<ResolvedBackend> {
  switch (name) {
    case 'tensorflow':
      return activateTensorflow();
    case 'webgpu':
    case 'wasm': {
      const backend = name === 'webgpu' ? await activateWebgpu(env, auto, precision, forgetWebgpu) : await activateWasm();
      if (env.ASYMFLOW_KERNEL_PATCHES !== '0') installKernelPatches(name);
      return backend;
    }
    case 'cpu':
      await setTfBackend('cpu');
      if (env.ASYMFLOW_KERNEL_PATCHES !== '0') installKernelPatches('cpu');
      return cpuSide('cpu', 'cpu');
  }
}
