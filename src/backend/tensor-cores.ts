/**
 * Mixed precision's device side (issue 17): Dawn shows the H200's tensor cores to WGSL only with unsafe
 * APIs allowed and f16 enabled on NVIDIA's Vulkan driver, as `chromium-experimental-subgroup-matrix` with
 * f16×f16→f32 16×16×16 among adapter.info.subgroupMatrixConfigs (Mesa's lavapipe: 8×8×8, subgroups of 8).
 * This file says whether an adapter has what src/webgpu/matmul-tc.ts needs, and the fragment shape it then
 * runs at; webgpu-device.ts asks for it when `--precision mixed` is given.
 */
import { TC_FEATURES, tcShapeFor, type MatrixConfig, type TcShape } from '../webgpu/index.ts';

/** Dawn's instance toggles under which the NVIDIA adapter lists shader-f16 and subgroup matrices. */
export const TENSOR_CORE_DAWN_OPTIONS = ['enable-dawn-features=allow_unsafe_apis,vulkan_enable_f16_on_nvidia'];
export const TENSOR_CORE_FEATURES = TC_FEATURES;

type InfoWithMatrices = GPUAdapterInfo & { subgroupMatrixConfigs?: readonly MatrixConfig[]; subgroupMinSize?: number; subgroupMaxSize?: number };

/** The fragment shape the adapter runs the tensor-core matmul at, or why it cannot (one line for the run's log). */
export function tensorCoreShape(adapter: GPUAdapter): TcShape | string {
  const missing = TENSOR_CORE_FEATURES.filter((f) => !adapter.features.has(f));
  if (missing.length > 0) return `the adapter lacks ${missing.join(', ')}`;
  const info = adapter.info as InfoWithMatrices;
  return tcShapeFor(info.subgroupMatrixConfigs ?? [], info.subgroupMinSize, info.subgroupMaxSize);
}

/** Undefined when the adapter can run the tensor-core matmul, else why not (one line for the run's log). */
export function tensorCoreGap(adapter: GPUAdapter): string | undefined {
  const shape = tensorCoreShape(adapter);
  return typeof shape === 'string' ? shape : undefined;
}

/** Why a webgpu backend asked for mixed precision runs fp32, by resolved backend (for resolveBackend's log line). */
const gaps = new WeakMap<object, string>();
export const noteTensorCoreGap = (backend: object, reason: string): void => void gaps.set(backend, reason);
export const tensorCoreGapOf = (backend: object): string => gaps.get(backend) ?? 'the tensor cores are not in use';
