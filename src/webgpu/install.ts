/**
 * Our WGSL kernels switched on for the active webgpu backend (the speed patches of issue 9), called by
 * resolveBackend (src/backend/speed-patches.ts) once tfjs-webgpu is up. Each has its ASYMFLOW_* switch for
 * A/B runs (bench/README.md): uploads through queue.writeBuffer, the embedding gradient without atomics, our
 * matmul (in tensor-core form when asked and the device has them), attention (the same), linear (matmul + bias + residual) as one op,
 * embedding, loss head, column sums and the bind caches.
 */
import * as tf from '@tensorflow/tfjs';
import { setFusedAttention, setPairedDq } from './attention.ts';
import { setTensorCoreAttention } from './attention-tc.ts';
import { setBindCache } from './bindings.ts';
import { installColumnSum } from './colsum.ts';
import { setFusedEmbed } from './embed.ts';
import { setBiasGradInMatmul, setFusedLinear } from './linear.ts';
import { setFusedLogprobs } from './logprobs.ts';
import { DEFAULT_MATMUL_TILE, installMatmul } from './matmul.ts';
import { defaultTcTile, parseTcTile } from './matmul-tc.ts';
import { tcShape } from './tc-shape.ts';
import { installSegmentSum, setSegmentCompact } from './segment-sum.ts';
import { installWriteBufferUploads } from './upload.ts';

/** Installs the kernels by `env`'s switches; returns whether the matmuls run on the tensor cores (asked and our matmul on). */
export function installWebgpuKernels(env: Readonly<Record<string, string | undefined>>, tensorCores: boolean): boolean {
  installWriteBufferUploads(tf.backend());
  installSegmentSum();
  setSegmentCompact(env.ASYMFLOW_SEGMENT_COMPACT !== '0');
  const ownMatmul = env.ASYMFLOW_OWN_MATMUL !== '0';
  if (ownMatmul) {
    // The fragment shape the backend set from its adapter (webgpu-device.ts) before any kernel is built.
    const shape = tcShape();
    const tile = () => (env.ASYMFLOW_TC_TILE ? parseTcTile(env.ASYMFLOW_TC_TILE, shape) : defaultTcTile(shape));
    installMatmul(env.ASYMFLOW_MATMUL_TILE ?? DEFAULT_MATMUL_TILE, tensorCores ? { tile: tile(), shape } : undefined);
  }
  setFusedAttention(env.ASYMFLOW_FUSED_ATTENTION !== '0');
  // Attention on the tensor cores with the matmuls (ASYMFLOW_TC_ATTENTION=0: the fp32 kernels, for A/B runs).
  setTensorCoreAttention(ownMatmul && tensorCores && env.ASYMFLOW_TC_ATTENTION !== '0', env.ASYMFLOW_TC_ATTENTION_TILE);
  setPairedDq(env.ASYMFLOW_DQ_PAIRED !== '0');
  setBindCache(env.ASYMFLOW_BIND_CACHE !== '0');
  setFusedLinear(env.ASYMFLOW_FUSED_LINEAR !== '0');
  setBiasGradInMatmul(env.ASYMFLOW_BIAS_GRAD_IN_MATMUL !== '0');
  setFusedEmbed(env.ASYMFLOW_FUSED_EMBED !== '0');
  setFusedLogprobs(env.ASYMFLOW_FUSED_LOGPROBS !== '0');
  if (env.ASYMFLOW_COLUMN_SUM !== '0') installColumnSum();
  return ownMatmul && tensorCores;
}
