/**
 * Host → GPU uploads through queue.writeBuffer for the tfjs webgpu backend. tfjs 4.22 uploads every
 * host-valued tensor (each JS-number operand such as tf.mul(x, 0.5) is one) through a new mapped staging
 * buffer, created and destroyed per upload, and ends the compute pass to copy from it. On the H100 under
 * Dawn/Vulkan a buffer creation costs ~0.25 ms, which made scalar constants a large share of a decode step.
 * queue.writeBuffer stages through Dawn's reused ring buffer and is ordered before the next submit; the
 * destination comes from tfjs's pool, where a buffer is only while no unsubmitted command uses it.
 */
type TensorData = { dtype: string; shape: number[]; values: ArrayLike<number> | null; resource: unknown };

interface WebgpuBackendInternals {
  tensorMap: { get(id: object): TensorData | undefined };
  bufferManager: { acquireBuffer(size: number, usage: number): GPUBuffer };
  queue: GPUQueue;
  uploadToGPU(dataId: object): void;
}

const patched = new WeakSet<object>();

export function installWriteBufferUploads(backend: object): void {
  if (patched.has(backend)) return;
  patched.add(backend);
  const b = backend as WebgpuBackendInternals;
  const original = b.uploadToGPU.bind(b);
  b.uploadToGPU = (dataId: object) => {
    const data = b.tensorMap.get(dataId);
    if (!data || data.resource != null || data.values == null || data.dtype === 'string' || data.dtype === 'complex64') {
      original(dataId);
      return;
    }
    const count = data.shape.reduce((n, s) => n * s, 1);
    const isInt = data.dtype === 'int32' || data.dtype === 'bool';
    const typed = isInt
      ? data.values instanceof Int32Array
        ? data.values
        : Int32Array.from(data.values)
      : data.values instanceof Float32Array
        ? data.values
        : Float32Array.from(data.values);
    if (typed.length !== count) {
      original(dataId);
      return;
    }
    const usage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;
    const buffer = b.bufferManager.acquireBuffer(count * 4, usage);
    if (count > 0) b.queue.writeBuffer(buffer, 0, typed.buffer, typed.byteOffset, count * 4);
    data.values = null; // once uploaded tfjs keeps no host copy (as the original does)
    data.resource = buffer;
  };
}
