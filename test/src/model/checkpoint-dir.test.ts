/** A checkpoint, an SFT run directory or an RL run directory all name a checkpoint; the model is named after the run. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkpointName, resolveCheckpointDir } from '../../../src/model/checkpoint-dir.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'asymflow-ckdir-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const manifest = (at: string) => (fs.mkdirSync(at, { recursive: true }), fs.writeFileSync(path.join(at, 'checkpoint.json'), '{}'));

describe('checkpoint directories', () => {
  it('finds the checkpoint of an SFT run, an RL run, or takes the checkpoint itself', () => {
    manifest(path.join(dir, 'sft-gc', 'checkpoints'));
    manifest(path.join(dir, 'rl-a05', 'checkpoints', 'latest'));
    manifest(path.join(dir, 'bare'));
    expect(resolveCheckpointDir(path.join(dir, 'sft-gc'))).toBe(path.join(dir, 'sft-gc', 'checkpoints'));
    expect(resolveCheckpointDir(path.join(dir, 'rl-a05'))).toBe(path.join(dir, 'rl-a05', 'checkpoints', 'latest'));
    expect(resolveCheckpointDir(path.join(dir, 'bare'))).toBe(path.join(dir, 'bare'));
    expect(resolveCheckpointDir(path.join(dir, 'sft-gc', 'checkpoints'))).toBe(path.join(dir, 'sft-gc', 'checkpoints'));
  });

  it('says where it looked when there is none', () => {
    fs.mkdirSync(path.join(dir, 'empty'));
    expect(() => resolveCheckpointDir(path.join(dir, 'empty'))).toThrow(
      `checkpoint ${path.join(dir, 'empty')}: no checkpoint.json there, nor in its checkpoints/ or checkpoints/latest/`,
    );
    expect(() => resolveCheckpointDir(path.join(dir, 'nope'))).toThrow('no such directory');
  });

  it('names the model after the run, not "checkpoints" or "latest"', () => {
    expect(checkpointName('/runs/sft-gc/checkpoints')).toBe('sft-gc');
    expect(checkpointName('/runs/rl-a05/checkpoints/latest/')).toBe('rl-a05');
    expect(checkpointName('/models/my-ckpt')).toBe('my-ckpt');
  });
});
