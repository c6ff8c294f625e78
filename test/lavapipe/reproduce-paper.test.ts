/**
 * `asymflow reproduce --preset paper-window --backend webgpu` on Mesa's lavapipe: the paper preset's parts
 * pretrain → sft → rl@0 end to end on a real Vulkan WebGPU device, with the paper's task options (GC 7–9
 * nodes, spring layout, verbosity 4), its 2,560 text positions and its 2,408-token sampling limit (so every
 * evaluation's and rollout's cache is past 2,048 slots: the webgpu decoder's 4,096-slot kernel), at a tiny
 * width and a few steps. The parts not run appear as such in the report.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PartSummary } from '../../flows/reproduce-summary.ts';
import { resolveBackend } from '../../src/backend/index.ts';
import { modelConfig, patchCount } from '../../src/model/config.ts';
import { PAPER_PRESETS } from '../../src/reproduce/paper-preset.ts';
import { LONG_SLOTS, slotsFor } from '../../src/webgpu/decode-attention.ts';
import { gpuDecodeCount } from '../../src/webgpu/index.ts';
import { reproduceCommand } from '../../tui/commands/reproduce.ts';

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'asymflow-reproduce-webgpu-'));
});
afterAll(async () => {
  fs.rmSync(dir, { recursive: true, force: true });
  await (await resolveBackend('webgpu', { log: () => {} })).dispose();
});

const PARTS = ['gc/pretrain', 'gc/sft', 'gc/rl@0'];

describe('reproduce --preset paper-window on webgpu (lavapipe)', () => {
  it('runs pretrain → sft → rl@0 on the paper window through the webgpu decoder, and reports the rest as not run', async () => {
    const preset = PAPER_PRESETS['paper-window'];
    const config = modelConfig(preset.model as 'tiny', preset.modelOptions.gc);
    expect(config.maxText).toBe(2560);
    // the smallest cache an evaluation takes: the image, one prompt bucket, the sampling limit
    expect(slotsFor(patchCount(config) + preset.sft.bucket + preset.maxTokens.gc)).toBe(LONG_SLOTS);

    const decoders = gpuDecodeCount();
    const result = await reproduceCommand({ preset: 'paper-window', tasks: 'gc', backend: 'webgpu', out: dir, only: PARTS.join(',') }, () => {});
    expect(result).toMatchObject({ ran: PARTS, skipped: [] });
    // every evaluation and rollout batch sampled through the webgpu decoder (pretrain's, sft's two, rl's two and its rollouts)
    expect(gpuDecodeCount() - decoders).toBeGreaterThanOrEqual(6);
    for (const part of PARTS) {
      const s = JSON.parse(fs.readFileSync(path.join(dir, ...part.split('/'), 'summary.json'), 'utf8')) as PartSummary;
      expect(s.backend).toBe('webgpu');
      expect(s.device).toMatch(/llvmpipe|lavapipe/);
      // the model's window: pretrain and sft build it (rl takes it from the SFT checkpoint)
      if (part !== 'gc/rl@0') expect(s.commands.join(' ')).toContain('--model-option maxText=2560');
    }
    const report = fs.readFileSync(path.join(dir, 'report.md'), 'utf8');
    expect(report).toContain('| gc/sft | 0 | done | webgpu |');
    expect(report).toContain('| gc/lambda@0.2 | 0 | not run |');
  });
});
