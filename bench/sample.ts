/**
 * Batched sampling with the KV cache at a named size, fp32, in the shape of
 * ../shared/bench/torch_reference.py: batch 32, the image + a 16-token prompt, 256 new tokens at
 * temperature 0.7. Prints one JSON line with ms per call, generated tokens/s and, with --torch <file>, the
 * ratio to PyTorch. Our untrained model stops rows at EOS or </answer> (torch never stops), and a call runs
 * until its last row stops: decode_steps is that count, and the ratio compares a call scaled to the full
 * new-token count (ms · new_tokens / decode_steps; the prefill is scaled too, which slightly favours torch).
 *
 *   node .device/sample.mjs --size small --backend webgpu --torch $OUT/torch-small.jsonl
 *
 * On webgpu the decode steps run in our own WGSL (src/webgpu/decode.ts, `gpu_decode: true`);
 * ASYMFLOW_GPU_DECODE=0 measures the tfjs-op step instead (ASYMFLOW_SPEED_PATCHES=0 turns off both).
 * `--precision mixed` (issue 17): the decoder's linears on the tensor cores (`decode_precision: mixed`;
 * ASYMFLOW_DECODE_TC=0 keeps them fp32 while the prefill's matmuls stay on the tensor cores). ms_per_step is
 * the call over its decode steps (prefill included), as torch_ms_per_step is torch's call over new_tokens;
 * --torch-bf16 takes torch_reference.py --mode bf16's line for a second ratio. --profile 1: one more call with
 * each decoder dispatch timed on the GPU (src/webgpu/decode-profile.ts), GPU ms per step by pipeline.
 */
import { resolveBackend } from '../src/backend/index.ts';
import { promptTokens } from '../src/prompt.ts';
import { sample } from '../src/model/sample.ts';
import { decodeStepTimes, gpuDecodeCount, gpuDecodeMixedCount, profileDecodeSteps } from '../src/webgpu/index.ts';
import { createVlm, parameterCount } from '../src/model/vlm.ts';
import { Rng } from '../src/rng.ts';
import { benchConfig, flags, round, torchLine } from './bench-util.ts';

const arg = flags();
const size = arg('size', 'small');
const config = benchConfig(size);
const batch = Number(arg('batch', '32'));
const newTokens = Number(arg('new-tokens', '256'));
const calls = Number(arg('calls', '1'));
const backend = await resolveBackend(arg('backend', ''), { precision: arg('precision', 'fp32') });

const rng = new Rng('sample-bench');
const requests = Array.from({ length: batch }, () => ({
  pixels: Float32Array.from({ length: config.inputSize ** 2 }, () => rng.next()),
  prompt: promptTokens('x'.repeat(14)), // 16 tokens
}));
const model = createVlm(config, 0);
const options = { temperature: 0.7, topP: 1, maxTokens: newTokens, rng: new Rng(1) };

await sample(model, requests, { ...options, maxTokens: 4 }); // compiles the prefill and decode shaders
const decodersBefore = gpuDecodeCount();
const mixedBefore = gpuDecodeMixedCount();
let generated = 0;
let steps = 0;
const t0 = performance.now();
for (let i = 0; i < calls; i++) {
  const out = await sample(model, requests, options);
  generated += out.reduce((n, g) => n + g.tokens.length, 0);
  steps += Math.max(...out.map((g) => g.tokens.length));
}
const ms = (performance.now() - t0) / calls;
const decodeSteps = steps / calls;
const fullCallMs = (ms * newTokens) / decodeSteps;
const torch = torchLine(arg('torch', ''), 'sample_kv_cache');
const torchBf16 = torchLine(arg('torch-bf16', ''), 'sample_kv_cache'); // torch_reference.py --mode bf16 (autocast)
const decoders = gpuDecodeCount() - decodersBefore;
const mixedDecoders = gpuDecodeMixedCount() - mixedBefore;
let profile: unknown;
if (arg('profile', '') === '1') {
  profileDecodeSteps(true);
  const out = await sample(model, requests, options);
  const times = await decodeStepTimes();
  profileDecodeSteps(false);
  const profiledSteps = Math.max(...out.map((g) => g.tokens.length));
  profile =
    typeof times === 'string'
      ? times
      : {
          steps: profiledSteps,
          gpu_ms_per_step: round(times.totalMs / profiledSteps),
          by_pipeline_us_per_step: Object.fromEntries(
            Object.entries(times.byName)
              .sort(([, a], [, b]) => b.ms - a.ms)
              .map(([name, t]) => [name, { dispatches: t.n, us_per_step: round((1000 * t.ms) / profiledSteps, 1) }]),
          ),
        };
}
console.log(
  JSON.stringify({
    ref: 'tfjs',
    what: 'sample_kv_cache',
    size,
    backend: backend.name,
    device: backend.device,
    params: parameterCount(config),
    precision: backend.precision,
    gpu_decode: decoders === calls,
    decode_precision: decoders === 0 ? undefined : mixedDecoders === decoders ? 'mixed' : mixedDecoders === 0 ? 'fp32' : 'both',
    batch,
    new_tokens: newTokens,
    generated_per_call: generated / calls,
    decode_steps: decodeSteps,
    ms: round(ms),
    ms_per_step: round(ms / decodeSteps),
    ms_full_call: round(fullCallMs),
    tokens_per_s: Math.round((generated / calls / ms) * 1000),
    torch_ms: torch?.ms,
    torch_ms_per_step: torch ? round(torch.ms / newTokens) : undefined,
    ratio: torch ? round(fullCallMs / torch.ms, 2) : undefined,
    torch_bf16_ms: torchBf16?.ms,
    ratio_bf16: torchBf16 ? round(fullCallMs / torchBf16.ms, 2) : undefined,
    profile,
    gpu_errors: backend.gpuErrors().length,
  }),
);
await backend.dispose();
