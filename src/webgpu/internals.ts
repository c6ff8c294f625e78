/**
 * The tfjs-webgpu backend internals our kernels rely on (tfjs 4.22): tensor data by id, its command encoder
 * and compute pass, its uniform and timing machinery. Its own file so that raw.ts (dispatch) and bindings.ts
 * (the caches dispatch uses) both build on it without importing each other.
 */
import * as tf from '@tensorflow/tfjs';

export type Info = { dataId: object; shape: number[]; dtype: string };
type TensorData = { resource: unknown; refCount: number; values: unknown };

export interface Backend {
  device: GPUDevice;
  tensorMap: { get(id: object): TensorData | undefined };
  commandEncoder: GPUCommandEncoder | null;
  computePassEncoder: GPUComputePassEncoder | null;
  commandQueueOwnedIds: WeakSet<object>;
  dispatchCountInPass: number;
  uploadToGPU(dataId: object): void;
  incRef(dataId: object): void;
  ensureCommandEncoderReady(): void;
  endComputePassEncoder(): void;
  submitQueue(): void;
  makeUniforms(u: { type: string; data: number[] }[]): GPUBufferBinding;
  uniformPendingDisposal: GPUBuffer[]; // uniform buffers made since the last submit (released to the pool by it)
  makeTensorInfo(shape: number[], dtype: string): Info;
  disposeData(dataId: object): void;
  // Kernel timing (tf.profile): tfjs's timers of the kernel being profiled, and its timestamp query.
  supportTimestampQuery: boolean;
  activeTimers: { name: string; query: Promise<number> }[] | null;
  querySet: GPUQuerySet | null;
  querySetCount: number;
  getQueryTime(): Promise<number>;
}

/** The active webgpu backend's internals (call only when tf.getBackend() is 'webgpu'). */
// cast: tfjs's public KernelBackend type hides these internals (the webgpu backend class has them at runtime)
export const internals = (): Backend => tf.backend() as unknown as Backend;
