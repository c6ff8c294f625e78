/**
 * Runs one attention kernel (fp32 or tensor-core) on a raw device: bindings in order — outputs (read_write,
 * read back), inputs, then the uniforms of attention-wgsl.ts's struct U — dispatched over `groups` workgroups.
 */
import type { TcDevice } from './device.ts';
import { tcAttentionTile, tcAttentionTileGap, type TcAttentionKind, type TcAttentionTile } from '../../src/webgpu/attention-tc-layout.ts';

export interface AttentionProblem {
  readonly batch: number;
  readonly l: number;
  readonly heads: number;
  readonly dh: number;
  readonly prefix: number;
  readonly keyBias?: Float32Array; // [B, L]
  readonly lpr?: number; // tensor-core kernels: lanes per row other than subgroup / size
  readonly tk?: number; // tensor-core kernels: a tile other than the first that fits
}

/** The tile a problem asks for (or the first that fits this device), checked to fit. */
export function tileFor(kind: TcAttentionKind, tcd: TcDevice, p: AttentionProblem): TcAttentionTile {
  const limit = tcd.device.limits.maxComputeWorkgroupStorageSize;
  const found = tcAttentionTile(kind, tcd.shape, p.dh, limit, p.lpr);
  if (!found) throw new Error(`no tile fits dh ${p.dh}`);
  const t = p.tk ? { ...found, tk: p.tk } : found;
  const gap = tcAttentionTileGap(kind, tcd.shape, p.dh, t, limit);
  if (gap) throw new Error(gap);
  return t;
}

/** The uniforms U { L, H, prefix, qBlocks, total, hasBias, scale, pad } for blocks of `rows` rows. */
export function attentionUniforms(p: AttentionProblem, rows: number): { data: ArrayBuffer; groups: number } {
  const qBlocks = Math.ceil(p.l / rows);
  const total = p.batch * p.heads * qBlocks;
  const data = new ArrayBuffer(32);
  new Uint32Array(data, 0, 6).set([p.l, p.heads, p.prefix, qBlocks, total, p.keyBias ? 1 : 0]);
  new Float32Array(data, 24, 1)[0] = 1 / Math.sqrt(p.dh);
  return { data, groups: total };
}

const STORAGE = 0x80,
  COPY_DST = 0x8,
  COPY_SRC = 0x4,
  MAP_READ = 0x1,
  UNIFORM = 0x40;

/** Compiles `wgsl`, binds outputs (sizes in floats), inputs and uniforms, dispatches, reads the outputs back. */
export async function runAttentionKernel(
  device: GPUDevice,
  wgsl: string,
  outputs: readonly number[],
  inputs: readonly Float32Array[],
  uniforms: ArrayBuffer,
  groups: number,
): Promise<Float32Array[]> {
  device.pushErrorScope('validation');
  const module = device.createShaderModule({ code: wgsl });
  const errors = (await module.getCompilationInfo()).messages.filter((m) => m.type === 'error');
  if (errors.length > 0) throw new Error(`WGSL: ${errors.map((m) => `${m.lineNum}:${m.linePos} ${m.message}`).join('; ')}`);
  const pipeline = device.createComputePipeline({ layout: 'auto', compute: { module, entryPoint: 'main' } });
  const sized = (bytes: number) => Math.max(16, Math.ceil(bytes / 16) * 16);
  const outs = outputs.map((n) => device.createBuffer({ size: sized(n * 4), usage: STORAGE | COPY_SRC }));
  const ins = inputs.map((data) => {
    const buffer = device.createBuffer({ size: sized(data.byteLength), usage: STORAGE | COPY_DST });
    device.queue.writeBuffer(buffer, 0, data.buffer, data.byteOffset, data.byteLength);
    return buffer;
  });
  const u = device.createBuffer({ size: uniforms.byteLength, usage: UNIFORM | COPY_DST });
  device.queue.writeBuffer(u, 0, uniforms);
  const entries = [...outs, ...ins, u].map((buffer, binding) => ({ binding, resource: { buffer } }));
  const encoder = device.createCommandEncoder();
  const pass = encoder.beginComputePass();
  pass.setPipeline(pipeline);
  pass.setBindGroup(0, device.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries }));
  const maxX = device.limits.maxComputeWorkgroupsPerDimension;
  pass.dispatchWorkgroups(Math.min(groups, maxX), Math.ceil(groups / maxX));
  pass.end();
  const reads = outputs.map((n, i) => {
    const read = device.createBuffer({ size: sized(n * 4), usage: MAP_READ | COPY_DST });
    encoder.copyBufferToBuffer(outs[i] as GPUBuffer, 0, read, 0, sized(n * 4));
    return read;
  });
  device.queue.submit([encoder.finish()]);
  const results = await Promise.all(
    reads.map(async (read, i) => {
      await read.mapAsync(MAP_READ);
      const r = new Float32Array(read.getMappedRange().slice(0, (outputs[i] as number) * 4));
      read.unmap();
      return r;
    }),
  );
  for (const buffer of [...outs, ...ins, u, ...reads]) buffer.destroy();
  const error = await device.popErrorScope();
  if (error) throw new Error(`webgpu: ${error.message}`);
  return results;
}
