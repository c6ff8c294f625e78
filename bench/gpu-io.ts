/**
 * What the device benches (tc-matmul.ts, tc-attention.ts) and the lavapipe tests share: seeded operands and the
 * read-back of a storage buffer.
 */

// GPUBufferUsage.MAP_READ, COPY_DST and GPUMapMode.READ (WebGPU spec), so this file needs no Dawn globals.
const MAP_READ = 0x1;
const COPY_DST = 0x8;
const READ = 0x1;

/** n values uniform in (−a, a) from a fixed seed (a 32-bit LCG: the same on every machine and in every language). */
export function uniform(n: number, seed: number, a = 1): Float32Array<ArrayBuffer> {
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = ((s / 2 ** 32) * 2 - 1) * a;
  }
  return out;
}

/** The first `floats` values of a storage buffer (which needs COPY_SRC), through a staging buffer. */
export async function readFloats(device: GPUDevice, buffer: GPUBuffer, floats: number): Promise<Float32Array> {
  const staging = device.createBuffer({ size: floats * 4, usage: MAP_READ | COPY_DST });
  const enc = device.createCommandEncoder();
  enc.copyBufferToBuffer(buffer, 0, staging, 0, floats * 4);
  device.queue.submit([enc.finish()]);
  await staging.mapAsync(READ);
  const out = new Float32Array(staging.getMappedRange().slice(0));
  staging.destroy();
  return out;
}
