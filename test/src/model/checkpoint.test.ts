import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { AdamW } from '../../../src/model/adamw.ts';
import { loadCheckpoint, saveCheckpoint, weightsSha256 } from '../../../src/model/checkpoint.ts';
import { prepareBatch, type TokenLogprobs } from '../../../src/model/logprobs.ts';
import { promptTokens } from '../../../src/prompt.ts';
import { trainStep } from '../../../src/model/train.ts';
import { createVlm, disposeVlm, type Vlm } from '../../../src/model/vlm.ts';
import { Rng } from '../../../src/rng.ts';
import { encode } from '../../../src/tokenizer.ts';
import { BUCKET, pixels, tiny, useCpu } from './fixtures.ts';

let dir: string;
beforeAll(async () => {
  await useCpu();
  dir = await mkdtemp(path.join(tmpdir(), 'asymflow-ckpt-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const loss = ({ logp, mask }: TokenLogprobs): tf.Scalar => tf.div(tf.neg(tf.sum(tf.mul(logp, mask))), tf.sum(mask)) as tf.Scalar;

/** Two small batches; which one a step uses is drawn from `rng`, so the RNG state matters for resuming. */
const batches = ['<caption>1-2</caption>a<answer>1</answer>', '<caption>3.4</caption>b<answer>2</answer>'].map((t, i) =>
  prepareBatch(tiny, [{ pixels: pixels(tiny, i), prompt: promptTokens('Q'), response: encode(t) }], BUCKET),
);

async function train(m: Vlm, opt: AdamW, rng: Rng, steps: number): Promise<void> {
  for (let i = 0; i < steps; i++) await trainStep(m, opt, batches[rng.int(2)], loss);
}

describe('checkpoint', () => {
  it('resumes exactly: train 4 = train 2, save, load into a fresh model, train 2 (same weights hash)', async () => {
    const options = { lr: 5e-3, warmupSteps: 2, totalSteps: 4 };
    const straight = createVlm(tiny, 1);
    const straightOpt = new AdamW(straight.params, options);
    await train(straight, straightOpt, new Rng(9), 4);

    const first = createVlm(tiny, 1);
    const firstOpt = new AdamW(first.params, options);
    const rng = new Rng(9);
    await train(first, firstOpt, rng, 2);
    await saveCheckpoint(dir, { model: first, optimizer: firstOpt, rngs: { data: rng }, cursor: { index: 2 }, metadata: { run: 'x' } });
    const loaded = await loadCheckpoint(dir);
    expect(await weightsSha256(loaded.model)).toBe(await weightsSha256(first));
    expect(loaded.cursor).toEqual({ index: 2 });
    expect(loaded.metadata).toEqual({ run: 'x' });
    expect(loaded.optimizer!.step).toBe(2);
    await train(loaded.model, loaded.optimizer!, loaded.rngs.data, 2);

    expect(await weightsSha256(loaded.model)).toBe(await weightsSha256(straight));
    expect(await weightsSha256(loaded.model)).not.toBe(await weightsSha256(first));
    for (const o of [straightOpt, firstOpt, loaded.optimizer!]) o.dispose();
    for (const m of [straight, first, loaded.model]) disposeVlm(m);
  });

  it('replaces the previous checkpoint atomically and refuses corrupt files with their name', async () => {
    const m = createVlm(tiny, 2);
    await saveCheckpoint(dir, { model: m });
    await saveCheckpoint(dir, { model: m });
    const files = (await readdir(dir)).sort();
    expect(files.filter((f) => f.endsWith('.bin')).length).toBe(1); // the old weights file is gone, no temp left
    expect(files.some((f) => f.includes('.tmp-'))).toBe(false);
    // A crash mid-save leaves only a temp file: the committed checkpoint still loads.
    await writeFile(path.join(dir, 'weights-9-dead.bin.tmp-1-ab'), 'partial');
    const ok = await loadCheckpoint(dir);
    expect(await weightsSha256(ok.model)).toBe(await weightsSha256(m));
    expect(ok.optimizer).toBeUndefined();
    const weights = files.find((f) => f.startsWith('weights-'))!;
    await writeFile(path.join(dir, weights), new Uint8Array(16));
    await expect(loadCheckpoint(dir)).rejects.toThrow(`checkpoint ${path.join(dir, weights)}: expected`);
    await expect(loadCheckpoint(path.join(dir, 'missing'))).rejects.toThrow('checkpoint.json: cannot read');
    disposeVlm(m);
    disposeVlm(ok.model);
  });
});
