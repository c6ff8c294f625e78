/**
 * The paper preset's text window (src/reproduce/paper-preset.ts: 2,560 positions, 81 + 2,560 cache slots) on a
 * real Vulkan WebGPU device (Mesa's lavapipe) at a tiny width, with heads of 8 and of 64 (`small`'s): a training row past 2,048 positions gives the cpu
 * backend's loss and gradients within bench/parity.ts's bounds, and KV-cache sampling past 2,048 cache slots
 * goes through the webgpu decoder with its 4,096-slot attention kernel (src/webgpu/decode-attention.ts) and
 * gives the log-probs full-sequence scoring gives. test/src/model/long-window.test.ts is the same on the CPU.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareSnapshots, gradientSnapshot, type GradientSnapshot } from '../../bench/checks/parity.ts';
import { resolveBackend, type ResolvedBackend } from '../../src/backend/index.ts';
import { modelConfig, patchCount } from '../../src/model/config.ts';
import { responseLogprobs, type ScoreRow } from '../../src/model/logprobs.ts';
import { sample } from '../../src/model/sample.ts';
import { createVlm, disposeVlm } from '../../src/model/vlm.ts';
import { PAPER_MAX_TEXT } from '../../src/reproduce/paper-preset.ts';
import { Rng } from '../../src/rng.ts';
import { encode } from '../../src/tokenizer.ts';
import { promptTokens } from '../../src/prompt.ts';
import { LONG_SLOTS, MAX_SLOTS, slotsFor } from '../../src/webgpu/decode-attention.ts';
import { gpuDecodeCount, ourKernelTimes, setGpuDecode, timeOurKernels } from '../../src/webgpu/index.ts';

// bench/parity.ts's bounds (cpu vs webgpu measured ~1e-6 on short rows)
const LOSS_ABS = 5e-5;
const GRAD_REL = 1e-4;

// d 16 in 2 heads (dh 8: the decoder's attention takes it), one layer, 4 patches, the paper's 2,560 positions;
// and d 64 in one head: `small`'s head size (64), the kernel variants the H200 runs
const config = modelConfig('tiny', { d: 16, heads: 2, layers: 1, inputSize: 16, patch: 8, maxText: PAPER_MAX_TEXT });
const config64 = modelConfig('tiny', { d: 64, heads: 1, layers: 1, inputSize: 16, patch: 8, maxText: PAPER_MAX_TEXT });
const CONFIGS = [
  { dh: 8, c: config },
  { dh: 64, c: config64 },
];

const pixelsOf = (seed: number) => {
  const rng = new Rng(seed);
  return Float32Array.from({ length: config.inputSize ** 2 }, () => rng.next());
};

/** Two rows: one whose response runs past text position 2,048, one short (the batch pads it to the long one). */
function longRows(): ScoreRow[] {
  const step = 'Node 1: neighbours 0=1; candidates 2; set 1=2. ';
  return [
    {
      pixels: pixelsOf(1),
      prompt: promptTokens('Colour the nodes with the fewest colours.'),
      response: encode(`<caption>(0,1)</caption>${step.repeat(45)}<answer>0:1</answer>`),
    },
    { pixels: pixelsOf(2), prompt: promptTokens('Solve it.'), response: encode('<caption>12</caption>so<answer>3</answer>') },
  ];
}

let webgpu: ResolvedBackend;
let cpuSnapshots: GradientSnapshot[];
beforeAll(async () => {
  await resolveBackend('cpu');
  cpuSnapshots = [await gradientSnapshot(config, longRows()), await gradientSnapshot(config64, longRows())];
  webgpu = await resolveBackend('webgpu', { log: () => {} });
});
afterAll(async () => {
  await webgpu?.dispose();
});

describe('the paper window on webgpu (lavapipe)', () => {
  it.each(CONFIGS.map((x, i) => ({ ...x, i })))(
    'trains a row past 2,048 positions with the cpu backend loss and gradients (dh $dh)',
    async ({ c: config, i }) => {
      const rows = longRows();
      expect(rows[0].prompt.length + rows[0].response.length).toBeGreaterThan(2100);
      expect(rows[0].prompt.length + rows[0].response.length).toBeLessThanOrEqual(PAPER_MAX_TEXT);
      timeOurKernels(true);
      const snap = await gradientSnapshot(config, rows);
      const kernels = [...(await ourKernelTimes()).byName.keys()];
      timeOurKernels(false);
      // our fused attention ran over the whole row, forward and both backward kernels (not tfjs's reference ops)
      expect(kernels.filter((k) => k.startsWith('attention')).length, kernels.join(', ')).toBeGreaterThanOrEqual(3);
      const report = compareSnapshots(snap, cpuSnapshots[i]);
      expect(webgpu.gpuErrors()).toEqual([]);
      expect(report.lossAbs).toBeLessThanOrEqual(LOSS_ABS);
      expect(report.gradRel, `worst parameter ${report.worstParam}`).toBeLessThanOrEqual(GRAD_REL);
      // the position table's rows past 2,048 are trained (a row there has a gradient) on both backends
      const pos = snap.grads.get('textPos')!;
      const rowNorm = (r: number) => Math.hypot(...pos.subarray(r * config.d, (r + 1) * config.d));
      expect(rowNorm(2090)).toBeGreaterThan(0);
      expect(rowNorm(PAPER_MAX_TEXT - 1)).toBe(0);
    },
  );

  it.each(CONFIGS)(
    'samples past 2,048 cache slots through the webgpu decoder (4,096-slot kernel, dh $dh) with full-sequence log-probs',
    async ({ c: config }) => {
      const m = createVlm(config, 2);
      // prompts of different lengths: each row writes its own slots past 2,048
      const requests = [2050, 2071].map((n, i) => ({ pixels: pixelsOf(3 + i), prompt: promptTokens('x'.repeat(n)) }));
      try {
        const options = { temperature: 1, topP: 1, maxTokens: 12, bucket: 64 };
        const before = gpuDecodeCount();
        const gens = await sample(m, requests, { ...options, rng: new Rng(6) });
        expect(gpuDecodeCount()).toBe(before + 1); // the webgpu decoder ran, not the tfjs-op loop
        setGpuDecode(false);
        const ops = await sample(m, requests, { ...options, rng: new Rng(6) }).finally(() => setGpuDecode(true));
        expect(gens.map((g) => [...g.tokens])).toEqual(ops.map((g) => [...g.tokens])); // the tfjs-op step's tokens
        const capacity = patchCount(config) + Math.ceil((Math.ceil(Math.max(...requests.map((r) => r.prompt.length)) / 64) * 64 + 12) / 64) * 64;
        expect(slotsFor(capacity)).toBe(LONG_SLOTS);
        // decode steps ran past slot 2,048 (a row that stopped at its first token took none)
        expect(Math.max(...gens.map((g) => g.tokens.length))).toBeGreaterThanOrEqual(8);
        for (const [i, g] of gens.entries()) expect(patchCount(config) + requests[i].prompt.length + g.tokens.length).toBeGreaterThan(MAX_SLOTS);
        const scored = await responseLogprobs(
          m,
          gens.map((g, i) => ({ ...requests[i], response: g.tokens })),
          64,
        );
        for (const [i, g] of gens.entries())
          for (let k = 0; k < g.tokens.length; k++) {
            expect(Math.abs(g.logprobs[k] - scored[i][k])).toBeLessThan(1e-4);
            expect(Math.abs(g.logprobs[k] - ops[i].logprobs[k])).toBeLessThan(1e-4);
          }
        expect(webgpu.gpuErrors()).toEqual([]);
      } finally {
        disposeVlm(m);
      }
    },
  );
});
