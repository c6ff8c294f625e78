/**
 * The speed patches of issue 9 (ASYMFLOW_SPEED_PATCHES=0 leaves them out, for before/after benchmarks):
 * Sum/Mean gradients without host ones (all backends, exact), and on webgpu our kernels (src/webgpu/install.ts).
 */
import { installWebgpuKernels, setFusedOptimizer, setMixedPrecision, setPackedUpdate } from '../webgpu/index.ts';
import { installGradientPatches } from './grad-patches.ts';
import type { BackendName, Env } from './request.ts';

/** Installs the patches for backend `name`; `tensorCores`: the device runs the mixed-precision matmul. */
export function installSpeedPatches(name: BackendName, env: Env, tensorCores: boolean): void {
  const on = env.ASYMFLOW_SPEED_PATCHES !== '0';
  setFusedOptimizer(on);
  setMixedPrecision(false);
  if (!on) return;
  installGradientPatches();
  if (name === 'webgpu') {
    setMixedPrecision(installWebgpuKernels(env, tensorCores));
    setPackedUpdate(env.ASYMFLOW_PACKED_UPDATE !== '0');
  }
}
