/**
 * The WGSL kernel library's one door: what the model, the backend choice and the checks use of it. Our kernels
 * run inside tfjs-webgpu's command stream (raw.ts) and stand in for tfjs ops only where fusedBackend() says
 * the active backend is webgpu with them on; everywhere else the callers take the reference tfjs ops.
 *   install   installWebgpuKernels and the switches that choose a form (A/B runs and parity checks)
 *   ops       the custom-gradient ops the network calls (linear, LayerNorm, GELU, attention, embedding, loss
 *             head), the fused optimizer and the packed guarded update, the KV-cache write, the buffer pool cap
 *   decoder   GpuDecoder: a whole decode step of sample() in our WGSL, reading the model through DecodeModel
 * Files of the library import each other directly, never this door. Benchmarks and tests of one kernel
 * (bench/tc-matmul.ts, bench/dispatch.ts, test/src/webgpu/) may reach into its file.
 */
export { installWebgpuKernels } from './install.ts';
export { setPairedDq, setFusedAttention, attentionFusedApplies, attentionFused } from './attention.ts';
export { bindCacheStats } from './bindings.ts';
export { setFusedEmbed, embedFusedApplies, embedTextFused } from './embed.ts';
export { SUM_SQUARES_CHUNK, setFusedOptimizer, fusedOptimizer, type FusedOptimizer } from './fused.ts';
export { geluFused } from './gelu.ts';
export { packedApplies, queueGuardedAdamw, releaseGuarded, type GuardedEntry } from './guarded-step.ts';
export { writeKvSlot } from './kv.ts';
export { layerNormFused } from './layernorm.ts';
export { setBiasGradInMatmul, linearFusedApplies, linearFused } from './linear.ts';
export { headLogprobsApplies, headLogprobsFused } from './logprobs.ts';
export { DEFAULT_MATMUL_TILE, MATMUL_TILES, setMatmulTile } from './matmul.ts';
export { DEFAULT_TC_TILE, defaultTcTile, parseTcTile } from './matmul-tc.ts';
export { NVIDIA_TC_SHAPE, setTcShape, TC_FEATURES, tcShape, tcShapeFor, type MatrixConfig, type TcShape } from './tc-shape.ts';
export { ageWebgpuPool, trimWebgpuPool } from './pool.ts';
export { fusedBackend, internals, ourKernelTimes, timeOurKernels } from './raw.ts';
export { setSegmentCompact } from './segment-sum.ts';
export { mixedPrecision, packedUpdateOn, setMixedPrecision, setPackedUpdate } from './update-switches.ts';
export { GpuDecoder, gpuDecodeCount, gpuDecodeMixedCount, setGpuDecode } from './decode.ts';
export { decodeStepTimes, profileDecodeSteps } from './decode-profile.ts';
export type { DecodeCache, DecodeModel } from './decode-model.ts';
