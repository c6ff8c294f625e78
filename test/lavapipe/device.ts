/**
 * The GPUDevice the test/lavapipe suite runs on: Mesa's lavapipe through Dawn's Vulkan backend with subgroup
 * matrices (bench/lavapipe.sh; `npm run test:lavapipe`). These tests are the CPU-side check of the tensor-core
 * kernels (issue 17): where the features are missing they fail and say how to get them, never skip.
 */
import { tensorCoreShape, TENSOR_CORE_FEATURES } from '../../src/backend/tensor-cores.ts';
import type { TcShape } from '../../src/webgpu/tc-shape.ts';

type Dawn = { create(options: string[]): GPU; globals: Record<string, unknown> };

export interface TcDevice {
  readonly device: GPUDevice;
  readonly shape: TcShape;
  readonly adapter: string;
}

// Held for the process's life: once Dawn's GPU object is collected, its events (mapAsync) are never processed.
let gpu: GPU | undefined;

/** A device with the tensor-core features and the shape its adapter allows. */
export async function lavapipeDevice(): Promise<TcDevice> {
  const dawn = (await import('webgpu')) as Dawn;
  Object.assign(globalThis, dawn.globals);
  gpu ??= dawn.create(['backend=vulkan', 'enable-dawn-features=allow_unsafe_apis']);
  const adapter = await gpu.requestAdapter().catch(() => null);
  const how = 'run this suite through `npm run test:lavapipe` (bench/lavapipe.sh prepares Mesa lavapipe with subgroup matrices)';
  if (!adapter) throw new Error(`no Vulkan adapter: ${how}`);
  // The same verdict the webgpu backend reaches under --precision mixed (src/backend/tensor-cores.ts).
  const shape = tensorCoreShape(adapter);
  if (typeof shape === 'string') throw new Error(`${adapter.info.description}: ${shape}: ${how}`);
  const device = await adapter.requestDevice({
    requiredFeatures: TENSOR_CORE_FEATURES,
    requiredLimits: {
      maxComputeWorkgroupStorageSize: adapter.limits.maxComputeWorkgroupStorageSize,
      // The attention backward binds 9 storage buffers (the default allows 8), as webgpu-device.ts asks for.
      maxStorageBuffersPerShaderStage: adapter.limits.maxStorageBuffersPerShaderStage,
    },
  });
  return { device, shape, adapter: adapter.info.description };
}

/** Runs one compute pass of `wgsl` over the given storage buffers (the last is read back as f32). */
export async function runKernel(
  device: GPUDevice,
  wgsl: string,
  inputs: readonly ArrayBufferView[],
  outFloats: number,
  groups: [number, number?, number?],
): Promise<Float32Array> {
  device.pushErrorScope('validation');
  const module = device.createShaderModule({ code: wgsl });
  const info = await module.getCompilationInfo();
  const errors = info.messages.filter((m) => m.type === 'error');
  if (errors.length > 0) throw new Error(`WGSL: ${errors.map((m) => `${m.lineNum}:${m.linePos} ${m.message}`).join('; ')}`);
  const pipeline = device.createComputePipeline({ layout: 'auto', compute: { module, entryPoint: 'main' } });
  const STORAGE = 0x80,
    COPY_DST = 0x8,
    COPY_SRC = 0x4,
    MAP_READ = 0x1;
  const buffers = inputs.map((data) => {
    const buffer = device.createBuffer({ size: Math.max(16, Math.ceil(data.byteLength / 16) * 16), usage: STORAGE | COPY_DST });
    device.queue.writeBuffer(buffer, 0, data.buffer, data.byteOffset, data.byteLength);
    return buffer;
  });
  const out = device.createBuffer({ size: outFloats * 4, usage: STORAGE | COPY_SRC });
  const read = device.createBuffer({ size: outFloats * 4, usage: MAP_READ | COPY_DST });
  const entries = [...buffers, out].map((buffer, binding) => ({ binding, resource: { buffer } }));
  const encoder = device.createCommandEncoder();
  const pass = encoder.beginComputePass();
  pass.setPipeline(pipeline);
  pass.setBindGroup(0, device.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries }));
  pass.dispatchWorkgroups(groups[0], groups[1] ?? 1, groups[2] ?? 1);
  pass.end();
  encoder.copyBufferToBuffer(out, 0, read, 0, outFloats * 4);
  device.queue.submit([encoder.finish()]);
  await read.mapAsync(MAP_READ);
  const result = new Float32Array(read.getMappedRange().slice(0));
  read.unmap();
  for (const b of [...buffers, out, read]) b.destroy();
  const error = await device.popErrorScope();
  if (error) throw new Error(`webgpu: ${error.message}`);
  return result;
}
